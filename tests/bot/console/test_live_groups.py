"""The console websocket and group sessions: only a session's moderators may watch it.

Moderator membership is checked again on every frame, so a colleague taken off a session stops
getting its events at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from bot.access import Staff
from bot.groups import moderation
from bot.groups.sessions import SessionDraft, create_session
from bot.groups.tables import GroupSession
from tests.support.chat import Harness

from .helpers import login, waiting_conversation

Client = TestClient[Any, Any]


async def _session(harness: Harness, staff: Staff) -> GroupSession:
    now = datetime.now(UTC)
    return await create_session(
        harness.core,
        staff,
        SessionDraft(
            title="Kahvila",
            description="",
            language="fi",
            topic_id="other",
            starts_at=now + timedelta(minutes=5),
            ends_at=now + timedelta(hours=1),
            capacity=5,
            channels=("test",),
        ),
    )


async def test_a_counsellor_who_does_not_moderate_a_session_may_not_watch_it(
    harness: Harness, client: Client
) -> None:
    anna = await harness.staff("anna")
    await harness.staff("ben")
    group = await _session(harness, anna)
    await login(client, "ben")
    ws = await client.ws_connect("/console/ws")
    await ws.receive_json()
    await ws.send_json({"type": "watch", "group": group.id})
    assert await ws.receive_json() == {"type": "error", "code": "forbidden"}
    await ws.close()


async def test_a_moderator_taken_off_a_session_stops_seeing_its_events(
    harness: Harness, client: Client
) -> None:
    anna = await harness.staff("anna")
    sari = await harness.staff("sari", role="supervisor")
    group = await _session(harness, anna)
    await login(client, "anna")
    ws = await client.ws_connect("/console/ws")
    await ws.receive_json()
    await ws.send_json({"type": "watch", "group": group.id})
    assert await ws.receive_json() == {"type": "watching", "group": group.id}

    await moderation.pin_agenda(harness.core, sari, group.id, "Tervetuloa")
    frame = await ws.receive_json(timeout=5)
    assert (frame["topic"], frame["kind"]) == (f"group:{group.id}", "group.agenda")

    async with harness.core.database.session() as session:
        stored = await session.get(GroupSession, group.id)
        assert stored is not None
        stored.moderators = [sari.user_id]
        session.add(stored)
        await session.commit()
    await ws.send_json({"type": "ping"})
    assert (await ws.receive_json())["type"] == "pong"

    await moderation.pin_agenda(harness.core, sari, group.id, "Uusi")
    conversation = await waiting_conversation(harness)
    while True:
        frame = await ws.receive_json(timeout=5)
        assert not frame.get("topic", "").startswith("group:"), frame
        if frame.get("payload", {}).get("conversation") == conversation:
            break
    await ws.close()
