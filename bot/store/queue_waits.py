"""Recent waits per queue and language: the small rolling aggregate that wait estimates read.

A row is one claim's queue, language, claim time and seconds waited; never a conversation id,
a pseudonym or anything else that leads back to a conversation once it is gone.

The database writes the rows itself: triggers on `conversation` (migration 0018) add one in
the claiming transaction whenever a conversation's claim time is set (the claim's conditional
update, or a row stored already claimed), whichever code or instance set it. A migration that
rebuilds the `conversation` table (SQLite batch mode) drops them and must create them again;
`tests/bot/store/test_queue_waits.py` fails if a claim stops recording its wait. The
housekeeping job prunes the table to the window and to `RECENT` rows per route.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Column, Index, and_, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, Executable
from sqlmodel import Field, col, select

from .tables import Table, UTCDateTime

# An estimate reads the waits of claims this recent...
WINDOW = timedelta(hours=3)
# ...and at most this many of them per route: the newest say the most about the pace now.
RECENT = 50


class QueueWait(Table, table=True):
    """How long one claimed conversation waited, and nothing that says which it was."""

    __tablename__ = "queue_wait"
    __table_args__ = (
        # The whole queue's newest waits, and one language's, each read without a sort.
        Index("ix_queue_wait_queue_claimed", "queue_id", "claimed_at"),
        Index("ix_queue_wait_route_claimed", "queue_id", "language", "claimed_at"),
    )
    # A row number only: claims are not told apart, and a key of the values above could
    # collide when two instances claim in the same microsecond.
    id: int | None = Field(default=None, primary_key=True)
    queue_id: str = Field(max_length=64)
    language: str | None = Field(default=None, max_length=8)
    claimed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    waited_seconds: float


def _route(queue_id: str, language: str | None) -> ColumnElement[bool]:
    if language is None:
        return and_(col(QueueWait.queue_id) == queue_id, col(QueueWait.language).is_(None))
    return and_(col(QueueWait.queue_id) == queue_id, col(QueueWait.language) == language)


def recent_query(
    queue_id: str, since: datetime, limit: int = RECENT, *, language: str | None = None
) -> Executable:
    """The newest waits of a queue (of one language, if given) claimed since `since`, read
    through (queue, claimed time) or (queue, language, claimed time): bounded by `limit`."""
    query = select(QueueWait.waited_seconds).where(
        col(QueueWait.queue_id) == queue_id, col(QueueWait.claimed_at) >= since
    )
    if language is not None:
        query = query.where(col(QueueWait.language) == language)
    return query.order_by(col(QueueWait.claimed_at).desc()).limit(limit)


async def recent_minutes(
    session: AsyncSession,
    queue_id: str,
    since: datetime,
    limit: int = RECENT,
    *,
    language: str | None = None,
) -> list[float]:
    """How long the queue's recently claimed conversations (of one language, if given)
    waited, in minutes, newest first."""
    result = await session.execute(recent_query(queue_id, since, limit, language=language))
    return [max(0.0, float(seconds)) / 60 for seconds in result.scalars()]


async def prune(session: AsyncSession, now: datetime) -> int:
    """Delete waits older than the window, and each route's beyond its `RECENT` newest
    (no estimate reads them: the whole queue's newest are among its languages' newest)."""
    deleted = 0
    result = await session.execute(
        delete(QueueWait).where(col(QueueWait.claimed_at) < now - WINDOW)
    )
    deleted += int(getattr(result, "rowcount", 0) or 0)
    routes = await session.execute(select(QueueWait.queue_id, QueueWait.language).distinct())
    for queue_id, language in routes.all():
        oldest_kept = (
            select(QueueWait.claimed_at)
            .where(_route(queue_id, language))
            .order_by(col(QueueWait.claimed_at).desc())
            .offset(RECENT - 1)
            .limit(1)
        )
        cutoff = (await session.execute(oldest_kept)).scalar_one_or_none()
        if cutoff is None:
            continue
        result = await session.execute(
            delete(QueueWait).where(_route(queue_id, language), col(QueueWait.claimed_at) < cutoff)
        )
        deleted += int(getattr(result, "rowcount", 0) or 0)
    return deleted
