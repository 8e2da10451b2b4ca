"""Housekeeping forgets redelivery markers, sent outbox rows and ended blocks once they
cannot matter."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlmodel import select, update

from bot.jobs import DELIVERED_KEEP, ENDED_BLOCK_KEEP, SEEN_KEEP, housekeeping, retention
from bot.service import Service
from bot.store import attachments as attachment_store
from bot.store.tables import Block, InboundSeen, OutboxRow, Queue
from privacy.crypto import Sealed
from tests.bot.console.helpers import waiting_conversation
from tests.support.chat import Harness
from tests.support.files import opus_voice, pdf_with_extras, photo_with_gps

PAYLOAD = Sealed(b"\x01" + b"\x00" * 40)


async def test_housekeeping_deletes_only_what_is_old_enough(service: Service) -> None:
    core = service.core
    now = core.now()
    async with core.database.session() as session:
        session.add(InboundSeen.row(key="old", created_at=now - SEEN_KEEP - timedelta(hours=1)))
        session.add(InboundSeen.row(key="recent", created_at=now - timedelta(hours=1)))
        for name, state, age in (
            ("sent-long-ago", "delivered", DELIVERED_KEEP + timedelta(hours=1)),
            ("failed-long-ago", "failed", DELIVERED_KEEP + timedelta(hours=1)),
            ("sent-today", "delivered", timedelta(hours=1)),
            ("still-pending", "pending", DELIVERED_KEEP + timedelta(hours=1)),
        ):
            session.add(
                OutboxRow.row(
                    id=name,
                    channel="test",
                    sealed_payload=PAYLOAD,
                    state=state,
                    created_at=now - age,
                    next_attempt_at=now,
                )
            )
    await housekeeping(core)
    async with core.database.session() as session:
        seen = set((await session.execute(select(InboundSeen.key))).scalars())
        outbox = set((await session.execute(select(OutboxRow.id))).scalars())
    assert seen == {"recent"}
    assert outbox == {"sent-today", "still-pending"}


async def test_housekeeping_deletes_blocks_a_month_after_they_ended(service: Service) -> None:
    core = service.core
    now = core.now()
    long_ago, lately = ENDED_BLOCK_KEEP + timedelta(days=1), timedelta(days=1)
    cases = {
        "expired-long-ago": (now - long_ago, None),
        "lifted-long-ago": (now + timedelta(days=300), now - long_ago),
        "expired-lately": (now - lately, None),
        "lifted-lately": (now + timedelta(days=300), now - lately),
        "in-force": (now + timedelta(days=3), None),
    }
    async with core.database.session() as session:
        for name, (expires, lifted) in cases.items():
            session.add(
                Block(
                    id=name,
                    pseudonym=f"p_{name}",
                    origin_digest=f"o_{name}",
                    sealed_reason=PAYLOAD,
                    created_by="someone",
                    created_at=now - timedelta(days=400),
                    expires_at=expires,
                    lifted_at=lifted,
                )
            )
    await housekeeping(core)
    async with core.database.session() as session:
        kept = set((await session.execute(select(Block.id))).scalars())
    assert kept == {"expired-lately", "lifted-lately", "in-force"}


async def _files_by_kind(harness: Harness) -> Counter[str]:
    async with harness.core.database.session() as session:
        return Counter(await attachment_store.kinds_count(session))


async def test_a_dry_run_counts_by_kind_the_files_a_real_run_then_deletes(
    harness: Harness,
) -> None:
    await waiting_conversation(harness, "aino")
    aino = harness.resident("aino")
    await aino.send_file(photo_with_gps())
    await aino.send_file(pdf_with_extras(1))
    await aino.send_file(photo_with_gps(30, 30))
    await aino.write("lopeta")
    await waiting_conversation(harness, "ville")  # still open: its file stays
    await harness.resident("ville").send_file(opus_voice())
    before = await _files_by_kind(harness)
    later = harness.core.now() + timedelta(hours=harness.core.settings.attachment_retention_hours)
    later += timedelta(minutes=1)

    dry = await retention(harness.core, apply=False, now=later)
    assert dry.transcripts == 0  # only the files' own, shorter period is due
    assert dry.attachment_kinds == {"document": 1, "photo": 2} and dry.attachments == 3
    assert await _files_by_kind(harness) == before  # a dry run changes nothing

    real = await retention(harness.core, apply=True, now=later)
    assert real.attachments == dry.attachments
    assert real.attachment_kinds == dry.attachment_kinds
    assert before - await _files_by_kind(harness) == Counter(dry.attachment_kinds)


async def test_a_dry_run_counts_the_files_that_go_with_a_transcript_kept_shorter_than_them(
    harness: Harness,
) -> None:
    await waiting_conversation(harness, "aino")
    aino = harness.resident("aino")
    await aino.send_file(opus_voice())
    await aino.write("lopeta")
    async with harness.core.database.session() as session:
        # A queue that keeps text for less time than the files' own period.
        await session.execute(update(Queue).values(transcript_days=0, pii_vault_hours=0))
    soon = harness.core.now() + timedelta(minutes=1)

    dry = await retention(harness.core, apply=False, now=soon)
    assert dry.transcripts == 1 and dry.attachment_kinds == {"voice": 1}
    real = await retention(harness.core, apply=True, now=soon)
    assert real.transcripts == 1 and real.attachments == dry.attachments == 1
    assert await _files_by_kind(harness) == Counter()
