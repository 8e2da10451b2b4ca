"""The hot queries stay independent of history: their plans, read on a database with history.

SQLite: `EXPLAIN QUERY PLAN` must show no full scan of the conversation table or of the
recent-waits aggregate and no temporary sort. PostgreSQL: `EXPLAIN` with sequential scans
discouraged (the test tables are small, so the planner would scan them anyway) must show no
sequential scan and no sort over either table. The history's claimed conversations reach the
aggregate through its triggers (migration 0018), so it holds thousands of waits here too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable
from sqlmodel import col, select

from bot.access import Staff
from bot.console.queries import conversations_query
from bot.roles import Role
from bot.service import Service
from bot.store import conversations as conversation_store
from bot.store.queue_waits import QueueWait
from bot.store.rows import table_of
from bot.store.tables import Conversation
from privacy.crypto import Sealed

HISTORY = 3000
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


async def _fill_history(session: AsyncSession) -> None:
    rows = []
    for n in range(HISTORY):
        created = NOW - timedelta(days=29, minutes=-n)
        closed = n < HISTORY - 20
        rows.append(
            {
                "id": f"c{n:05d}",
                "pseudonym": f"p{n % 700}",
                "channel": "webchat",
                "state": "closed" if closed else "queued",
                "queue_id": ("housing", "money", "health")[n % 3],
                "language": ("fi", "ru", None, "fi", "sv")[n % 5],
                "assigned_to": f"u{n % 12}" if closed else None,
                "sealed_reply_address": Sealed(b"\x01" + b"\x00" * 40),
                "triage": {},
                "close_tags": [],
                "created_at": created,
                "updated_at": created,
                "last_activity_at": created,
                "queued_at": created,
                "claimed_at": created + timedelta(minutes=4) if closed else None,
                "closed_at": created + timedelta(minutes=30) if closed else None,
            }
        )
    await session.execute(insert(table_of(Conversation)), rows)


def _sql(session: AsyncSession, query: Executable) -> str:
    dialect = session.get_bind().dialect
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


async def _plan(session: AsyncSession, query: Executable) -> str:
    sql = _sql(session, query)
    if session.get_bind().dialect.name == "sqlite":
        rows = (await session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))).all()
        return "\n".join(str(row[-1]) for row in rows)
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    rows = (await session.execute(text(f"EXPLAIN {sql}"))).all()
    return "\n".join(str(row[0]) for row in rows)


def _history_bound(plan: str) -> bool:
    """No full scan and no sort of the conversation table or the recent-waits aggregate, in
    either database's words."""
    lowered = plan.lower()
    return not any(
        marker in lowered
        for marker in (
            "scan conversation",  # SQLite: a full scan (an index search says "search")
            "scan queue_wait",
            "temp b-tree",  # SQLite: a sort
            "seq scan on conversation",  # PostgreSQL
            "seq scan on queue_wait",
            "sort key",  # PostgreSQL: a sort node
        )
    )


def _waiting(language: str | None, *, urgent: bool) -> Conversation:
    return Conversation(
        id="new",
        queue_id="housing",
        state="queued",
        language=language,
        urgent=urgent,
        queued_at=NOW,
    )


ADMIN = Staff(user_id="u2", role=Role.ADMIN, display_name="", queues=frozenset())


@pytest.mark.parametrize(
    ("name", "query"),
    [
        (
            "recent waits of a queue",
            conversation_store.recent_waits_query("housing", NOW - timedelta(hours=3)),
        ),
        (
            "recent waits of a queue in one language",
            conversation_store.recent_waits_query(
                "housing", NOW - timedelta(hours=3), language="ru"
            ),
        ),
        (
            "a place in the whole queue",
            conversation_store.position_query(_waiting(None, urgent=False)),
        ),
        (
            "a place among one language",
            conversation_store.position_query(_waiting("ru", urgent=False)),
        ),
        (
            "an urgent place among one language",
            conversation_store.position_query(_waiting("ru", urgent=True)),
        ),
        ("a counsellor's active count", conversation_store.active_count_query("u3")),
        (
            "closed conversations, all queues",
            conversations_query(ADMIN, states=("closed",), queue=None),
        ),
        (
            "closed conversations of one queue",
            conversations_query(ADMIN, states=("closed",), queue="money"),
        ),
    ],
)
async def test_hot_query_plans_do_not_grow_with_history(
    service: Service, name: str, query: Executable
) -> None:
    async with service.core.database.session() as session:
        await _fill_history(session)
    async with service.core.database.session() as session:
        await session.execute(text("ANALYZE"))  # the planner's statistics of a real database
    async with service.core.database.session() as session:
        plan = await _plan(session, query)
    assert _history_bound(plan), f"{name}:\n{plan}"


@pytest.mark.parametrize(
    "query",
    [
        select(Conversation).order_by(col(Conversation.last_activity_at)).limit(5),
        select(QueueWait).order_by(col(QueueWait.waited_seconds)).limit(5),
    ],
    ids=["conversations", "recent waits"],
)
async def test_the_check_itself_catches_a_scan_over_history(
    service: Service, query: Executable
) -> None:
    """A query with no usable index must fail the check above, on either table."""
    async with service.core.database.session() as session:
        await _fill_history(session)
    async with service.core.database.session() as session:
        plan = await _plan(session, query)
    assert not _history_bound(plan), plan
