"""Console sign-in over HTTP: answers that reveal nothing, the address behind a proxy, unlocking.

Each test here fails when its defence is removed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_web_app
from bot.config import Settings
from bot.console import setup_console
from bot.store.tables import Queue
from tests.support.chat import Harness

from .helpers import PASSWORD, audit_rows, headers, login

Client = TestClient[Any, Any]


async def answers(client: Client, username: str, count: int, **extra: Any) -> list[tuple[int, str]]:
    """(status, body) of `count` sign-ins with a wrong password."""
    found = []
    for _ in range(count):
        response = await client.post(
            "/api/login", json={"username": username, "password": "wrong"}, **extra
        )
        found.append((response.status, await response.text()))
    return found


async def test_an_unknown_name_gets_the_same_statuses_and_bodies_as_an_existing_one(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    existing = await answers(client, "anna", 8)
    unknown = await answers(client, "no-such-account", 8)
    assert existing == unknown
    assert [status for status, _ in existing] == [401] * 5 + [429] * 3


async def test_a_locked_accounts_right_password_gets_the_unknown_names_answer(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    await answers(client, "anna", 5)
    await answers(client, "no-such-account", 5)
    right = await client.post("/api/login", json={"username": "anna", "password": PASSWORD})
    unknown = await client.post(
        "/api/login", json={"username": "no-such-account", "password": PASSWORD}
    )
    assert (right.status, await right.text()) == (unknown.status, await unknown.text())
    assert right.status == 429 and "somesossu_session" not in right.cookies


async def test_the_sign_in_form_answers_alike_for_locked_and_unknown_names(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    pages = {}
    for username in ("anna", "no-such-account"):
        for _ in range(5):
            await client.post("/console/login", data={"username": username, "password": "wrong"})
        refused = await client.post(
            "/console/login", data={"username": username, "password": PASSWORD}
        )
        pages[username] = (refused.status, (await refused.text()).replace(username, "NAME"))
    assert pages["anna"] == pages["no-such-account"]
    assert pages["anna"][0] == 429


async def test_a_stranger_failing_from_one_address_does_not_lock_staff_out(
    harness: Harness, proxied: Client
) -> None:
    await harness.staff("anna")
    stranger = {"headers": {"X-Forwarded-For": "203.0.113.66"}}
    statuses = [status for status, _ in await answers(proxied, "anna", 20, **stranger)]
    assert statuses[-1] == 429
    office = await proxied.post(
        "/api/login",
        json={"username": "anna", "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    assert office.status == 200


async def test_x_forwarded_for_is_ignored_from_a_peer_that_is_not_a_trusted_proxy(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    for number in range(5):
        await client.post(
            "/api/login",
            json={"username": "anna", "password": "wrong"},
            headers={"X-Forwarded-For": f"203.0.113.{number}"},
        )
    dodging = await client.post(
        "/api/login",
        json={"username": "anna", "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.99"},
    )
    assert dodging.status == 429


async def test_one_address_is_refused_after_guessing_at_many_names(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    for number in range(30):  # SOMESOSSU_SIGNIN_FAILURES_PER_ADDRESS, default
        await answers(client, f"guess-{number}", 1)
    refused = await client.post("/api/login", json={"username": "anna", "password": PASSWORD})
    assert refused.status == 429


# ---- the locked list and unlock, per role --------------------------------------------------


@pytest.fixture
async def proxied(harness: Harness, settings: Settings) -> AsyncIterator[Client]:
    """The console behind a trusted reverse proxy on the loopback address."""
    harness.service.settings = settings.model_copy(update={"webchat_trusted_proxies": "127.0.0.1"})
    app = build_web_app(harness.service)
    setup_console(app)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def locked_team(harness: Harness, client: Client) -> dict[str, str]:
    """anna (general) and mikko (money) locked from this address; their user ids."""
    async with harness.core.database.session() as session:
        session.add(Queue(id="money", name="Money", languages=["fi"], opening_hours={}))
    anna = await harness.staff("anna", queues=("general",))
    mikko = await harness.staff("mikko", queues=("money",))
    await answers(client, "anna", 5)
    await answers(client, "mikko", 5)
    return {"anna": anna.user_id, "mikko": mikko.user_id}


# role, queues -> (list status, usernames listed, unlock status of anna, unlock status of mikko)
ROLE_TABLE = {
    "counsellor": (403, None, 403, 403),
    "supervisor": (200, ["anna"], 200, 403),
    "privacy_officer": (403, None, 403, 403),
    "admin": (200, ["anna", "mikko"], 200, 200),
}


@pytest.mark.parametrize("role", sorted(ROLE_TABLE))
async def test_locked_accounts_are_listed_and_unlocked_by_role_and_queue(
    harness: Harness, client: Client, role: str
) -> None:
    ids = await locked_team(harness, client)
    list_status, listed, anna_status, mikko_status = ROLE_TABLE[role]
    queues = () if role == "admin" else ("general",)
    await harness.staff("boss", role=role, queues=queues)
    csrf = await login(client, "boss")
    response = await client.get("/api/users/locked")
    assert response.status == list_status
    if listed is not None:
        assert sorted(a["username"] for a in await response.json()) == listed
    for name, status in (("mikko", mikko_status), ("anna", anna_status)):
        unlocked = await client.post(f"/api/users/{ids[name]}/unlock", headers=headers(csrf))
        assert unlocked.status == status, name
    await client.post("/api/logout", headers=headers(csrf))
    anna = await client.post("/api/login", json={"username": "anna", "password": PASSWORD})
    assert anna.status == (200 if anna_status == 200 else 429)


async def test_unlocking_an_unknown_user_is_not_found(harness: Harness, client: Client) -> None:
    await harness.staff("ada", role="admin", queues=())
    csrf = await login(client, "ada")
    response = await client.post("/api/users/no-such-id/unlock", headers=headers(csrf))
    assert response.status == 404
    assert (await response.json())["code"] == "not_found"


async def test_a_supervisor_unlocks_from_the_locked_sign_ins_page(
    harness: Harness, client: Client
) -> None:
    ids = await locked_team(harness, client)
    sari = await harness.staff("sari", role="supervisor", queues=("general",))
    csrf = await login(client, "sari")
    page = await client.get("/console/users/locked")
    text = await page.text()
    assert page.status == 200
    assert f"/console/users/{ids['anna']}/unlock" in text and "mikko" not in text
    assert 'href="/console/users/locked"' in text
    refused = await client.post(
        f"/console/users/{ids['mikko']}/unlock", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert refused.status == 403
    done = await client.post(
        f"/console/users/{ids['anna']}/unlock", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert done.status == 303
    unlocks = [
        r for r in await audit_rows(harness) if r.actor_id == sari.user_id and r.action == "update"
    ]
    assert [(r.object_id, r.purpose) for r in unlocks] == [(ids["anna"], "sign-in unlocked")]
    assert "No locked accounts." in await (await client.get("/console/users/locked")).text()


async def test_a_counsellor_cannot_open_the_locked_sign_ins_page(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    await login(client, "anna")
    assert (await client.get("/console/users/locked")).status == 403
