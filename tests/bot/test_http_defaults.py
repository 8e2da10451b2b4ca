"""The error middleware: a refusal raised by a handler answers its code's status, as the JSON
shape under /api/ (through `api_errors` alone and with the console guard inside it, as the app
wires them) and as the console's page or redirect elsewhere. Never a traceback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast, get_args

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.actions.admin import AdminError
from bot.actions.users import UserError
from bot.console import pages
from bot.console.auth import console_guard
from bot.errors import STATUS, ErrorCode, ServiceError
from bot.http_defaults import api_errors

Client = TestClient[Any, Any]
CODES: tuple[ErrorCode, ...] = get_args(ErrorCode)
MESSAGE = "refused for a reason safe to show"


async def _refuse(request: web.Request) -> web.StreamResponse:
    code = request.match_info["code"]
    if code == "websocket":
        raise ServiceError("invalid_input", "this address is a websocket", status=400)
    if code == "admin":
        raise AdminError("forbidden", MESSAGE)
    if code == "user":
        raise UserError(MESSAGE)
    assert code in CODES
    raise ServiceError(cast(ErrorCode, code), MESSAGE)


def _app(*, guarded: bool) -> web.Application:
    middlewares = [api_errors, console_guard] if guarded else [api_errors]
    app = web.Application(middlewares=middlewares)
    app[pages.JINJA] = pages.make_environment()
    app.router.add_get("/api/refuse/{code}", _refuse)
    app.router.add_get("/console/refuse/{code}", _refuse)
    return app


@pytest.fixture(params=[False, True], ids=["api_errors", "with_console_guard"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[Client]:
    async with TestClient(TestServer(_app(guarded=request.param))) as test_client:
        yield test_client


async def _json_refusal(client: Client, path: str) -> tuple[int, dict[str, Any]]:
    response = await client.get(path)
    assert response.content_type == "application/json"
    text = await response.text()
    assert "Traceback" not in text and "ServiceError" not in text
    return response.status, await response.json()


async def test_each_code_under_api_answers_its_status_and_the_json_shape(client: Client) -> None:
    for code in CODES:
        status, body = await _json_refusal(client, f"/api/refuse/{code}")
        assert (status, body) == (STATUS[code], {"code": code, "message": MESSAGE}), code


async def test_the_actions_errors_and_a_given_status_answer_the_same_shape(
    client: Client,
) -> None:
    assert await _json_refusal(client, "/api/refuse/admin") == (
        403,
        {"code": "forbidden", "message": MESSAGE},
    )
    assert await _json_refusal(client, "/api/refuse/user") == (
        422,
        {"code": "invalid_input", "message": MESSAGE},
    )
    assert await _json_refusal(client, "/api/refuse/websocket") == (
        400,
        {"code": "invalid_input", "message": "this address is a websocket"},
    )


async def test_console_refusals_under_api_are_never_cached() -> None:
    async with TestClient(TestServer(_app(guarded=True))) as client:
        response = await client.get("/api/refuse/not_found")
        assert response.status == 404
        assert response.headers["Cache-Control"] == "no-store"


async def test_a_refused_console_page_shows_the_error_page_with_its_status() -> None:
    async with TestClient(TestServer(_app(guarded=True))) as client:
        response = await client.get("/console/refuse/not_found", allow_redirects=False)
        text = await response.text()
    assert (response.status, response.content_type) == (404, "text/html")
    assert MESSAGE in text and "Traceback" not in text
    assert response.headers["Cache-Control"] == "no-store"


async def test_a_console_page_redirects_the_signed_out_and_pending_setup() -> None:
    async with TestClient(TestServer(_app(guarded=True))) as client:
        signed_out = await client.get("/console/refuse/unauthenticated", allow_redirects=False)
        pending = await client.get(
            "/console/refuse/password_change_required", allow_redirects=False
        )
    assert (signed_out.status, signed_out.headers["Location"]) == (302, "/console/login")
    assert (pending.status, pending.headers["Location"]) == (302, "/console/profile")
