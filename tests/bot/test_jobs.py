"""Housekeeping forgets redelivery markers, sent outbox rows and ended blocks once they
cannot matter."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.jobs import DELIVERED_KEEP, ENDED_BLOCK_KEEP, SEEN_KEEP, housekeeping
from bot.service import Service
from bot.store.tables import Block, InboundSeen, OutboxRow
from privacy.crypto import Sealed

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
