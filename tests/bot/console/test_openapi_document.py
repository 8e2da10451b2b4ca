"""The OpenAPI document is built from the pydantic models, and only from them.

That the document lists exactly the served /api routes and methods is
`test_api.test_the_openapi_document_covers_every_api_route`; that the handlers answer as it
says is the Schemathesis test. These check the document's own shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from aiohttp.test_utils import TestClient
from pydantic import BaseModel, TypeAdapter

from bot.actions.conversations import OUTCOMES
from bot.console import (
    api_models,
    api_models_admin,
    api_models_consult,
    api_models_groups,
    api_models_library,
    api_models_reports,
)
from bot.console.openapi import (
    MODELS,
    PARAMETER_MODELS,
    REF,
    DocumentSchema,
    document,
    operations,
)
from bot.console.queries import STATES
from bot.roles import Role
from bot.texts import LANGUAGES

Client = TestClient[Any, Any]


def _walk(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every JSON object in `node`, with a JSON-pointer-like place for messages."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{where}/{index}")


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    found: Any = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(found, dict) and part in found, ref
        found = found[part]
    return found


def _own_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF, schema_generator=DocumentSchema)
    schema.pop("$defs", None)
    schema.pop("title", None)
    return schema


def test_the_document_is_json_and_openapi_3_1() -> None:
    doc = document()
    assert json.loads(json.dumps(doc)) == doc
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"] and doc["info"]["version"]
    for path, item in doc["paths"].items():
        assert path.startswith("/api/")
        for method, operation in item.items():
            assert method in {"get", "put", "post", "delete"}
            assert operation["summary"]
            assert operation["responses"], (method, path)
            for status, answer in operation["responses"].items():
                assert status.isdigit() and answer["description"], (method, path, status)
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            assert sorted(names) == sorted(
                part[1:-1] for part in path.split("/") if part.startswith("{")
            ), (method, path)


def test_every_ref_resolves() -> None:
    doc = document()
    refs = [(where, node["$ref"]) for where, node in _walk(doc) if "$ref" in node]
    assert refs
    for where, ref in refs:
        assert isinstance(_resolve(doc, ref), dict), where


def test_every_component_schema_is_a_models_own_schema() -> None:
    schemas = document()["components"]["schemas"]
    assert set(schemas) == {model.__name__ for model in MODELS}
    assert len(MODELS) == len(set(MODELS))
    for model in MODELS:
        assert schemas[model.__name__] == _own_schema(model), model.__name__
    exported = (
        *api_models.MODELS,
        *api_models_admin.MODELS,
        *api_models_groups.MODELS,
        *api_models_library.MODELS,
        *api_models_reports.MODELS,
        *api_models_consult.MODELS,
    )
    assert set(exported) == set(MODELS)


def test_operations_refer_to_models_and_never_spell_a_schema() -> None:
    """Bodies and answers are references to components; parameters come from a model."""
    parameter_schemas = [TypeAdapter(str).json_schema(schema_generator=DocumentSchema)]
    for model in PARAMETER_MODELS:
        parameter_schemas.extend(_own_schema(model)["properties"].values())
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            place = f"{method} {path}"
            for parameter in operation.get("parameters", []):
                assert parameter["schema"] in parameter_schemas, (place, parameter["name"])
            bodies = [operation["requestBody"]] if "requestBody" in operation else []
            for answer in [*bodies, *operation["responses"].values()]:
                for media, content in answer.get("content", {}).items():
                    schema = content["schema"]
                    if media in ("text/csv", "application/octet-stream"):  # a download: the bytes
                        assert schema == {"type": "string"}, place
                        continue
                    if schema.get("type") == "array":
                        assert set(schema) == {"type", "items"}, place
                        schema = schema["items"]
                    assert set(schema) == {"$ref"}, place


def test_closed_sets_follow_the_codes_constants() -> None:
    schemas = document()["components"]["schemas"]

    def enum(model: str, field: str) -> list[str]:
        return list(schemas[model]["properties"][field]["enum"])

    assert enum("ConversationSummary", "state") == list(STATES)
    assert enum("Close", "outcome") == list(OUTCOMES)
    assert enum("AdminUser", "role") == [role.value for role in Role]
    assert enum("UserCreate", "role") == [role.value for role in Role]
    assert enum("LockedAccount", "role") == [role.value for role in Role]
    assert enum("CannedReplySave", "language") == list(LANGUAGES)
    assert enum("GroupSessionCreate", "language") == list(LANGUAGES)
    assert enum("AnnouncementCreate", "language") == list(LANGUAGES)


def test_each_operation_is_listed_once() -> None:
    keys = [(op.method, op.path) for op in operations()]
    assert len(keys) == len(set(keys))


async def test_the_served_document_is_the_built_one(client: Client) -> None:
    response = await client.get("/api/openapi.json")
    assert response.status == 200
    assert await response.json() == document()
