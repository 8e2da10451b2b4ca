"""Queries on the close tags each queue defines for counsellors to pick when closing.

Configuration written by admins; holds no resident data and never accepts a tag that a
queue has not defined.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from .tables import CloseTag


async def tags_of(
    session: AsyncSession, queue_id: str, *, include_retired: bool = False
) -> list[CloseTag]:
    """The queue's tags in the order they are offered; retired ones only when asked for."""
    query = select(CloseTag).where(CloseTag.queue_id == queue_id)
    if not include_retired:
        query = query.where(col(CloseTag.retired_at).is_(None))
    query = query.order_by(col(CloseTag.position), col(CloseTag.id))
    return list((await session.execute(query)).scalars())


async def all_tags(session: AsyncSession) -> list[CloseTag]:
    """Every tag of every queue, retired ones included (admin pages, statistics)."""
    query = select(CloseTag).order_by(
        col(CloseTag.queue_id), col(CloseTag.position), col(CloseTag.id)
    )
    return list((await session.execute(query)).scalars())


async def get(session: AsyncSession, queue_id: str, tag_id: str) -> CloseTag | None:
    return await session.get(CloseTag, (queue_id, tag_id))


async def offered_ids(session: AsyncSession, queue_id: str, tag_ids: Iterable[str]) -> set[str]:
    """Those of `tag_ids` that the queue offers now (defined and not retired)."""
    wanted = sorted(set(tag_ids))
    if not wanted:
        return set()
    rows = await session.execute(
        select(CloseTag.id).where(
            CloseTag.queue_id == queue_id,
            col(CloseTag.id).in_(wanted),
            col(CloseTag.retired_at).is_(None),
        )
    )
    return set(rows.scalars())


async def next_position(session: AsyncSession, queue_id: str) -> int:
    return len(await tags_of(session, queue_id, include_retired=True))
