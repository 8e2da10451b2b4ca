"""A consultant on Telegram: the real python-telegram-bot client against the Bot API stand-in
carries the resident's consent question with its buttons, the yes or no pressed on them, the
consultant's reply under their name and organisation, and the button and the phrase that end
the consultant's presence; nobody reads anything before the yes or after the end."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.access import Staff
from bot.actions import consultations as consult
from bot.actions import conversations as actions
from bot.actions.context import SYSTEM
from bot.actions.users import create_user
from bot.app import Service
from bot.commands import Command, command_word
from bot.errors import ActionError
from bot.roles import Role
from bot.store.tables import AuditRow
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

__all__ = ["stand_in"]  # the stand-in fixture, used by name below

pytestmark = pytest.mark.asyncio

ORGANISATION = "Velkaneuvonta ry"


@pytest.fixture
async def chat(service: Service, stand_in: BotApiStandIn) -> AsyncIterator[PollingChat]:
    adapter = make_adapter(stand_in)
    service.add_adapter(adapter)
    await adapter.start(service.dispatcher.receive)
    yield PollingChat(service, stand_in, adapter)
    await adapter.stop()


async def consultant(service: Service) -> Staff:
    core = service.core
    admin = await create_user(
        core, SYSTEM, username="admin", role=Role.ADMIN, password="a long test password"
    )
    user = await create_user(
        core,
        SYSTEM,
        username="veli",
        role=Role.CONSULTANT,
        password="a long test password",
        display_name="Veli",
    )
    await consult.set_consultant_account(
        core,
        Staff.of(admin, []),
        user.id,
        organisation=ORGANISATION,
        valid_until=core.now() + timedelta(days=30),
    )
    return Staff.of(user, [])


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


async def forbidden(service: Service, staff_: Staff, consultation: str) -> bool:
    try:
        await consult.read(service.core, staff_, consultation)
    except ActionError as refused:
        return refused.code == "forbidden"
    return False


async def consultation_audit(service: Service) -> list[tuple[str, str]]:
    async with service.core.database.session() as session:
        rows = await session.execute(
            select(AuditRow)
            .where(AuditRow.object_type == "consultation")
            .order_by(col(AuditRow.seq))
        )
        return [(r.action, r.purpose) for r in rows.scalars()]


async def test_the_resident_agrees_with_a_button_talks_with_the_consultant_and_ends_it(
    chat: PollingChat, service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    quiet_libraries()
    api, resident = chat.stand_in, person()
    with caplog.at_level(logging.DEBUG):
        counsellor, conversation = await held_by_a_counsellor(chat, resident)
        guest = await consultant(service)
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
        assert await forbidden(service, guest, invited.id)

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
        assert await forbidden(service, guest, invited.id)
    assert await consultation_audit(service) == [
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
    guest = await consultant(service)
    invited = await consult.invite(
        service.core, counsellor, conversation, consultant_id=guest.user_id, purpose="income"
    )
    await chat.settle()
    await chat.push(api.press_update(resident, "consult:no"))
    assert api.texts_to(resident)[-1] == text(service, "consult_declined")
    await chat.push(api.text_update(resident, "Kerron lisää"))
    assert await forbidden(service, guest, invited.id)
    await chat.push(api.press_update(resident, "consult:yes"))
    assert await forbidden(service, guest, invited.id)
    assert await consultation_audit(service) == [
        ("create", "consultation income: invited"),
        ("consent", "consultation income: refused"),
    ]


async def test_the_phrase_typed_in_telegram_ends_the_consultants_presence(
    chat: PollingChat, service: Service
) -> None:
    api, resident = chat.stand_in, person(700555222, "c")
    counsellor, conversation = await held_by_a_counsellor(chat, resident)
    guest = await consultant(service)
    invited = await consult.invite(
        service.core, counsellor, conversation, consultant_id=guest.user_id, purpose="health"
    )
    await chat.settle()
    await chat.push(api.press_update(resident, "consult:yes"))
    assert (await consult.read(service.core, guest, invited.id)).messages
    await chat.push(api.text_update(resident, command_word("fi", Command.END_CONSULT)))
    assert api.texts_to(resident)[-1] == text(service, "consult_ended")
    assert await forbidden(service, guest, invited.id)
    # The chat with the counsellor goes on.
    await actions.reply(service.core, counsellor, conversation, "Jatketaan zq-reply")
    await chat.settle()
    assert api.texts_to(resident)[-1] == "Tiina: Jatketaan zq-reply"
