"""Console defences: each test here fails when its defence is removed.

CSRF on every write, same-origin sign-in and websocket, security and no-store headers,
cookie flags, lockout, session expiry, sign-out everywhere, TOTP, role checks per endpoint.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient
from sqlmodel import select

from bot.store.tables import Conversation, StaffUser
from tests.support.chat import Harness

from .helpers import PASSWORD, audit_rows, headers, login, shift_clock, waiting_conversation

Client = TestClient[Any, Any]


async def state_of(harness: Harness, conversation: str) -> str:
    async with harness.core.database.session() as session:
        found = await session.get(Conversation, conversation)
        assert found is not None
        return found.state


# ---- CSRF and origin ---------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "wrong-token"])
async def test_a_write_without_the_right_csrf_token_is_refused_and_changes_nothing(
    harness: Harness, client: Client, token: str | None
) -> None:
    await harness.staff("anna")
    conversation = await waiting_conversation(harness)
    await login(client, "anna")
    sent = {"X-CSRF-Token": token} if token else {}
    response = await client.post(f"/api/conversations/{conversation}/claim", headers=sent)
    assert response.status == 403
    assert (await response.json())["code"] == "csrf"
    assert await state_of(harness, conversation) == "queued"


async def test_a_form_post_needs_the_csrf_field(harness: Harness, client: Client) -> None:
    await harness.staff("anna")
    csrf = await login(client, "anna")
    refused = await client.post(
        "/console/profile/display-name", data={"display_name": "Forged"}, allow_redirects=False
    )
    assert refused.status == 403
    accepted = await client.post(
        "/console/profile/display-name",
        data={"display_name": "Anna S", "csrf_token": csrf},
        allow_redirects=False,
    )
    assert accepted.status == 303


async def test_sign_in_from_another_origin_is_refused(harness: Harness, client: Client) -> None:
    await harness.staff("anna")
    response = await client.post(
        "/api/login",
        json={"username": "anna", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status == 403
    assert (await response.json())["code"] == "origin"
    assert "somesossu_session" not in response.cookies


async def test_a_websocket_from_another_origin_is_refused(harness: Harness, client: Client) -> None:
    await harness.staff("anna")
    await login(client, "anna")
    with pytest.raises(Exception, match="403"):
        await client.ws_connect("/console/ws", headers={"Origin": "https://evil.example"})


# ---- headers and cookies -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/queues", "/console/queues", "/console/login"])
async def test_console_answers_are_never_cached_and_carry_a_strict_csp(
    harness: Harness, client: Client, path: str
) -> None:
    await harness.staff("anna")
    await login(client, "anna")
    response = await client.get(path)
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_pages_have_no_inline_scripts_or_styles(harness: Harness, client: Client) -> None:
    await harness.staff("anna")
    await login(client, "anna")
    for path in ("/console/login", "/console/queues", "/console/profile"):
        html = await (await client.get(path)).text()
        assert "<script>" not in html and "<style" not in html and " style=" not in html


async def test_the_session_cookie_is_httponly_and_samesite_strict(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    response = await client.post("/api/login", json={"username": "anna", "password": PASSWORD})
    cookie = response.cookies["somesossu_session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"


# ---- lockout, expiry, sign-out -----------------------------------------------------------


async def test_five_failed_sign_ins_lock_the_account_even_for_the_right_password(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    for _ in range(5):
        wrong = await client.post("/api/login", json={"username": "anna", "password": "nope"})
        assert wrong.status == 401
        assert (await wrong.json())["code"] == "invalid_credentials"
    locked = await client.post("/api/login", json={"username": "anna", "password": PASSWORD})
    assert locked.status == 429
    assert (await locked.json())["code"] == "locked"
    shift_clock(harness, timedelta(minutes=16))
    assert (
        await client.post("/api/login", json={"username": "anna", "password": PASSWORD})
    ).status == 200


async def test_failed_sign_ins_are_audited_without_the_username(
    harness: Harness, client: Client
) -> None:
    await client.post("/api/login", json={"username": "mallory-typed-this", "password": "x"})
    failed = [r for r in await audit_rows(harness) if r.action == "sign_in_failed"]
    assert len(failed) == 1
    assert "mallory" not in repr(failed[0].model_dump())


@pytest.mark.parametrize("idle", [timedelta(minutes=31), timedelta(hours=13)])
async def test_a_session_expires_after_idle_time_and_absolute_age(
    harness: Harness, client: Client, idle: timedelta
) -> None:
    await harness.staff("anna")
    await login(client, "anna")
    assert (await client.get("/api/me")).status == 200
    shift_clock(harness, idle)
    expired = await client.get("/api/me")
    assert expired.status == 401
    assert (await expired.json())["code"] == "unauthenticated"


async def test_sign_out_everywhere_ends_sessions_on_other_devices(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    other = TestClient(client.server)
    try:
        await login(other, "anna")
        csrf = await login(client, "anna")
        assert (await other.get("/api/me")).status == 200
        assert (await client.post("/api/logout-everywhere", headers=headers(csrf))).status == 200
        assert (await other.get("/api/me")).status == 401
        assert (await client.get("/api/me")).status == 401
    finally:
        await other.session.close()


async def test_a_one_time_password_must_be_changed_before_anything_else(
    harness: Harness, client: Client
) -> None:
    from bot.actions.context import SYSTEM
    from bot.actions.users import create_user
    from bot.roles import Role

    await create_user(
        harness.core,
        SYSTEM,
        username="new",
        role=Role.COUNSELLOR,
        password=PASSWORD,
        queues=("general",),
        must_change_password=True,
    )
    csrf = await login(client, "new")
    blocked = await client.get("/api/queues")
    assert (await blocked.json())["code"] == "password_change_required"
    changed = await client.post(
        "/api/me/password",
        json={"current": PASSWORD, "new": "another long password"},
        headers=headers(csrf),
    )
    assert changed.status == 200
    assert (await client.get("/api/queues")).status == 200


async def test_a_first_sign_in_on_the_page_lands_on_the_password_change(
    harness: Harness, client: Client
) -> None:
    from bot.actions.context import SYSTEM
    from bot.actions.users import create_user
    from bot.roles import Role

    await create_user(
        harness.core,
        SYSTEM,
        username="new",
        role=Role.COUNSELLOR,
        password=PASSWORD,
        queues=("general",),
        must_change_password=True,
    )
    signed_in = await client.post("/console/login", data={"username": "new", "password": PASSWORD})
    assert signed_in.status == 200
    assert signed_in.url.path == "/console/profile"
    assert "Choose a new password before you continue." in await signed_in.text()
    board = await client.get("/console/queues", allow_redirects=False)
    assert (board.status, board.headers["Location"]) == (302, "/console/profile")
    assert (await client.get("/api/queues")).status == 403  # the API still answers 403


async def test_totp_once_enabled_is_required_and_stored_sealed(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    csrf = await login(client, "anna")
    secret = pyotp.random_base32()
    enabled = await client.post(
        "/console/profile/totp",
        data={"secret": secret, "code": pyotp.TOTP(secret).now(), "csrf_token": csrf},
        allow_redirects=False,
    )
    assert enabled.status == 303
    async with harness.core.database.session() as session:
        user = (await session.execute(select(StaffUser))).scalar_one()
    assert secret.encode() not in repr(user.totp_secret).encode()
    without = await client.post("/api/login", json={"username": "anna", "password": PASSWORD})
    assert (await without.json())["code"] == "totp_required"
    wrong = await client.post(
        "/api/login", json={"username": "anna", "password": PASSWORD, "totp": "000000"}
    )
    assert (await wrong.json())["code"] == "totp_invalid"
    right = await client.post(
        "/api/login",
        json={"username": "anna", "password": PASSWORD, "totp": pyotp.TOTP(secret).now()},
    )
    assert right.status == 200


async def test_the_profile_draws_the_otpauth_uri_as_an_inline_svg_qr_code(
    harness: Harness, client: Client
) -> None:
    import html
    import io
    import re

    import segno

    await harness.staff("anna")
    await login(client, "anna")
    page = await (await client.get("/console/profile")).text()
    link = re.search(r'id="totp-uri" href="([^"]+)"', page)
    assert link is not None
    uri = html.unescape(link.group(1))
    assert uri.startswith("otpauth://totp/") and "secret=" in uri
    svg = re.search(r"<svg [^>]*>.*?</svg>", page, re.DOTALL)
    assert svg is not None and 'role="img"' in svg.group(0) and "aria-label=" in svg.group(0)
    # The drawn modules are those of a QR code for exactly the URI shown next to it.
    expected = io.BytesIO()
    segno.make(uri, error="m", micro=False).save(expected, kind="svg", scale=4, border=4)
    modules = re.search(r'stroke="#000" d="[^"]+"', expected.getvalue().decode())
    assert modules is not None and modules.group(0) in svg.group(0)
    # Strict CSP: no style attribute or element, no script, no external reference.
    assert "style" not in svg.group(0) and "<script" not in svg.group(0)
    assert "href" not in svg.group(0) and "data:" not in svg.group(0)


# ---- roles ---------------------------------------------------------------------------------

ROLE_CASES = [
    ("counsellor", "GET", "/api/dashboard"),
    ("counsellor", "GET", "/api/audit"),
    ("counsellor", "GET", "/console/admin/users"),
    ("counsellor", "GET", "/console/audit"),
    ("supervisor", "GET", "/api/audit"),
    ("supervisor", "GET", "/console/admin/queues"),
    ("privacy_officer", "POST", "/api/conversations/{id}/reply"),
    ("privacy_officer", "POST", "/api/conversations/{id}/claim"),
    ("privacy_officer", "GET", "/api/dashboard"),
    ("admin", "POST", "/api/conversations/{id}/claim"),
    ("admin", "GET", "/api/audit"),
]


@pytest.mark.parametrize(("role", "method", "path"), ROLE_CASES)
async def test_each_role_is_refused_what_it_may_not_do(
    harness: Harness, client: Client, role: str, method: str, path: str
) -> None:
    await harness.staff("user", role=role, queues=("general",) if role != "admin" else ())
    conversation = await waiting_conversation(harness)
    csrf = await login(client, "user")
    response = await client.request(
        method, path.format(id=conversation), json={"text": "hello"}, headers=headers(csrf)
    )
    assert response.status == 403, await response.text()
    assert await state_of(harness, conversation) == "queued"


async def test_a_counsellor_outside_the_queue_cannot_claim(
    harness: Harness, client: Client
) -> None:
    await harness.staff("olga", queues=())
    conversation = await waiting_conversation(harness)
    csrf = await login(client, "olga")
    assert (await client.get("/api/conversations")).status == 200
    assert await (await client.get("/api/conversations")).json() == []
    refused = await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    assert refused.status in (403, 404)
    assert await state_of(harness, conversation) == "queued"


async def test_the_api_refuses_anonymous_callers(client: Client) -> None:
    for path in ("/api/queues", "/api/conversations", "/api/me"):
        response = await client.get(path)
        assert response.status == 401
        assert (await response.json())["code"] == "unauthenticated"
    page = await client.get("/console/queues", allow_redirects=False)
    assert page.status == 302 and page.headers["Location"] == "/console/login"


# ---- websocket -----------------------------------------------------------------------------


async def test_the_websocket_rechecks_the_session_on_every_frame(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    csrf = await login(client, "anna")
    ws = await client.ws_connect("/console/ws")
    assert (await ws.receive_json())["type"] == "hello"
    await ws.send_json({"type": "ping"})
    assert (await ws.receive_json())["type"] == "pong"
    other = TestClient(client.server)
    try:
        await login(other, "anna")
        me = await (await other.get("/api/me")).json()
        await other.post("/api/logout-everywhere", headers=headers(me["csrf_token"]))
    finally:
        await other.session.close()
    await ws.send_json({"type": "ping"})
    assert (await ws.receive_json())["type"] == "signed_out"
    closing = await ws.receive()
    assert closing.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
    del csrf


async def test_the_websocket_refuses_to_watch_a_colleagues_conversation(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    await harness.staff("ben")
    conversation = await waiting_conversation(harness)
    csrf = await login(client, "anna")
    await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    await login(client, "ben")
    ws = await client.ws_connect("/console/ws")
    await ws.receive_json()
    await ws.send_json({"type": "watch", "conversation": conversation})
    assert await ws.receive_json() == {"type": "error", "code": "forbidden"}
    await ws.close()


async def test_the_websocket_forwards_new_conversations_as_ids_only(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    await login(client, "anna")
    ws = await client.ws_connect("/console/ws")
    await ws.receive_json()
    conversation = await waiting_conversation(harness, text="salainen asia")
    seen = []
    while not any(
        f["payload"].get("conversation") == conversation and f["kind"] == "conversation.queued"
        for f in seen
    ):
        frame = await ws.receive_json(timeout=5)
        assert "salainen" not in str(frame)
        if frame["type"] == "event":
            seen.append(frame)
    await ws.close()
