"""A consultant's console socket follows a conversation only while the resident has them in
the chat: no watch before the yes or of another conversation, events (ids only) while joined,
and `watch_ended` as soon as they are sent away."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import ClientWebSocketResponse
from aiohttp.test_utils import TestClient

from bot.access import Staff
from bot.actions import consultations as consult
from bot.actions import conversations as actions
from tests.support.chat import Harness, Resident

from .helpers import login, waiting_conversation

Client = TestClient[Any, Any]


async def consultant(harness: Harness) -> Staff:
    admin = await harness.staff("ada", role="admin", queues=())
    mira = await harness.staff("mira", role="consultant", queues=(), display_name="Mira")
    await consult.set_consultant_account(
        harness.core,
        admin,
        mira.user_id,
        organisation="Velkaneuvonta ry",
        valid_until=harness.core.now() + timedelta(days=7),
    )
    return mira


async def asks(ws: ClientWebSocketResponse, conversation: str) -> dict[str, Any]:
    await ws.send_json({"type": "watch", "conversation": conversation})
    answer: dict[str, Any] = await ws.receive_json(timeout=5)
    return answer


async def until(ws: ClientWebSocketResponse, kind: str) -> list[dict[str, Any]]:
    frames = []
    while True:
        frame = await ws.receive_json(timeout=5)
        frames.append(frame)
        if frame["type"] == kind:
            return frames


async def test_a_consultant_follows_only_while_the_resident_has_them_in_the_chat(
    harness: Harness, client: Client
) -> None:
    anna = await harness.staff("anna")
    mira = await consultant(harness)
    conversation = await waiting_conversation(harness)
    other = await waiting_conversation(harness, "another resident")
    await actions.claim(harness.core, anna, conversation)
    invited = await consult.invite(
        harness.core, anna, conversation, consultant_id=mira.user_id, purpose="debt"
    )
    await harness.deliver()
    resident: Resident = harness.resident("resident")

    await login(client, "mira")
    ws = await client.ws_connect("/console/ws")
    assert (await ws.receive_json())["type"] == "hello"
    assert await asks(ws, conversation) == {"type": "error", "code": "forbidden"}  # no yes yet
    await resident.press("consult:yes")
    assert await asks(ws, conversation) == {"type": "watching", "conversation": conversation}
    assert await asks(ws, other) == {"type": "error", "code": "forbidden"}

    await resident.write("Velkaa on paljon")
    frames = await until(ws, "event")
    assert frames[-1]["topic"] == f"conversation:{conversation}"
    assert "Velkaa" not in str(frames)  # ids only; the text comes through the audited read

    await consult.remove(harness.core, anna, conversation, invited.id)
    frames = await until(ws, "watch_ended")
    assert frames[-1] == {
        "type": "watch_ended",
        "conversation": conversation,
        "reason": "not_joined",
    }
    await resident.write("Vielä yksi asia")
    await ws.send_json({"type": "ping"})
    assert await ws.receive_json(timeout=5) == {"type": "pong"}  # nothing of the chat before it
    await ws.close()
