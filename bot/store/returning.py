"""A resident's answer to "may counsellors see your earlier chats when you come back?".

Kept by pseudonym only (the keyed digest every conversation row already holds), never with
a platform id; erased with the resident's conversations.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, col, delete, func, select

from .tables import Conversation, Table, UTCDateTime, utcnow


class ReturningConsent(Table, table=True):
    """Absent: never asked (or erased). `agreed` False: declined or withdrawn."""

    __tablename__ = "returning_consent"
    pseudonym: str = Field(primary_key=True, max_length=64)
    agreed: bool = False
    decided_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


async def decision(session: AsyncSession, pseudonym: str) -> bool | None:
    """True: agreed; False: declined or withdrawn; None: never decided."""
    row = await session.get(ReturningConsent, pseudonym)
    return None if row is None else row.agreed


async def decide(session: AsyncSession, pseudonym: str, agreed: bool, at: datetime) -> None:
    row = await session.get(ReturningConsent, pseudonym)
    if row is None:
        session.add(ReturningConsent(pseudonym=pseudonym, agreed=agreed, decided_at=at))
        return
    row.agreed, row.decided_at = agreed, at
    session.add(row)


async def forget(session: AsyncSession, pseudonyms: list[str]) -> None:
    if pseudonyms:
        await session.execute(
            delete(ReturningConsent).where(col(ReturningConsent.pseudonym).in_(pseudonyms))
        )


async def forget_orphans(session: AsyncSession) -> None:
    """Delete the answers of residents none of whose conversations is kept any more."""
    kept = select(Conversation.pseudonym)
    await session.execute(
        delete(ReturningConsent).where(col(ReturningConsent.pseudonym).not_in(kept))
    )


async def has_earlier(session: AsyncSession, pseudonym: str, other_than: str | None) -> bool:
    """Whether the resident has a kept conversation besides `other_than`."""
    query = (
        select(func.count()).select_from(Conversation).where(Conversation.pseudonym == pseudonym)
    )
    if other_than is not None:
        query = query.where(Conversation.id != other_than)
    return int((await session.execute(query)).scalar_one()) > 0


async def earlier_conversations(
    session: AsyncSession, pseudonym: str, current_id: str
) -> list[Conversation]:
    """The resident's other kept conversations, newest first."""
    query = (
        select(Conversation)
        .where(Conversation.pseudonym == pseudonym, Conversation.id != current_id)
        .order_by(col(Conversation.created_at).desc())
    )
    return list((await session.execute(query)).scalars())
