"""A consultant on Telegram: the real python-telegram-bot client against the Bot API stand-in
carries the resident's consent question with its buttons, the yes or no pressed on them, the
consultant's reply under their name and organisation, and the button and the phrase that end
the consultant's presence; nobody reads anything before the yes or after the end."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bot.access import Staff
from bot.actions import consultations as consult
from bot.actions import conversations as actions
from bot.app import Service
from bot.commands import Command, command_word
from tests.adapters.telegram_stand_in import BotApiStandIn, Person
from tests.adapters.test_telegram import (
    PollingChat,
    assert_nothing_personal,
    conversation_of,
    log_lines,
    make_adapter,
    person,
    quiet_libraries,
    staff,
    stand_in,
)
from tests.support.consultants import ORGANISATION, consultant, consultation_audit, kept_out

__all__ = ["stand_in"]  # the stand-in fixture, used by name below

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def chat(service: Service, stand_in: BotApiStandIn) -> AsyncIterator[PollingChat]:
    adapter = make_adapter(stand_in)
    service.add_adapter(adapter)
    await adapter.start(service.dispatcher.receive)
    yield PollingChat(service, stand_in, adapter)
    await adapter.stop()


async def held_by_a_counsellor(chat: PollingChat, resident: Person) -> tuple[Staff, str]:
    """Language, topic and a first message by Telegram; a counsellor claims the chat."""
    api = chat.stand_in
    await chat.push(api.text_update(resident, "/start"))
    await chat.push(api.press_update(resident, "lang:fi"))
    await chat.push(api.press_update(resident, "topic:housing"))
    await chat.push(api.text_update(resident, "Vuokra on rästissä zq-rent"))
    counsellor = await staff(chat.service)
    conversation = await conversation_of(chat.service, resident)
    await actions.claim(chat.service.core, counsellor, conversation.id)
    await chat.settle()
    return counsellor, conversation.id


def buttons(params: dict[str, object]) -> list[str]:
    """Every button of a sent message, whatever its rows."""
    markup = params.get("reply_markup") or {}
    assert isinstance(markup, dict)
    return [button["callback_data"] for row in markup.get("inline_keyboard", []) for button in row]


def text(service: Service, key: str, **params: object) -> str:
    return str(service.core.texts.text("fi", key, **params))


async def test_the_resident_agrees_with_a_button_talks_with_the_consultant_and_ends_it(
    chat: PollingChat, service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    quiet_libraries()
    api, resident = chat.stand_in, person()
    with caplog.at_level(logging.DEBUG):
        counsellor, conversation = await held_by_a_counsellor(chat, resident)
        guest = await consultant(service.core)
        invited = await consult.invite(
            service.core, counsellor, conversation, consultant_id=guest.user_id, purpose="debt"
        )
        await chat.settle()
        question = api.sent_to(resident)[-1]
        purpose = text(service, "consult_purpose_debt")
        assert question["text"] == text(
            service, "consult_question", name="Veli", organisation=ORGANISATION, purpose=purpose
        )
        assert buttons(question) == ["consult:yes", "consult:no"]
        assert await kept_out(service.core, guest, invited.id)

        await chat.push(api.press_update(resident, "consult:yes"))
        agreed = api.sent_to(resident)[-1]
        assert agreed["text"] == text(service, "consult_agreed")
        assert buttons(agreed) == ["consult:end"]
        await chat.push(api.text_update(resident, "Velkoja on noin 3000 euroa"))
        seen = [m.text for m in (await consult.read(service.core, guest, invited.id)).messages]
        assert "Velkoja on noin 3000 euroa" in seen
        assert "Vuokra on rästissä zq-rent" not in seen

        await consult.reply(service.core, guest, invited.id, "Autan mielelläni zq-reply.")
        await chat.settle()
        assert api.texts_to(resident)[-1] == f"Veli ({ORGANISATION}): Autan mielelläni zq-reply."

        await chat.push(api.press_update(resident, "consult:end"))
        assert api.texts_to(resident)[-1] == text(service, "consult_ended")
        assert await kept_out(service.core, guest, invited.id)
    assert await consultation_audit(service.core) == [
        ("create", "consultation debt: invited"),
        ("consent", "consultation debt: agreed"),
        ("disclose", "debt"),
        ("update", "consultation ended: resident"),
    ]
    await assert_nothing_personal(service, log_lines(caplog), resident)


async def test_a_no_keeps_the_consultant_out_and_a_stale_yes_lets_nobody_in(
    chat: PollingChat, service: Service
) -> None:
    api, resident = chat.stand_in, person(700555111, "b")
    counsellor, conversation = await held_by_a_counsellor(chat, resident)
    guest = await consultant(service.core)
    invited = await consult.invite(
        service.core, counsellor, conversation, consultant_id=guest.user_id, purpose="income"
    )
    await chat.settle()
    await chat.push(api.press_update(resident, "consult:no"))
    assert api.texts_to(resident)[-1] == text(service, "consult_declined")
    await chat.push(api.text_update(resident, "Kerron lisää"))
    assert await kept_out(service.core, guest, invited.id)
    await chat.push(api.press_update(resident, "consult:yes"))
    assert await kept_out(service.core, guest, invited.id)
    assert await consultation_audit(service.core) == [
        ("create", "consultation income: invited"),
        ("consent", "consultation income: refused"),
    ]


async def test_the_phrase_typed_in_telegram_ends_the_consultants_presence(
    chat: PollingChat, service: Service
) -> None:
    api, resident = chat.stand_in, person(700555222, "c")
    counsellor, conversation = await held_by_a_counsellor(chat, resident)
    guest = await consultant(service.core)
    invited = await consult.invite(
        service.core, counsellor, conversation, consultant_id=guest.user_id, purpose="health"
    )
    await chat.settle()
    await chat.push(api.press_update(resident, "consult:yes"))
    assert (await consult.read(service.core, guest, invited.id)).messages
    await chat.push(api.text_update(resident, command_word("fi", Command.END_CONSULT)))
    assert api.texts_to(resident)[-1] == text(service, "consult_ended")
    assert await kept_out(service.core, guest, invited.id)
    # The chat with the counsellor goes on.
    await actions.reply(service.core, counsellor, conversation, "Jatketaan zq-reply")
    await chat.settle()
    assert api.texts_to(resident)[-1] == "Tiina: Jatketaan zq-reply"
