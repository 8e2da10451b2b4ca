"""Queries on queues and triage topics.

Configuration data written by admins; holds no resident data.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from .tables import Queue, Topic


async def all_queues(session: AsyncSession, *, active_only: bool = False) -> list[Queue]:
    query = select(Queue).order_by(col(Queue.position), col(Queue.id))
    if active_only:
        query = query.where(col(Queue.active).is_(True))
    return list((await session.execute(query)).scalars())


async def queue_exists(session: AsyncSession, queue_id: str) -> bool:
    return await session.get(Queue, queue_id) is not None


async def all_topics(session: AsyncSession, *, active_only: bool = True) -> list[Topic]:
    query = select(Topic).order_by(col(Topic.position), col(Topic.id))
    if active_only:
        query = query.where(col(Topic.active).is_(True))
    return list((await session.execute(query)).scalars())
