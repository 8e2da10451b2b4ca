"""Queries on staff accounts and their queue memberships.

Holds password hashes only; never a password, never resident data.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from .tables import StaffQueue, StaffUser


async def count_users(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(StaffUser))).scalar_one())


async def by_username(session: AsyncSession, username: str) -> StaffUser | None:
    return (
        await session.execute(select(StaffUser).where(StaffUser.username == username))
    ).scalar_one_or_none()


async def by_id(session: AsyncSession, user_id: str) -> StaffUser | None:
    return await session.get(StaffUser, user_id)


async def lock_for_assignment(session: AsyncSession, user_id: str) -> None:
    """Hold a counsellor's row until the transaction ends, so that two claims or transfers
    to them on different instances count their active chats one after the other (PostgreSQL;
    on SQLite one transaction runs at a time anyway)."""
    await session.execute(
        select(col(StaffUser.id)).where(col(StaffUser.id) == user_id).with_for_update()
    )


async def queue_ids(session: AsyncSession, user_id: str) -> list[str]:
    rows = await session.execute(select(StaffQueue.queue_id).where(StaffQueue.user_id == user_id))
    return sorted(rows.scalars().all())


async def set_queues(session: AsyncSession, user_id: str, queues: Sequence[str]) -> None:
    existing = set(await queue_ids(session, user_id))
    wanted = set(queues)
    for queue_id in wanted - existing:
        session.add(StaffQueue(user_id=user_id, queue_id=queue_id))
    for queue_id in existing - wanted:
        membership = await session.get(StaffQueue, (user_id, queue_id))
        if membership is not None:
            await session.delete(membership)


async def all_users(session: AsyncSession) -> list[StaffUser]:
    return list(
        (await session.execute(select(StaffUser).order_by(col(StaffUser.username)))).scalars()
    )
