"""Several real server processes on one PostgreSQL database, and a crash in the middle.

Marked `postgres`: they need TEST_DATABASE_URL (make test sets it when PostgreSQL runs).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.hours import OpeningHours
from bot.texts import Texts
from tests.support.db import POSTGRES_URL
from tests.support.server import (
    ChatClient,
    Server,
    base_env,
    http_session,
    run_cli,
    shared_key_env,
    sign_in,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not set"),
]
PASSWORD = "a long enough password"


async def _admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    name = f"mi_{uuid.uuid4().hex[:12]}"
    await _admin(f"CREATE DATABASE {name}")
    yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    await _admin(f"DROP DATABASE {name} WITH (FORCE)")


def _servers(
    database_url: str, tmp_path: Path, *, always_open: bool = False
) -> Iterator[tuple[Server, Server]]:
    keys = shared_key_env()
    envs = [
        base_env(
            tmp_path / name, SOMESOSSU_DATABASE_URL=database_url, SOMESOSSU_ENV="production", **keys
        )
        for name in ("a", "b")
    ]
    run_cli(
        envs[0],
        "user",
        "add",
        "anna",
        "--role",
        "supervisor",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    if always_open:  # production's default queue keeps office hours; a test may run at night
        import asyncpg

        async def open_all_hours() -> None:
            url = database_url.replace("postgresql+asyncpg", "postgresql")
            connection = await asyncpg.connect(url)
            try:
                await connection.execute(
                    "UPDATE queue SET opening_hours = $1::json",
                    json.dumps(OpeningHours.always().to_json()),
                )
            finally:
                await connection.close()

        asyncio.run(open_all_hours())
    servers = (Server(envs[0]), Server(envs[1]))
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def two_instances(database_url: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    yield from _servers(database_url, tmp_path)


@pytest.fixture
def two_open_instances(database_url: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    yield from _servers(database_url, tmp_path, always_open=True)


async def _console_events(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, object]:
    async with asyncio.timeout(20):
        async for raw in ws:
            frame = raw.json()
            if frame.get("type") == "event" and frame.get("kind") == kind:
                return dict(frame["payload"])
    raise AssertionError(f"no {kind} event")


async def _console_frame(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, object]:
    async with asyncio.timeout(20):
        async for raw in ws:
            frame = raw.json()
            if frame.get("type") == kind:
                return dict(frame)
    raise AssertionError(f"no {kind} frame")


async def test_a_resident_on_one_instance_and_a_counsellor_on_another_update_live(
    two_instances: tuple[Server, Server],
) -> None:
    a, b = two_instances
    async with http_session() as resident_http, http_session(a.url, b.url) as staff_http:
        csrf = await sign_in(staff_http, b.url, "anna", PASSWORD)
        console = await staff_http.ws_connect(f"{b.url}/console/ws")
        resident = ChatClient(resident_http, a.url)
        await resident.connect()
        await resident.send("c1", choice="lang:fi")
        await resident.send("c2", choice="topic:housing")
        queued = await _console_events(console, "conversation.queued")
        conversation = str(queued["conversation"])

        headers = {"X-CSRF-Token": csrf}
        async with staff_http.post(
            f"{b.url}/api/conversations/{conversation}/claim", headers=headers
        ) as response:
            assert response.status == 200
        async with staff_http.post(
            f"{b.url}/api/conversations/{conversation}/reply",
            headers=headers,
            json={"text": "Hei, miten voin auttaa?"},
        ):
            pass
        await resident.wait_for(
            lambda: "Hei, miten voin auttaa?" in resident.texts_from("counsellor")
        )
        await console.send_json({"type": "watch", "conversation": conversation})
        # Only once B watches may the resident write, or the event can pass B by first.
        await _console_frame(console, "watching")
        await resident.send("c3", text="Vuokra-asia")
        created = await _console_events(console, "message.created")
        assert created["conversation"] == conversation
        await console.close()
        await resident.close()


async def test_fifty_concurrent_claims_across_two_instances_exactly_one_wins(
    two_instances: tuple[Server, Server],
) -> None:
    a, b = two_instances
    async with http_session() as resident_http:
        resident = ChatClient(resident_http, a.url)
        await resident.connect()
        await resident.send("c1", choice="lang:fi")
        await resident.send("c2", choice="topic:housing")
        await resident.close()
    sessions = [http_session(a.url, b.url) for _ in range(2)]
    try:
        tokens = [
            await sign_in(http, server.url, "anna", PASSWORD)
            for http, server in zip(sessions, (a, b), strict=True)
        ]
        async with sessions[0].get(f"{a.url}/api/conversations") as response:
            listing = await response.json()
        assert len(listing) == 1, listing
        [conversation] = [c["id"] for c in listing]

        async def claim(index: int) -> int:
            http, server, token = sessions[index % 2], (a, b)[index % 2], tokens[index % 2]
            async with http.post(
                f"{server.url}/api/conversations/{conversation}/claim",
                headers={"X-CSRF-Token": token},
            ) as response:
                return response.status

        statuses = await asyncio.gather(*(claim(i) for i in range(50)))
    finally:
        for http in sessions:
            await http.close()
    assert statuses.count(200) == 1
    assert set(statuses) <= {200, 409}


async def test_a_claim_on_one_instance_sets_the_pace_another_instance_tells(
    two_open_instances: tuple[Server, Server],
) -> None:
    """Recent waits live in the shared database (`queue_wait`), not in a process: a claim
    on B makes A's next estimate the queue's measured pace, not the default."""
    a, b = two_open_instances
    texts = Texts()
    default = texts.text("fi", "queued", position=1, minutes=5)
    measured = texts.text("fi", "queued", position=1, minutes=1)  # seconds: the 1-minute floor
    async with http_session() as resident_http, http_session(a.url, b.url) as staff_http:
        first = ChatClient(resident_http, a.url)
        await first.connect()
        await first.send("c1", choice="lang:fi")
        await first.send("c2", choice="topic:housing")
        await first.wait_for(lambda: default in first.texts_from("bot"))

        csrf = await sign_in(staff_http, b.url, "anna", PASSWORD)
        async with staff_http.get(f"{b.url}/api/conversations") as response:
            [conversation] = [c["id"] for c in await response.json()]
        async with staff_http.post(
            f"{b.url}/api/conversations/{conversation}/claim", headers={"X-CSRF-Token": csrf}
        ) as response:
            assert response.status == 200

        async with http_session() as second_http:
            second = ChatClient(second_http, a.url)
            await second.connect()
            await second.send("c1", choice="lang:fi")
            await second.send("c2", choice="topic:housing")
            await second.wait_for(lambda: measured in second.texts_from("bot"))
            assert default not in second.texts_from("bot")
            await second.close()
        await first.close()
