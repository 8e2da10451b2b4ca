"""Audit reads coalesced per person, conversation and window; reveals and refusals always kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from bot.actions import conversations as actions
from bot.hours import OpeningHours
from bot.officer.audit_report import ReportFilter, UnusualRules, audit_report
from bot.store import audit as audit_store
from bot.store.tables import Conversation
from privacy.audit import AuditRecord, verify_chain
from tests.support.chat import Harness

ALWAYS = UnusualRules(hours=OpeningHours.always())


async def queued_conversation(harness: Harness, name: str = "audited") -> Conversation:
    resident = harness.resident(name)
    await resident.write("hei")
    await resident.press("lang:fi")
    await resident.press("topic:housing")
    await resident.write("soita 040 123 4567")
    async with harness.core.database.session() as session:
        newest = select(Conversation).order_by(col(Conversation.created_at).desc())
        return (await session.execute(newest)).scalars().first()  # type: ignore[return-value]


async def trail(harness: Harness) -> list[AuditRecord]:
    async with harness.core.database.session() as session:
        records = [r async for r in audit_store.iterate(session)]
    assert verify_chain(harness.core.keyring.audit_key, records).ok
    return records


def reads(records: list[AuditRecord], conversation: str = "") -> list[AuditRecord]:
    return [
        r
        for r in records
        if str(r.action) == "read" and (not conversation or r.subject_ref == conversation)
    ]


def later(harness: Harness, minutes: float) -> None:
    """The service's clock moved on by `minutes` (the core keeps its clock strictly rising)."""
    moment = datetime.now(UTC) + timedelta(minutes=minutes)
    harness.core.clock = lambda: moment


async def test_repeated_reads_within_the_window_write_one_record(harness: Harness) -> None:
    conversation = await queued_conversation(harness)
    anna = await harness.staff("anna")
    for _ in range(12):
        await actions.read(harness.core, anna, conversation.id)
    later(harness, 9)
    await actions.read(harness.core, anna, conversation.id)
    [read] = reads(await trail(harness))
    assert (read.actor_id, read.subject_ref, str(read.outcome)) == (
        anna.user_id,
        conversation.id,
        "success",
    )


async def test_a_read_after_the_window_writes_another_record(harness: Harness) -> None:
    conversation = await queued_conversation(harness)
    anna = await harness.staff("anna")
    await actions.read(harness.core, anna, conversation.id)
    later(harness, 11)
    await actions.read(harness.core, anna, conversation.id)
    await actions.read(harness.core, anna, conversation.id)
    later(harness, 22)
    await actions.read(harness.core, anna, conversation.id)
    assert len(reads(await trail(harness))) == 3


async def test_every_reveal_is_written_even_within_a_read_window(harness: Harness) -> None:
    conversation = await queued_conversation(harness)
    anna = await harness.staff("anna")
    transcript = await actions.read(harness.core, anna, conversation.id)
    [(item_id, _kind, _message, _ordinal)] = transcript.pii_items
    for _ in range(2):
        await actions.reveal(
            harness.core, anna, conversation.id, item_id, reason="soitan takaisin asukkaalle"
        )
        await actions.read(harness.core, anna, conversation.id)
    records = await trail(harness)
    assert [str(r.action) for r in records if str(r.action) in {"read", "reveal"}] == [
        "read",
        "reveal",
        "reveal",
    ]


async def test_another_person_and_another_conversation_write_their_own_records(
    harness: Harness,
) -> None:
    first = await queued_conversation(harness, "aino")
    second = await queued_conversation(harness, "bertta")
    assert first.id != second.id
    anna = await harness.staff("anna")
    sanna = await harness.staff("sanna", role="supervisor")
    for _ in range(3):
        for staff in (anna, sanna):
            for conversation in (first, second):
                await actions.read(harness.core, staff, conversation.id)
    written = {(r.actor_id, r.subject_ref) for r in reads(await trail(harness))}
    assert len(reads(await trail(harness))) == 4
    assert written == {(s.user_id, c.id) for s in (anna, sanna) for c in (first, second)}


async def test_refused_reads_and_each_stated_reason_are_always_written(harness: Harness) -> None:
    conversation = await queued_conversation(harness)
    anna = await harness.staff("anna")
    olli = await harness.staff("olli")
    officer = await harness.staff("tietosuoja", role="privacy_officer", queues=())
    await actions.claim(harness.core, anna, conversation.id)
    for _ in range(2):
        try:
            await actions.read(harness.core, olli, conversation.id)
        except actions.ActionError:
            pass
    for reason in ("tarkastuspyyntö 12/2026", "tarkastuspyyntö 12/2026", "valitus 3/2026"):
        await actions.read(harness.core, officer, conversation.id, reason=reason)
    records = reads(await trail(harness))
    assert [(r.actor_id, str(r.outcome)) for r in records if r.actor_id == olli.user_id] == [
        (olli.user_id, "denied"),
        (olli.user_id, "denied"),
    ]
    assert [r.purpose for r in records if r.actor_id == officer.user_id] == [
        "tarkastuspyyntö 12/2026",
        "valitus 3/2026",
    ]


async def test_a_window_of_zero_records_every_read(harness: Harness) -> None:
    harness.core.settings = harness.core.settings.model_copy(
        update={"audit_read_window_minutes": 0}
    )
    conversation = await queued_conversation(harness)
    anna = await harness.staff("anna")
    for _ in range(3):
        await actions.read(harness.core, anna, conversation.id)
    assert len(reads(await trail(harness))) == 3


async def test_the_access_report_still_shows_who_read_the_conversation_in_the_window(
    harness: Harness,
) -> None:
    conversation = await queued_conversation(harness)
    anna = await harness.staff("anna")
    for _ in range(5):
        await actions.read(harness.core, anna, conversation.id)
    report = await audit_report(
        harness.core,
        ReportFilter(conversation=conversation.id, actions=frozenset({"read"})),
        ALWAYS,
    )
    assert [(row.actor, row.action, row.outcome) for row in report.rows] == [
        ("anna", "read", "success")
    ]
