"""Files residents sent: the sanitised bytes sealed with the conversation's key, one row each.

Never holds a file's bytes in clear; the rows go with their conversation (cascade), with its
data key (crypto-shredding) and earlier by their own retention (bot/jobs.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, Index, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, col, delete, select

from bot.ids import new_id
from privacy.crypto import Sealed

from .tables import Conversation, Table, UTCDateTime, _cascade, utcnow
from .types import SealedType

__all__ = ["Attachment", "closed_holders", "count_for", "delete_of", "kinds_count", "of"]


class Attachment(Table, table=True):
    """One sanitised file of a message; `kind` (photo, document, voice) and sizes in clear."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_conversation", "conversation_id"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    conversation_id: str = _cascade("conversation.id", index=False)
    message_id: str = _cascade("message.id")
    kind: str = Field(max_length=16)
    media_type: str = Field(max_length=64)
    size: int
    sealed_data: Sealed = Field(sa_column=Column(SealedType(), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


async def count_for(session: AsyncSession, conversation_id: str) -> int:
    """How many files the conversation holds (the per-conversation limit counts these)."""
    query = select(func.count()).where(col(Attachment.conversation_id) == conversation_id)
    return int((await session.execute(query)).scalar_one())


async def of(session: AsyncSession, conversation_id: str) -> Sequence[Attachment]:
    """The conversation's files, oldest first."""
    query = (
        select(Attachment)
        .where(col(Attachment.conversation_id) == conversation_id)
        .order_by(col(Attachment.created_at))
    )
    return list((await session.execute(query)).scalars())


async def closed_holders(session: AsyncSession) -> list[tuple[str, datetime, str, int]]:
    """Per closed conversation that still holds files: its id, closing time, and how many
    files of each kind (a row per kind). Files go soon after closing, so these are few."""
    query = (
        select(Attachment.conversation_id, Conversation.closed_at, Attachment.kind, func.count())
        .join(Conversation, col(Conversation.id) == col(Attachment.conversation_id))
        .where(col(Conversation.closed_at).is_not(None))
        .group_by(col(Attachment.conversation_id), col(Conversation.closed_at), Attachment.kind)
    )
    return [
        (str(cid), closed_at, str(kind), int(n))
        for cid, closed_at, kind, n in (await session.execute(query)).all()
        if closed_at is not None
    ]


async def delete_of(session: AsyncSession, conversation_ids: Sequence[str]) -> int:
    """Delete every file of these conversations; how many went."""
    result = await session.execute(
        delete(Attachment).where(col(Attachment.conversation_id).in_(conversation_ids))
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def kinds_count(session: AsyncSession) -> dict[str, int]:
    """How many stored files of each kind (for reports that cannot look inside them)."""
    query = select(Attachment.kind, func.count()).group_by(Attachment.kind)
    return {str(kind): int(n) for kind, n in (await session.execute(query)).all()}
