"""The console websocket re-checks access on every event of a watched conversation.

A watch is granted under the rule of `bot.actions.context`; when the rule stops allowing it (a
colleague claims the conversation, it moves to another queue, it is erased) the socket sends
`watch_ended` with a reason code and forwards none of that conversation's events any more.
"""

from __future__ import annotations

from typing import Any

from aiohttp import ClientWebSocketResponse
from aiohttp.test_utils import TestClient

from tests.support.chat import Harness

from .helpers import headers, login, waiting_conversation
from .test_blocks import second_queue

Client = TestClient[Any, Any]


async def watching(client: Client, conversation: str) -> ClientWebSocketResponse:
    ws = await client.ws_connect("/console/ws")
    assert (await ws.receive_json())["type"] == "hello"
    await ws.send_json({"type": "watch", "conversation": conversation})
    assert await ws.receive_json() == {"type": "watching", "conversation": conversation}
    return ws


async def frames_until_queued(ws: ClientWebSocketResponse, marker: str) -> list[dict[str, Any]]:
    """Every frame up to the staff event saying `marker` was queued (events arrive in order)."""
    frames = []
    while True:
        frame = await ws.receive_json(timeout=5)
        frames.append(frame)
        payload = frame.get("payload", {})
        if frame.get("kind") == "conversation.queued" and payload.get("conversation") == marker:
            return frames


def about(frames: list[dict[str, Any]], conversation: str) -> list[dict[str, Any]]:
    return [f for f in frames if f.get("topic") == f"conversation:{conversation}"]


async def test_a_watch_taken_before_a_colleagues_claim_ends_and_forwards_nothing_more(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    await harness.staff("ben")
    conversation = await waiting_conversation(harness)
    await login(client, "anna")
    ws = await watching(client, conversation)

    other = TestClient(client.server)
    try:
        csrf = await login(other, "ben")
        claimed = await other.post(
            f"/api/conversations/{conversation}/claim", headers=headers(csrf)
        )
        assert claimed.status == 200
    finally:
        await other.session.close()
    await harness.resident("resident").write("toinen viesti")
    marker = await waiting_conversation(harness, "later")

    frames = await frames_until_queued(ws, marker)
    ended = [f for f in frames if f["type"] == "watch_ended"]
    assert ended == [
        {"type": "watch_ended", "conversation": conversation, "reason": "claimed_by_other"}
    ]
    # Nothing of the conversation after the claim: not the resident's message, not the bot's.
    after = frames[frames.index(ended[0]) :]
    assert about(after, conversation) == []
    await ws.close()


async def test_the_counsellor_who_claims_keeps_receiving_the_conversations_events(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    conversation = await waiting_conversation(harness)
    csrf = await login(client, "anna")
    ws = await watching(client, conversation)
    await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    await harness.resident("resident").write("toinen viesti")
    marker = await waiting_conversation(harness, "later")

    frames = await frames_until_queued(ws, marker)
    assert not [f for f in frames if f["type"] == "watch_ended"]
    kinds = [f["kind"] for f in about(frames, conversation)]
    assert kinds.count("message.created") >= 2  # the bot's notice of the claim, the resident's
    await ws.close()


async def test_a_watch_ends_when_the_conversation_moves_to_a_queue_the_user_does_not_work_in(
    harness: Harness, client: Client
) -> None:
    await second_queue(harness)
    await harness.staff("anna")
    conversation = await waiting_conversation(harness)
    csrf = await login(client, "anna")
    await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    ws = await watching(client, conversation)
    moved = await client.post(
        f"/api/conversations/{conversation}/transfer",
        json={"queue": "nuoret"},
        headers=headers(csrf),
    )
    assert moved.status == 200
    await harness.resident("resident").write("vielä yksi")
    marker = await waiting_conversation(harness, "later")

    frames = await frames_until_queued(ws, marker)
    ended = [f for f in frames if f["type"] == "watch_ended"]
    assert ended == [{"type": "watch_ended", "conversation": conversation, "reason": "other_queue"}]
    assert about(frames[frames.index(ended[0]) :], conversation) == []
    await ws.close()


async def test_a_watch_of_an_erased_conversation_ends_as_gone(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    conversation = await waiting_conversation(harness)
    await login(client, "anna")
    ws = await watching(client, conversation)
    await harness.resident("resident").write("/delete")
    while True:
        frame = await ws.receive_json(timeout=5)
        assert frame.get("topic") != f"conversation:{conversation}", frame
        if frame["type"] == "watch_ended":
            assert frame == {"type": "watch_ended", "conversation": conversation, "reason": "gone"}
            break
    await ws.close()
