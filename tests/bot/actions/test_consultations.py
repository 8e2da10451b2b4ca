"""A consultant in a conversation: joins only on the resident's yes, sees only what is written
from then on, is sent away by the resident's phrase or button, the counsellor, the closing or
the account's end date; every step audited without personal data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.access import Staff
from bot.actions import auth
from bot.actions import consultations as consult
from bot.actions import conversations as actions
from bot.actions.context import unit_of_work
from bot.commands import Command, command_word
from bot.errors import ActionError, ServiceError
from bot.store.consultations import Consultation
from bot.store.tables import AuditRow, Conversation
from tests.support.chat import Harness, Resident

pytestmark = pytest.mark.asyncio

ORGANISATION = "Velkaneuvonta ry"
PASSWORD = "a long test password"


async def _consultant(harness: Harness, username: str = "veli", *, days: int = 30) -> Staff:
    admin = await harness.staff(f"admin-{username}", role="admin", queues=())
    staff = await harness.staff(username, role="consultant", queues=(), display_name="Veli")
    await consult.set_consultant_account(
        harness.core,
        admin,
        staff.user_id,
        organisation=ORGANISATION,
        valid_until=harness.core.now() + timedelta(days=days),
    )
    return staff


async def _active_chat(
    harness: Harness, name: str, language: str = "fi", first: str = "Vuokra on rästissä"
) -> tuple[Resident, Staff, Conversation]:
    resident = harness.resident(name)
    await resident.write("hei")
    await resident.press(f"lang:{language}")
    await resident.press("topic:housing")
    await resident.write(first)
    counsellor = await harness.staff(f"counsellor-{name}", display_name="Riikka")
    async with harness.core.database.session() as session:
        rows = await session.execute(select(Conversation).where(Conversation.state == "queued"))
        conversation = rows.scalars().one()
    await actions.claim(harness.core, counsellor, conversation.id)
    await harness.deliver()
    return resident, counsellor, conversation


async def _audit(harness: Harness, object_type: str = "consultation") -> list[AuditRow]:
    async with harness.core.database.session() as session:
        rows = await session.execute(
            select(AuditRow).where(AuditRow.object_type == object_type).order_by(col(AuditRow.seq))
        )
        return list(rows.scalars())


async def _forbidden(harness: Harness, staff: Staff, consultation: str) -> str:
    with pytest.raises(ActionError) as refused:
        await consult.read(harness.core, staff, consultation)
    return refused.value.code


async def test_a_consultant_sees_nothing_before_yes_and_nothing_from_before_joining(
    harness: Harness,
) -> None:
    resident, counsellor, conversation = await _active_chat(harness, "agrees")
    await actions.note(harness.core, counsellor, conversation.id, "Sisäinen muistiinpano")
    consultant = await _consultant(harness)
    invited = await consult.invite(
        harness.core, counsellor, conversation.id, consultant_id=consultant.user_id, purpose="debt"
    )
    await harness.deliver()
    texts = harness.core.texts
    purpose = texts.text("fi", "consult_purpose_debt")
    question = texts.text(
        "fi", "consult_question", name="Veli", organisation=ORGANISATION, purpose=purpose
    )
    assert resident.last().text == question
    assert resident.choices() == ["consult:yes", "consult:no"]
    assert await _forbidden(harness, consultant, invited.id) == "forbidden"
    with pytest.raises(ActionError):
        await consult.reply(harness.core, consultant, invited.id, "Hei, olen Veli")

    await resident.press("consult:yes")
    assert resident.last().text == texts.text("fi", "consult_agreed")
    assert resident.choices() == ["consult:end"]
    await resident.write("Velkoja on noin 3000 euroa")
    transcript = await consult.read(harness.core, consultant, invited.id)
    said = [m.text for m in transcript.messages]
    assert "Velkoja on noin 3000 euroa" in said
    assert "Vuokra on rästissä" not in said
    assert "Sisäinen muistiinpano" not in said
    assert transcript.consultation.id == invited.id
    joined = min(m.created_at for m in transcript.messages)
    assert all(m.created_at >= joined for m in transcript.messages)

    await consult.reply(harness.core, consultant, invited.id, "Autan mielelläni.")
    await harness.deliver()
    assert resident.last().text == "Autan mielelläni."
    assert resident.last().display_name == f"Veli ({ORGANISATION})"

    records = await _audit(harness)
    assert [(r.action, r.purpose) for r in records] == [
        ("create", "consultation debt: invited"),
        ("consent", "consultation debt: agreed"),
        ("disclose", "debt"),
    ]
    disclosure = records[-1]
    assert (disclosure.recipient, disclosure.disclosure_basis) == (ORGANISATION, "consent")
    assert disclosure.actor_id == counsellor.user_id
    every = await _audit(harness, "conversation")
    reads = [r for r in every if r.action == "read" and r.actor_id == consultant.user_id]
    assert [(r.outcome, r.purpose) for r in reads] == [
        ("denied", "consultant not let in"),
        ("success", "consultation debt"),
    ]
    for record in [*records, *every]:
        for field in (record.purpose, record.recipient, record.object_id, record.subject_ref):
            assert "Velkoja" not in field and "Veli" not in field and "Vuokra" not in field


async def test_a_refusal_keeps_the_consultant_out_and_is_audited(harness: Harness) -> None:
    resident, counsellor, conversation = await _active_chat(harness, "refuses")
    consultant = await _consultant(harness)
    invited = await consult.invite(
        harness.core,
        counsellor,
        conversation.id,
        consultant_id=consultant.user_id,
        purpose="income",
    )
    await harness.deliver()
    await resident.write("2")  # the typed number of "no" on a platform without buttons
    assert resident.last().text == harness.core.texts.text("fi", "consult_declined")
    await resident.write("Kerron lisää")
    assert await _forbidden(harness, consultant, invited.id) == "forbidden"
    await resident.press("consult:yes")  # a stale yes after the no lets nobody in
    assert await _forbidden(harness, consultant, invited.id) == "forbidden"
    records = await _audit(harness)
    assert [(r.action, r.purpose) for r in records] == [
        ("create", "consultation income: invited"),
        ("consent", "consultation income: refused"),
    ]
    # The counsellor may ask again later, and the resident may then agree.
    again = await consult.invite(
        harness.core,
        counsellor,
        conversation.id,
        consultant_id=consultant.user_id,
        purpose="income",
    )
    await harness.deliver()
    await resident.press("consult:yes")
    assert (await consult.read(harness.core, consultant, again.id)).messages


@pytest.mark.parametrize("language", ["sv", "ar", "uk"])
async def test_the_resident_ends_it_with_the_phrase_in_their_language(
    harness: Harness, language: str
) -> None:
    resident, counsellor, conversation = await _active_chat(harness, f"ends-{language}", language)
    consultant = await _consultant(harness)
    invited = await consult.invite(
        harness.core,
        counsellor,
        conversation.id,
        consultant_id=consultant.user_id,
        purpose="health",
    )
    await harness.deliver()
    await resident.press("consult:yes")
    assert (await consult.read(harness.core, consultant, invited.id)).messages
    await resident.write(command_word(language, Command.END_CONSULT))
    texts = harness.core.texts
    assert resident.last().text == texts.text(language, "consult_ended")
    assert await _forbidden(harness, consultant, invited.id) == "forbidden"
    assert (await _audit(harness))[-1].purpose == "consultation ended: resident"
    # The phrase with no consultant present says so, and the chat goes on.
    await resident.write(command_word(language, Command.END_CONSULT))
    assert resident.last().text == texts.text(language, "consult_none")
    async with harness.core.database.session() as session:
        stored = await session.get(Conversation, conversation.id)
        assert stored is not None and stored.state == "active"


async def test_the_button_the_counsellor_and_the_closing_each_end_it(harness: Harness) -> None:
    resident, counsellor, conversation = await _active_chat(harness, "button")
    consultant = await _consultant(harness)
    core, texts = harness.core, harness.core.texts

    async def joined() -> Consultation:
        found = await consult.invite(
            core, counsellor, conversation.id, consultant_id=consultant.user_id, purpose="other"
        )
        await harness.deliver()
        await resident.press("consult:yes")
        return found

    first = await joined()
    await resident.press("consult:end")
    assert resident.last().text == texts.text("fi", "consult_ended")
    second = await joined()
    await consult.remove(core, counsellor, conversation.id, second.id)
    await harness.deliver()
    assert resident.last().text == texts.text("fi", "consult_left")
    with pytest.raises(ActionError) as twice:
        await consult.remove(core, counsellor, conversation.id, second.id)
    assert twice.value.code == "invalid_state"
    third = await joined()
    await actions.close(core, counsellor, conversation.id, outcome="advice_given", tags=[])
    for ended in (first, second, third):
        assert await _forbidden(harness, consultant, ended.id) == "forbidden"
    ends = [
        (r.action, r.actor_id, r.purpose) for r in await _audit(harness) if r.action == "update"
    ]
    assert ends == [
        ("update", "resident", "consultation ended: resident"),
        ("update", counsellor.user_id, "consultation ended: counsellor"),
        ("update", "system", "consultation ended: closed"),
    ]
    listed = await consult.of_conversation(core, counsellor, conversation.id)
    assert [(c.state, c.ended_by) for c in listed] == [
        ("ended", "resident"),
        ("ended", "counsellor"),
        ("ended", "closed"),
    ]


async def test_an_expired_consultant_account_cannot_read_sign_in_or_stay(
    harness: Harness,
) -> None:
    resident, counsellor, conversation = await _active_chat(harness, "expiry")
    consultant = await _consultant(harness, days=1)
    invited = await consult.invite(
        harness.core,
        counsellor,
        conversation.id,
        consultant_id=consultant.user_id,
        purpose="housing",
    )
    await harness.deliver()
    await resident.press("consult:yes")
    signed_in = await auth.sign_in(harness.core, "veli", PASSWORD, source="127.0.0.1")
    assert (await consult.read(harness.core, consultant, invited.id)).messages

    later = harness.core.now() + timedelta(days=2)
    harness.core.clock = lambda: later
    assert await _forbidden(harness, consultant, invited.id) == "forbidden"
    with pytest.raises(ServiceError) as refused:
        await auth.sign_in(harness.core, "veli", PASSWORD, source="127.0.0.1")
    assert refused.value.code == "invalid_credentials"
    assert await auth.resume(harness.core, signed_in.token) is None
    async with unit_of_work(harness.core) as work:
        with pytest.raises(ActionError):
            await Staff.load(work, consultant.user_id)
    assert await consult.end_expired(harness.core) == 1
    await harness.deliver()
    assert resident.last().text == harness.core.texts.text("fi", "consult_left")
    assert (await _audit(harness))[-1].purpose == "consultation ended: expired"
    assert await consult.end_expired(harness.core) == 0
    # Nor can they be invited again.
    with pytest.raises(ActionError) as gone:
        await consult.invite(
            harness.core,
            counsellor,
            conversation.id,
            consultant_id=consultant.user_id,
            purpose="housing",
        )
    assert gone.value.code == "invalid_input"


async def test_only_the_holder_invites_a_consultant_for_a_listed_purpose(
    harness: Harness,
) -> None:
    _resident, counsellor, conversation = await _active_chat(harness, "rules")
    consultant = await _consultant(harness)
    colleague = await harness.staff("colleague")
    core = harness.core

    async def refused(staff: Staff, consultant_id: str, purpose: str) -> str:
        with pytest.raises(ActionError) as error:
            await consult.invite(
                core, staff, conversation.id, consultant_id=consultant_id, purpose=purpose
            )
        return error.value.code

    assert await refused(counsellor, consultant.user_id, "Velka 3000 e, Matti") == "invalid_input"
    assert await refused(counsellor, colleague.user_id, "debt") == "invalid_input"
    assert await refused(colleague, consultant.user_id, "debt") == "forbidden"
    assert await refused(consultant, consultant.user_id, "debt") == "not_found"
    await consult.invite(
        core, counsellor, conversation.id, consultant_id=consultant.user_id, purpose="debt"
    )
    assert await refused(counsellor, consultant.user_id, "debt") == "invalid_state"
    listed = await consult.consultants(core, counsellor)
    assert [(c.display_name, c.organisation) for c in listed] == [("Veli", ORGANISATION)]
    assert await consult.mine(core, consultant)
    with pytest.raises(ActionError):
        await consult.consultants(core, consultant)


async def test_releasing_the_conversation_sends_the_consultant_away(harness: Harness) -> None:
    resident, counsellor, conversation = await _active_chat(harness, "released")
    consultant = await _consultant(harness)
    invited = await consult.invite(
        harness.core, counsellor, conversation.id, consultant_id=consultant.user_id, purpose="debt"
    )
    await harness.deliver()
    await resident.press("consult:yes")
    await actions.release(harness.core, counsellor, conversation.id)
    await harness.deliver()
    assert resident.last().text == harness.core.texts.text("fi", "consult_left")
    assert await _forbidden(harness, consultant, invited.id) == "forbidden"
    assert (await _audit(harness))[-1].purpose == "consultation ended: released"


async def test_an_organisation_name_with_personal_data_is_refused(harness: Harness) -> None:
    admin = await harness.staff("admin-pii", role="admin", queues=())
    staff = await harness.staff("c-pii", role="consultant", queues=(), display_name="K")
    for name in ("Matti Virtanen", "Neuvonta, puh 040 765 4321"):
        with pytest.raises(ActionError) as refused:
            await consult.set_consultant_account(
                harness.core,
                admin,
                staff.user_id,
                organisation=name,
                valid_until=harness.core.now() + timedelta(days=1),
            )
        assert refused.value.code == "invalid_input"
        assert name not in refused.value.message


async def test_delete_my_data_takes_the_consultation_along(harness: Harness) -> None:
    resident, counsellor, conversation = await _active_chat(harness, "erases")
    consultant = await _consultant(harness)
    invited = await consult.invite(
        harness.core, counsellor, conversation.id, consultant_id=consultant.user_id, purpose="debt"
    )
    await harness.deliver()
    await resident.press("consult:yes")
    await resident.write(command_word("fi", Command.DELETE))
    with pytest.raises(ActionError) as gone:
        await consult.read(harness.core, consultant, invited.id)
    assert gone.value.code == "not_found"
    async with harness.core.database.session() as session:
        assert await session.get(Consultation, invited.id) is None
    assert (await _audit(harness))[-1].purpose == "consultation ended: closed"


async def test_chosen_earlier_messages_are_shown_each_as_an_audited_disclosure(
    harness: Harness,
) -> None:
    resident, counsellor, conversation = await _active_chat(harness, "shares")
    await resident.write("Toinen vanha viesti")
    consultant = await _consultant(harness)
    core = harness.core
    invited = await consult.invite(
        core, counsellor, conversation.id, consultant_id=consultant.user_id, purpose="housing"
    )
    await harness.deliver()
    earlier = {
        m.text: m.id
        for m in (await actions.read(core, counsellor, conversation.id)).messages
        if m.author == "resident"
    }
    first = earlier["Vuokra on rästissä"]

    async def refused(message_ids: list[str]) -> str:
        with pytest.raises(ActionError) as error:
            await consult.share(core, counsellor, conversation.id, invited.id, message_ids)
        return error.value.code

    assert await refused([first]) == "invalid_state"  # no yes yet: nothing is shown
    await resident.press("consult:yes")
    await resident.write("Uusi viesti")
    after = [
        m.id
        for m in (await actions.read(core, counsellor, conversation.id)).messages
        if m.text == "Uusi viesti"
    ]
    assert await refused(after) == "invalid_input"  # seen anyway: not an earlier message
    assert await refused(["no-such-message"]) == "invalid_input"
    assert await refused([]) == "invalid_input"
    colleague = await harness.staff("colleague-shares")
    with pytest.raises(ActionError):
        await consult.share(core, colleague, conversation.id, invited.id, [first])

    assert await consult.share(core, counsellor, conversation.id, invited.id, [first]) == 1
    await harness.deliver()
    assert resident.last().text == core.texts.text("fi", "consult_shared")
    assert await consult.share(core, counsellor, conversation.id, invited.id, [first]) == 0
    view = await consult.read(core, consultant, invited.id)
    said = [m.text for m in view.messages]
    assert said.index("Vuokra on rästissä") < said.index("Uusi viesti")
    assert "Toinen vanha viesti" not in said
    assert view.shared == {first}

    disclosures = [r for r in await _audit(harness, "message") if r.action == "disclose"]
    assert [(r.object_id, r.purpose, r.recipient, r.disclosure_basis) for r in disclosures] == [
        (first, "housing", ORGANISATION, "consent")
    ]
    assert disclosures[0].actor_id == counsellor.user_id
