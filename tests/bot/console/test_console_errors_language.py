"""Refusals reach staff in the console language: every literal refusal message the actions and
the console raise is in the `console_errors` catalog in English, Finnish and Swedish, and the
JSON API answers a refusal's message in the request's language with its code unchanged.

Messages built at run time (f-strings carrying a number or a name) cannot be looked up and stay
English; the scan skips them.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from bot.console.texts import CONSOLE_LANGUAGES, ConsoleTexts
from bot.store.tables import StaffUser
from tests.support.chat import Harness

from .helpers import headers, login

Client = TestClient[Any, Any]
BOT = Path(__file__).resolve().parents[3] / "bot"
PACKAGES = ("actions", "console", "groups")
# Refusals and where their message is among the call's positional arguments. `UserError` takes
# the message alone (its code is always invalid_input); `CloseTagRefused` is a ValueError whose
# text `actions.conversations.close` raises as the refusal's message as it is.
MESSAGE_ARGUMENT = {
    "ServiceError": 1,
    "ConsoleError": 1,
    "AuthError": 1,
    "ActionError": 1,
    "AdminError": 1,
    "UserError": 0,
    "CloseTagRefused": 0,
}


def _modules() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((BOT / package).glob("*.py"))]


def _constants(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level names bound once to a literal: a message constant or a table of them."""
    found: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.value is not None:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            if isinstance(node.target, ast.Name):
                found[node.target.id] = node.value
    return found


def _imported_constants() -> dict[str, ast.expr]:
    """Every module's constants by name: a table is used where it is imported (READ_REFUSED)."""
    found: dict[str, ast.expr] = {}
    for path in _modules():
        found.update(_constants(ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _strings(node: ast.expr | None, constants: dict[str, ast.expr]) -> list[str] | None:
    """The literal texts `node` can be; None when it is built at run time."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in constants:
        return _strings(constants[node.id], constants)
    if isinstance(node, ast.Subscript):
        # TABLE[key] (every value of a dict of messages) or TABLE[key][i] (a tuple's item i).
        if isinstance(node.value, ast.Name) and node.value.id in constants:
            messages = constants[node.value.id]
            if isinstance(messages, ast.Dict):
                values = [_strings(value, constants) for value in messages.values]
                if all(v is not None for v in values):
                    return [text for v in values if v is not None for text in v]
        inner = node.value
        if (
            isinstance(inner, ast.Subscript)
            and isinstance(inner.value, ast.Name)
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, int)
        ):
            table = constants.get(inner.value.id)
            if isinstance(table, ast.Dict):
                picked = [
                    value.elts[node.slice.value]
                    for value in table.values
                    if isinstance(value, ast.Tuple)
                ]
                texts = [_strings(item, constants) for item in picked]
                if picked and all(t is not None for t in texts):
                    return [text for t in texts if t is not None for text in t]
    return None


def literal_refusals() -> dict[str, list[str]]:
    """Every literal refusal message in bot/actions, bot/console and bot/groups: where raised."""
    everywhere = _imported_constants()
    found: dict[str, list[str]] = {}
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {**everywhere, **_constants(tree)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name not in MESSAGE_ARGUMENT:
                continue
            index = MESSAGE_ARGUMENT[name]
            argument: ast.expr | None = node.args[index] if len(node.args) > index else None
            if argument is None:
                argument = next((k.value for k in node.keywords if k.arg == "message"), None)
            for text in _strings(argument, constants) or []:
                found.setdefault(text, []).append(f"{path.relative_to(BOT.parent)}:{node.lineno}")
    return found


def test_every_refusal_class_is_scanned() -> None:
    """A new refusal class in these packages must join MESSAGE_ARGUMENT, or its messages would
    escape the check below."""
    refusals = {"ServiceError", *MESSAGE_ARGUMENT}
    classes: dict[str, list[str]] = {}
    for path in [*_modules(), BOT / "errors.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                classes[node.name] = [ast.unparse(base).split(".")[-1] for base in node.bases]
    derived = {name for name, bases in classes.items() if refusals & set(bases)}
    assert derived <= set(MESSAGE_ARGUMENT), sorted(derived - set(MESSAGE_ARGUMENT))


def test_the_scan_finds_literals_constants_and_tables() -> None:
    found = literal_refusals()
    assert "sign in first" in found  # a literal (console)
    assert "no such conversation" in found  # a literal (actions)
    assert "too many failed sign-ins: try again later" in found  # a module constant
    assert "this conversation is another counsellor's" in found  # REFUSED[denial]
    assert "this conversation is being answered by a colleague" in found  # READ_REFUSED[d][1]
    assert "a username is 1-100 characters without spaces" in found  # UserError(message)
    assert "the session is over already" in found  # bot/groups
    assert len(found) > 60


@pytest.mark.parametrize("lang", CONSOLE_LANGUAGES)
def test_every_literal_refusal_is_in_the_errors_catalog(lang: str) -> None:
    listed = ConsoleTexts().keys(lang, "console_errors")
    missing = {text: where for text, where in literal_refusals().items() if text not in listed}
    assert missing == {}


def test_english_reads_as_raised_and_finnish_and_swedish_differ() -> None:
    texts = ConsoleTexts()
    for message in literal_refusals():
        assert texts.error_text("en", message) == message
        assert texts.error_text("fi", message) != message, message
        assert texts.error_text("sv", message) != message, message


async def test_a_refusal_answers_in_the_browsers_language_with_the_same_code(
    client: Client,
) -> None:
    answers = {}
    for language in ("fi", "sv", None):
        sent = {"Accept-Language": language} if language else {}
        response = await client.get("/api/me", headers=sent)
        assert response.status == 401
        answers[language] = await response.json()
    assert {body["code"] for body in answers.values()} == {"unauthenticated"}
    assert answers["fi"]["message"] == "Kirjaudu ensin sisään."
    assert answers["sv"]["message"] == "Logga in först."
    assert answers[None]["message"] == "sign in first"


async def test_an_actions_refusal_answers_in_finnish(harness: Harness, client: Client) -> None:
    await harness.staff("anna")
    csrf = await login(client, "anna")
    finnish = await client.post(
        "/api/conversations/nosuch/claim",
        headers={**headers(csrf), "Accept-Language": "fi-FI,fi;q=0.9,en;q=0.8"},
    )
    english = await client.post("/api/conversations/nosuch/claim", headers=headers(csrf))
    assert finnish.status == english.status == 404
    assert await finnish.json() == {"code": "not_found", "message": "Keskustelua ei löydy."}
    assert await english.json() == {"code": "not_found", "message": "no such conversation"}

    wrong = await client.post(
        "/api/login",
        json={"username": "anna", "password": "not the password"},
        headers={"Accept-Language": "fi"},
    )
    assert wrong.status == 401
    assert await wrong.json() == {
        "code": "invalid_credentials",
        "message": "Väärä käyttäjätunnus tai salasana.",
    }


async def test_the_profiles_language_comes_before_the_browsers(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    async with harness.core.database.session() as session:
        user = (
            await session.execute(select(StaffUser).where(col(StaffUser.username) == "anna"))
        ).scalar_one()
        user.console_language = "sv"
        session.add(user)
        await session.commit()
    await login(client, "anna")
    forbidden = await client.get("/api/admin/users", headers={"Accept-Language": "fi"})
    assert forbidden.status == 403
    assert await forbidden.json() == {
        "code": "forbidden",
        "message": "Din roll tillåter inte det här.",
    }


async def test_a_message_built_at_run_time_is_translated_with_its_values(
    harness: Harness, client: Client
) -> None:
    """A message built at run time (here: a field name and a limit) matches a pattern entry
    ("{name} is at most {limit} characters"); the values go into the translation as they are."""
    await harness.staff("anna")
    csrf = await login(client, "anna")
    response = await client.post(
        "/api/me/display-name",
        json={"display_name": "x" * 201},
        headers={**headers(csrf), "Accept-Language": "fi"},
    )
    assert response.status == 422
    assert await response.json() == {
        "code": "invalid_input",
        "message": "Kentässä display_name saa olla enintään 200 merkkiä.",
    }
