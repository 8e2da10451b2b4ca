"""The console's group API over HTTP: create, watch, moderate, announce; roles and CSRF hold."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_web_app
from bot.console import setup_console
from bot.groups.jobs import group_sweep
from tests.bot.groups.support import join, participant_of
from tests.support.chat import Harness

PASSWORD = "a long test password"


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    from bot import passwords

    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", fast)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", fast.hash("dummy password for timing"))


@pytest.fixture
async def client(groups: Harness) -> AsyncIterator[TestClient[Any, Any]]:
    app = build_web_app(groups.service)
    setup_console(app)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def _login(client: TestClient[Any, Any], username: str) -> dict[str, str]:
    response = await client.post("/api/login", json={"username": username, "password": PASSWORD})
    assert response.status == 200, await response.text()
    return {"X-CSRF-Token": str((await response.json())["csrf_token"])}


def _session_body(**changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body = {
        "title": "Etäkahvila",
        "description": "Jutellaan",
        "language": "fi",
        "topic": "other",
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
        "capacity": 8,
        "channels": ["test"],
    }
    return {**body, **changes}


async def test_moderator_creates_watches_and_moderates_a_session_over_the_api(
    groups: Harness, client: TestClient[Any, Any]
) -> None:
    await groups.staff("anna", display_name="Ohjaaja Anna")
    csrf = await _login(client, "anna")
    created = await client.post("/api/groups", json=_session_body(), headers=csrf)
    assert created.status == 201, await created.text()
    session = await created.json()
    await group_sweep(groups.core)
    aino, bertil = groups.resident("aino"), groups.resident("bertil")
    await join(aino, session["code"])
    await join(bertil, session["code"])
    await aino.write("Numeroni on 040 123 4567")

    view = await (await client.get(f"/api/groups/{session['id']}")).json()
    assert view["state"] == "open" and view["participants"] == 2
    assert [m["text"] for m in view["messages"]] == ["Numeroni on [PHONE]"]
    assert "pseudonym" not in str(view) and "user-aino" not in str(view)

    posted = await client.post(
        f"/api/groups/{session['id']}/messages", json={"text": "Hei kaikki"}, headers=csrf
    )
    assert posted.status == 201
    await groups.deliver()
    assert bertil.texts()[-1].startswith("Ohjaaja Anna")
    message_id = view["messages"][0]["id"]
    removed = await client.delete(
        f"/api/groups/{session['id']}/messages/{message_id}", headers=csrf
    )
    assert removed.status == 200
    aino_id = (await participant_of(aino)).id
    muted = await client.post(
        f"/api/groups/{session['id']}/participants/{aino_id}/mute", headers=csrf
    )
    assert muted.status == 200
    pinned = await client.post(
        f"/api/groups/{session['id']}/agenda", json={"agenda": "1. Kuulumiset"}, headers=csrf
    )
    assert pinned.status == 200
    ended = await client.post(f"/api/groups/{session['id']}/end", headers=csrf)
    assert ended.status == 200
    listing = await (await client.get("/api/groups")).json()
    assert listing["sessions"][0]["state"] == "ended"


async def test_writes_without_csrf_and_other_counsellors_are_refused(
    groups: Harness, client: TestClient[Any, Any]
) -> None:
    await groups.staff("anna")
    await groups.staff("ville")
    csrf = await _login(client, "anna")
    refused = await client.post("/api/groups", json=_session_body())
    assert refused.status == 403
    session = await (await client.post("/api/groups", json=_session_body(), headers=csrf)).json()
    await client.post("/api/logout", headers=csrf)
    other_csrf = await _login(client, "ville")
    watch = await client.get(f"/api/groups/{session['id']}")
    assert watch.status == 403
    end = await client.post(f"/api/groups/{session['id']}/end", headers=other_csrf)
    assert end.status == 403


async def test_bad_session_input_is_refused_with_a_clear_error(
    groups: Harness, client: TestClient[Any, Any]
) -> None:
    await groups.staff("anna")
    csrf = await _login(client, "anna")
    for bad in (
        {"capacity": 1},
        {"language": "de"},
        {"topic": "nope"},
        {"ends_at": "2000-01-01T10:00:00"},
        {"starts_at": "tomorrow"},
        {"channels": "test"},
    ):
        response = await client.post("/api/groups", json=_session_body(**bad), headers=csrf)
        assert response.status == 422, bad
        assert (await response.json())["code"] == "invalid_input"


async def test_announcement_counts_are_shown_to_the_sender(
    groups: Harness, client: TestClient[Any, Any]
) -> None:
    await groups.staff("anna")
    csrf = await _login(client, "anna")
    fan = groups.resident("fan")
    await fan.press("news:other:fi")
    response = await client.post(
        "/api/announcements",
        json={"topic": "other", "language": "fi", "text": "Uusi etäkahvila"},
        headers=csrf,
    )
    assert response.status == 201, await response.text()
    sent = await response.json()
    assert (sent["recipients"], sent["pending"]) == (1, 1)
    await groups.deliver()
    counts = await (await client.get(f"/api/announcements/{sent['id']}")).json()
    assert (counts["delivered"], counts["failed"], counts["withdrawn"]) == (1, 0, 0)
