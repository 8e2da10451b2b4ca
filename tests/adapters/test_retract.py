"""Retraction of single messages (a moderator removed them) on Telegram and the web chat.

Unlike erasure, the conversation carries on: Telegram deletes just those messages, ignoring
refusals (counted in the log); the web chat tells the page to take them off the screen.
"""

from __future__ import annotations

import logging

import pytest

from adapters.telegram import TelegramAdapter
from bot.actions import conversations as actions
from bot.events import DeliveryId, Outbound, ReplyAddress
from tests.adapters.conftest import WebChat, conversation_of, counsellor
from tests.adapters.telegram_stand_in import BotApiStandIn, Person
from tests.adapters.test_telegram import make_adapter, person, stand_in
from tests.adapters.test_webchat import triaged

__all__ = ["stand_in"]  # the stand-in fixture, used by name below


async def _send(adapter: TelegramAdapter, resident: Person, outbound: Outbound) -> DeliveryId:
    return await adapter.send(ReplyAddress(str(resident.user_id)), outbound)


async def test_telegram_deletes_just_the_retracted_messages_and_sends_the_notice(
    stand_in: BotApiStandIn,
) -> None:
    adapter = make_adapter(stand_in)
    resident = person(700123456)
    kept = await _send(adapter, resident, Outbound("o1", "Ensimmäinen"))
    removed = await _send(adapter, resident, Outbound("o2", "Poistettava"))
    await _send(
        adapter,
        resident,
        Outbound("o3", "Viesti poistettiin", retract=(removed, DeliveryId("in:u1:m9"))),
    )
    deleted = {message_id for _, message_id in stand_in.deleted}
    assert deleted == {int(removed)}
    assert int(kept) not in deleted
    assert stand_in.texts_to(resident)[-1] == "Viesti poistettiin"
    await adapter._bot.shutdown()


async def test_telegram_ignores_a_refused_retraction_and_counts_it_in_the_log(
    stand_in: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    adapter = make_adapter(stand_in)
    resident = person(700123457, "b")
    old = await _send(adapter, resident, Outbound("o1", "Vanha"))
    stand_in.undeletable.add(int(old))
    caplog.set_level(logging.INFO)
    await _send(adapter, resident, Outbound("o2", "Viesti poistettiin", retract=(old,)))
    assert stand_in.texts_to(resident)[-1] == "Viesti poistettiin"
    counted = [
        getattr(r, "fields", {}) for r in caplog.records if r.getMessage() == "telegram.retracted"
    ]
    assert counted == [{"messages": 1, "failed": 1}]
    await adapter._bot.shutdown()


async def test_the_web_chat_tells_the_page_to_remove_retracted_messages(webchat: WebChat) -> None:
    resident, token = await triaged(webchat)
    tiina = await counsellor(webchat.service, "tiina", "Tiina")
    conversation = await conversation_of(webchat.service, token)
    await actions.claim(webchat.service.core, tiina, conversation.id)
    await resident.next_of("joined", display_name="Tiina")
    address = ReplyAddress(next(iter(webchat.adapter._sessions)))
    await webchat.adapter.send(
        address,
        Outbound("o9", "Viesti poistettiin", retract=(DeliveryId("m1"), DeliveryId("in:x"))),
    )
    frame = await resident.next_of("retract")
    assert frame == {"type": "retract", "ids": ["m1"]}
    notice = await resident.next_of("message")
    assert notice["text"] == "Viesti poistettiin"
