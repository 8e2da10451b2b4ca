"""Access rules and audit of staff reads and reveals."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.actions import conversations as actions
from bot.errors import ActionError
from bot.store import audit as audit_store
from bot.store.tables import Conversation, Queue
from privacy.audit import verify_chain
from tests.support.chat import Harness


async def queued_conversation(harness: Harness, text: str) -> Conversation:
    resident = harness.resident("audited")
    await resident.write("hei")
    await resident.press("lang:fi")
    await resident.press("topic:housing")
    await resident.write(text)
    async with harness.core.database.session() as session:
        return (await session.execute(select(Conversation))).scalar_one()


async def audit_trail(harness: Harness) -> list[tuple[str, str, str, str]]:
    async with harness.core.database.session() as session:
        records = [r async for r in audit_store.iterate(session)]
    assert verify_chain(harness.core.keyring.audit_key, records).ok
    return [(r.actor_role, str(r.action), str(r.outcome), r.purpose) for r in records]


async def test_every_read_of_content_is_covered_by_an_audit_record(harness: Harness) -> None:
    conversation = await queued_conversation(harness, "asia")
    counsellor = await harness.staff("anna")
    await actions.read(harness.core, counsellor, conversation.id)
    await actions.read(harness.core, counsellor, conversation.id)
    # The repeat within the window is covered by the first record (tests/bot/test_read_audit.py).
    reads = [r for r in await audit_trail(harness) if r[1] == "read"]
    assert reads == [("counsellor", "read", "success", "")]


async def test_a_claimed_conversation_is_hidden_from_other_counsellors(harness: Harness) -> None:
    conversation = await queued_conversation(harness, "asia")
    owner = await harness.staff("anna")
    other = await harness.staff("olli")
    supervisor = await harness.staff("sanna", role="supervisor", queues=())
    await actions.claim(harness.core, owner, conversation.id)
    with pytest.raises(ActionError) as refused:
        await actions.read(harness.core, other, conversation.id)
    assert refused.value.code == "forbidden"
    assert (await actions.read(harness.core, supervisor, conversation.id)).messages
    trail = await audit_trail(harness)
    assert ("counsellor", "read", "denied", "claimed by another") in trail


async def test_a_privacy_officer_reads_only_with_a_recorded_reason(harness: Harness) -> None:
    conversation = await queued_conversation(harness, "asia")
    officer = await harness.staff("tietosuoja", role="privacy_officer", queues=())
    with pytest.raises(ActionError) as refused:
        await actions.read(harness.core, officer, conversation.id)
    assert refused.value.code == "reason_required"
    await actions.read(harness.core, officer, conversation.id, reason="tarkastuspyyntö 12/2026")
    assert ("privacy_officer", "read", "success", "tarkastuspyyntö 12/2026") in await audit_trail(
        harness
    )


async def test_reveal_returns_the_original_only_with_a_reason_and_audits_it(
    harness: Harness,
) -> None:
    conversation = await queued_conversation(harness, "soita 040 123 4567")
    counsellor = await harness.staff("anna")
    transcript = await actions.read(harness.core, counsellor, conversation.id)
    [(item_id, kind, _message, _ordinal)] = transcript.pii_items
    assert kind == "phone"
    with pytest.raises(ActionError):
        await actions.reveal(harness.core, counsellor, conversation.id, item_id, reason="")
    value = await actions.reveal(
        harness.core,
        counsellor,
        conversation.id,
        item_id,
        reason="soitan takaisin, numero 050 999 8888",
    )
    assert value == "040 123 4567"
    reveal = [r for r in await audit_trail(harness) if r[1] == "reveal"]
    assert reveal == [("counsellor", "reveal", "success", "soitan takaisin, numero [PHONE]")]


async def test_admins_see_no_content(harness: Harness) -> None:
    conversation = await queued_conversation(harness, "asia")
    admin = await harness.staff("admin2", role="admin", queues=())
    with pytest.raises(ActionError):
        await actions.read(harness.core, admin, conversation.id)


async def test_a_counsellors_own_display_name_stays_readable_in_their_reply(
    harness: Harness,
) -> None:
    conversation = await queued_conversation(harness, "asia")
    counsellor = await harness.staff("tiina", display_name="Tiina")
    await actions.claim(harness.core, counsellor, conversation.id)
    await actions.reply(
        harness.core, counsellor, conversation.id, "Hei, olen Tiina. Soita 040 123 4567."
    )
    transcript = await actions.read(harness.core, counsellor, conversation.id)
    [reply] = [m.text for m in transcript.messages if m.author == "counsellor"]
    assert reply == "Hei, olen Tiina. Soita [PHONE]."


async def test_a_refused_read_of_an_unclaimed_conversation_is_not_recorded_as_claimed(
    harness: Harness,
) -> None:
    # Nobody holds it: an admin is refused for their role, and the audit trail says so.
    conversation = await queued_conversation(harness, "asia")
    admin = await harness.staff("admin2", role="admin", queues=())
    with pytest.raises(ActionError) as refused:
        await actions.read(harness.core, admin, conversation.id)
    assert refused.value.code == "forbidden"
    assert "colleague" not in refused.value.message
    assert "another counsellor" not in refused.value.message
    denied = [r for r in await audit_trail(harness) if r[1] == "read" and r[2] == "denied"]
    assert denied == [("admin", "read", "denied", "role reads no conversations")]


async def test_a_supervisor_of_other_queues_is_refused_for_the_queue_not_a_claim(
    harness: Harness,
) -> None:
    conversation = await queued_conversation(harness, "asia")
    async with harness.core.database.session() as session:
        session.add(Queue(id="other", name="Other", languages=["fi"], opening_hours={}))
    supervisor = await harness.staff("sanna", role="supervisor", queues=("other",))
    with pytest.raises(ActionError) as refused:
        await actions.read(harness.core, supervisor, conversation.id)
    assert "queue" in refused.value.message
    denied = [r for r in await audit_trail(harness) if r[1] == "read" and r[2] == "denied"]
    assert denied == [("supervisor", "read", "denied", "other queue")]
