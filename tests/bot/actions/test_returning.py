"""A returning resident: asked once in their language, the counsellor sees earlier chats only
with consent (read redacted and audited), withdrawn by a command, erased with everything."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.actions import conversations as actions
from bot.actions.returning import earlier_conversations, read_earlier
from bot.commands import Command, command_word
from bot.conversation import State
from bot.errors import ActionError
from bot.jobs import retention
from bot.store import returning
from bot.store.tables import AuditRow, Conversation
from privacy.pseudonym import pseudonymise
from tests.support.chat import Harness, Resident

pytestmark = pytest.mark.asyncio


def _pseudonym(harness: Harness, resident: Resident) -> str:
    return pseudonymise(harness.core.keyring.pepper, "test", resident.sender_id)


async def _conversations(harness: Harness, resident: Resident) -> list[Conversation]:
    async with harness.core.database.session() as session:
        rows = await session.execute(
            select(Conversation)
            .where(Conversation.pseudonym == _pseudonym(harness, resident))
            .order_by(Conversation.created_at)  # type: ignore[arg-type]
        )
        return list(rows.scalars())


async def _decision(harness: Harness, resident: Resident) -> bool | None:
    async with harness.core.database.session() as session:
        return await returning.decision(session, _pseudonym(harness, resident))


async def _chat(resident: Resident, text: str = "", language: str = "fi") -> None:
    await resident.write("hei")
    await resident.press(f"lang:{language}")
    await resident.press("topic:housing")
    if text:
        await resident.write(text)


async def test_a_first_contact_is_never_asked(harness: Harness) -> None:
    resident = harness.resident("first-time")
    await _chat(resident, "Asuntoasia")
    texts = harness.core.texts
    assert texts.text("fi", "returning_question") not in resident.texts()
    assert await _decision(harness, resident) is None


@pytest.mark.parametrize("language", ["sv", "ar"])
async def test_a_resident_who_comes_back_is_asked_once_in_their_language(
    harness: Harness, language: str
) -> None:
    texts = harness.core.texts
    resident = harness.resident(f"back-{language}")
    await _chat(resident, "Första gången", language)
    await resident.write(command_word(language, Command.END))
    await _chat(resident, language=language)
    assert resident.last().text == texts.text(language, "returning_question")
    assert resident.choices() == ["returning:yes", "returning:no"]
    await resident.press("returning:yes")
    assert resident.last().text == texts.text(language, "returning_agreed")
    assert await _decision(harness, resident) is True
    # The third time nobody asks again.
    await resident.write(command_word(language, Command.END))
    before = len(resident.texts())
    await _chat(resident, "Tredje gången", language)
    assert texts.text(language, "returning_question") not in resident.new_since(before)


async def test_the_counsellor_sees_earlier_chats_only_after_yes(harness: Harness) -> None:
    resident = harness.resident("consents")
    counsellor = await harness.staff("riikka", display_name="Riikka")
    await _chat(resident, "Vuokra on rästissä, soita 040 765 4321")
    first = (await _conversations(harness, resident))[0]
    await actions.claim(harness.core, counsellor, first.id)
    await actions.close(harness.core, counsellor, first.id, outcome="advice_given", tags=[])
    await resident.press("rating:skip")
    await resident.press("helped:skip")

    await _chat(resident)
    current = (await _conversations(harness, resident))[-1]
    assert current.id != first.id and current.state == State.QUEUED
    before = await earlier_conversations(harness.core, counsellor, current.id)
    assert (before.agreed, before.earlier) == (False, ())
    with pytest.raises(ActionError) as refused:
        await read_earlier(harness.core, counsellor, current.id, first.id)
    assert refused.value.code == "forbidden"

    await resident.write("1")  # the typed number of "yes" on a platform without buttons
    found = await earlier_conversations(harness.core, counsellor, current.id)
    assert found.agreed and [e.id for e in found.earlier] == [first.id]
    transcript = await read_earlier(harness.core, counsellor, current.id, first.id)
    lines = [m.text for m in transcript.messages if m.author == "resident"]
    assert "Vuokra on rästissä, soita [PHONE]" in lines
    assert transcript.pii_items == ()  # hidden items stay hidden here
    async with harness.core.database.session() as session:
        reads = (
            await session.execute(
                select(AuditRow).where(AuditRow.action == "read", AuditRow.object_id == first.id)
            )
        ).scalars()
        purposes = [row.purpose for row in reads]
        consents = (
            await session.execute(select(AuditRow).where(AuditRow.action == "consent"))
        ).scalars()
        consent_purposes = [row.purpose for row in consents]
    assert purposes == [f"returning resident, with consent; from {current.id}"]
    assert "earlier chats shown to counsellors: agreed" in consent_purposes

    # Another resident's conversation cannot be read through this one.
    stranger = harness.resident("stranger")
    await _chat(stranger, "Muu asia")
    other = (await _conversations(harness, stranger))[0]
    with pytest.raises(ActionError) as gone:
        await read_earlier(harness.core, counsellor, current.id, other.id)
    assert gone.value.code == "not_found"


async def test_forget_me_withdraws_and_remember_me_gives_consent(harness: Harness) -> None:
    resident = harness.resident("changes-mind")
    counsellor = await harness.staff("kalle")
    await _chat(resident, "Eka")
    await resident.write("lopeta")
    await _chat(resident, "Toka")
    await resident.press("returning:no")
    texts = harness.core.texts
    assert resident.last().text == texts.text("fi", "returning_declined")
    assert await _decision(harness, resident) is False
    await resident.write("muista minut")
    assert resident.last().text == texts.text("fi", "returning_agreed")
    current = (await _conversations(harness, resident))[-1]
    assert (await earlier_conversations(harness.core, counsellor, current.id)).agreed
    await resident.write("unohda minut")
    assert await _decision(harness, resident) is False
    assert not (await earlier_conversations(harness.core, counsellor, current.id)).agreed
    # The commands are not stored as messages to the counsellor.
    transcript = await actions.read(harness.core, counsellor, current.id)
    assert "muista minut" not in [m.text for m in transcript.messages]


async def test_delete_my_data_erases_the_answer_with_every_conversation(
    harness: Harness,
) -> None:
    resident = harness.resident("erases")
    await _chat(resident, "Eka")
    await resident.write("lopeta")
    await _chat(resident, "Toka")
    await resident.press("returning:yes")
    assert len(await _conversations(harness, resident)) == 2
    await resident.write("poista tietoni")
    assert await _conversations(harness, resident) == []
    assert await _decision(harness, resident) is None


async def test_retention_forgets_the_answer_once_no_conversation_is_kept(
    harness: Harness,
) -> None:
    resident = harness.resident("expires")
    await _chat(resident, "Eka")
    await resident.write("lopeta")
    await _chat(resident, "Toka")
    await resident.press("returning:yes")
    await resident.write("lopeta")
    kept = harness.resident("still-here")
    await _chat(kept, "Eka")
    await kept.write("lopeta")
    await _chat(kept, "Toka")
    await kept.press("returning:yes")  # still open: kept
    await retention(harness.core, apply=True, now=harness.core.now() + timedelta(days=31))
    assert await _conversations(harness, resident) == []
    assert await _decision(harness, resident) is None
    assert await _decision(harness, kept) is True
