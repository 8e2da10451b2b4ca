"""Quick exit ends the contact (issue 20, point 4): the web chat's `leave` frame, end to end
through the real service: the conversation leaves the queue, the console hears it at once, a
claim or a reply is refused as "resident_left", and the statistics count it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.actions import conversations as actions
from bot.app import Service
from bot.conversation import RESIDENT_LEFT, State
from bot.errors import STATUS
from bot.hub import HubEvent
from bot.hub_topics import conversation_topic
from bot.officer.stats import gather_statistics
from bot.store.tables import Conversation
from tests.adapters.conftest import DEADLINE_SECONDS, WebChat, conversation_of, counsellor
from tests.adapters.test_webchat import triaged


async def left(service: Service, token: str) -> Conversation:
    """The resident's conversation once the core has closed it (polled with a deadline)."""
    async with asyncio.timeout(DEADLINE_SECONDS):
        while True:
            conversation = await conversation_of(service, token)
            if conversation.state == State.CLOSED:
                return conversation
            await asyncio.sleep(0.02)


async def test_a_resident_who_leaves_quickly_leaves_the_queue_and_cannot_be_claimed(
    webchat: WebChat,
) -> None:
    service = webchat.service
    resident, token = await triaged(webchat, lang="en")
    waiting = await conversation_of(service, token)
    assert waiting.state == State.QUEUED
    await resident.send({"type": "leave"})
    await resident.socket.close()

    conversation = await left(service, token)
    assert conversation.close_outcome == RESIDENT_LEFT
    tiina = await counsellor(service, "tiina", "Tiina")
    with pytest.raises(actions.ActionError) as refused:
        await actions.claim(service.core, tiina, conversation.id)
    assert refused.value.code == "resident_left" and refused.value.status == STATUS["resident_left"]
    # Counted with the outcomes the officer's statistics show.
    statistics = await gather_statistics(service.core)
    assert statistics.outcomes.get(RESIDENT_LEFT) is not None


async def test_a_reply_after_the_resident_left_is_refused_and_the_console_hears_it_at_once(
    webchat: WebChat,
) -> None:
    service = webchat.service
    resident, token = await triaged(webchat, lang="en")
    tiina = await counsellor(service, "tiina", "Tiina")
    conversation = await conversation_of(service, token)
    await actions.claim(service.core, tiina, conversation.id)
    await actions.reply(service.core, tiina, conversation.id, "Hello, I am here.")

    events: list[HubEvent] = []
    with service.core.hub.subscribe({conversation_topic(conversation.id)}) as subscription:
        await resident.send({"type": "leave"})
        async with asyncio.timeout(DEADLINE_SECONDS):
            while not any(e.kind == "conversation.closed" for e in events):
                events.append(await subscription.queue.get())
    closed = next(e for e in events if e.kind == "conversation.closed")
    assert closed.payload == {"conversation": conversation.id, "reason": "left"}

    assert (await left(service, token)).close_outcome == RESIDENT_LEFT
    with pytest.raises(actions.ActionError) as refused:
        await actions.reply(service.core, tiina, conversation.id, "Are you still there?")
    assert refused.value.code == "resident_left" and refused.value.status == 409
    assert "left" in refused.value.message


async def test_leave_is_answered_by_nothing_and_a_new_message_starts_afresh(
    webchat: WebChat,
) -> None:
    service = webchat.service
    resident, token = await triaged(webchat, lang="en")
    first = await conversation_of(service, token)
    await resident.send({"type": "leave"})
    await left(service, token)
    # No frame answers `leave` (the page is gone); the socket stays usable for the protocol.
    await resident.send({"type": "message", "text": "hello again", "client_id": "again"})
    await resident.next_of("delivered", client_id="again")
    assert not [f for f in resident.received if f["type"] == "error"]
    assert (await conversation_of(service, token)).id != first.id


def test_the_protocol_document_names_the_leave_frame() -> None:
    from tests.adapters.test_webchat import PROTOCOL_DOC

    document: Any = PROTOCOL_DOC.read_text(encoding="utf-8")
    assert "| `leave` |" in document
