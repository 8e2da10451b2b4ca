"""Queries on conversations, their messages, PII-vault items, notes and the outbox.

Returns sealed values as stored; unsealing is the caller's job, with the right key.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Select, and_, bindparam, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from . import queue_waits
from .tables import Block, Conversation, Message, Note, OutboxRow, PiiItem

WAITING = ("queued", "waiting_hours")


async def latest_for(session: AsyncSession, pseudonym: str, channel: str) -> Conversation | None:
    query = (
        select(Conversation)
        .where(Conversation.pseudonym == pseudonym, Conversation.channel == channel)
        .order_by(col(Conversation.created_at).desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


def _latest_for_many_query() -> Select[Conversation]:
    # Built once (see inbound.py): the dispatcher asks this for every batch of messages.
    newest = (
        select(
            Conversation.pseudonym,
            Conversation.channel,
            func.max(Conversation.created_at).label("created_at"),
        )
        .where(col(Conversation.pseudonym).in_(bindparam("pseudonyms", expanding=True)))
        .group_by(col(Conversation.pseudonym), col(Conversation.channel))
        .subquery()
    )
    return select(Conversation).join(
        newest,
        and_(
            col(Conversation.pseudonym) == newest.c.pseudonym,
            col(Conversation.channel) == newest.c.channel,
            col(Conversation.created_at) == newest.c.created_at,
        ),
    )


_LATEST_FOR_MANY = _latest_for_many_query()


async def latest_for_many(
    session: AsyncSession, pseudonyms: Collection[str]
) -> dict[tuple[str, str], Conversation]:
    """The newest conversation of each (pseudonym, channel) among these residents."""
    result = await session.execute(_LATEST_FOR_MANY, {"pseudonyms": list(pseudonyms)})
    return {(c.pseudonym, c.channel): c for c in result.scalars()}


async def of_pseudonym(session: AsyncSession, pseudonym: str) -> list[Conversation]:
    query = select(Conversation).where(Conversation.pseudonym == pseudonym)
    return list((await session.execute(query)).scalars())


async def get(session: AsyncSession, conversation_id: str) -> Conversation | None:
    return await session.get(Conversation, conversation_id)


async def get_for_update(session: AsyncSession, conversation_id: str) -> Conversation | None:
    query = select(Conversation).where(Conversation.id == conversation_id).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def waiting_in_queue(session: AsyncSession, queue_id: str) -> list[Conversation]:
    """Queued conversations of a queue in serving order: urgent first, then oldest first."""
    query = (
        select(Conversation)
        .where(Conversation.queue_id == queue_id, col(Conversation.state).in_(WAITING))
        .order_by(col(Conversation.urgent).desc(), col(Conversation.queued_at))
    )
    return list((await session.execute(query)).scalars())


def position_query(conversation: Conversation) -> SelectOfScalar[int]:
    """How many wait ahead of it on its route: the same queue and, when the resident chose
    one, the same language (a Russian speaker does not wait behind Finnish speakers whom
    other counsellors serve first). Read through (queue, state): bounded by the waiting."""
    ahead = (
        select(func.count())
        .select_from(Conversation)
        .where(
            Conversation.queue_id == conversation.queue_id,
            col(Conversation.state).in_(WAITING),
            Conversation.id != conversation.id,
        )
    )
    if conversation.language:
        ahead = ahead.where(Conversation.language == conversation.language)
    if conversation.urgent:
        ahead = ahead.where(
            col(Conversation.urgent).is_(True),
            col(Conversation.queued_at) < conversation.queued_at,
        )
    else:
        ahead = ahead.where(
            (col(Conversation.urgent).is_(True))
            | (col(Conversation.queued_at) < conversation.queued_at)
        )
    return ahead


async def position_in_queue(session: AsyncSession, conversation: Conversation) -> int:
    """1-based place on its route (`position_query`); conversations waiting outside hours
    count too."""
    return int((await session.execute(position_query(conversation))).scalar_one()) + 1


def active_count_query(user_id: str) -> SelectOfScalar[int]:
    return (
        select(func.count())
        .select_from(Conversation)
        .where(Conversation.assigned_to == user_id, Conversation.state == "active")
    )


async def active_count_for(session: AsyncSession, user_id: str) -> int:
    return int((await session.execute(active_count_query(user_id))).scalar_one())


async def messages(session: AsyncSession, conversation_id: str) -> list[Message]:
    query = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(col(Message.created_at), col(Message.id))
    )
    return list((await session.execute(query)).scalars())


async def pii_items(session: AsyncSession, conversation_id: str) -> list[PiiItem]:
    query = (
        select(PiiItem)
        .where(PiiItem.conversation_id == conversation_id)
        .order_by(col(PiiItem.created_at), col(PiiItem.ordinal))
    )
    return list((await session.execute(query)).scalars())


async def notes(session: AsyncSession, conversation_id: str) -> list[Note]:
    query = (
        select(Note).where(Note.conversation_id == conversation_id).order_by(col(Note.created_at))
    )
    return list((await session.execute(query)).scalars())


async def delivery_ids(session: AsyncSession, conversation_id: str) -> list[str]:
    query = select(OutboxRow.delivery_id).where(
        OutboxRow.conversation_id == conversation_id, col(OutboxRow.delivery_id).is_not(None)
    )
    return [value for value in (await session.execute(query)).scalars() if value]


async def active_block(
    session: AsyncSession, pseudonym: str, now: datetime, origin: str | None = None
) -> Block | None:
    """The block in force on this resident, or on the network they write from."""
    blocked = col(Block.pseudonym) == pseudonym
    if origin is not None:
        blocked = or_(blocked, col(Block.origin_digest) == origin)
    query = (
        select(Block)
        .where(
            blocked,
            col(Block.expires_at) > now,
            col(Block.lifted_at).is_(None),
        )
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


def recent_waits_query(
    queue_id: str, since: datetime, limit: int = queue_waits.RECENT, *, language: str | None = None
) -> Executable:
    """Read from the rolling aggregate of recent waits (`queue_waits.py`), not from the
    conversations: bounded by the window and the limit, whatever the history."""
    return queue_waits.recent_query(queue_id, since, limit, language=language)


async def recent_waits_minutes(
    session: AsyncSession,
    queue_id: str,
    since: datetime,
    limit: int = queue_waits.RECENT,
    *,
    language: str | None = None,
) -> list[float]:
    """How long recently claimed conversations of a queue (of one language, if given)
    waited, in minutes, from the rolling aggregate (`queue_waits.py`)."""
    return await queue_waits.recent_minutes(session, queue_id, since, limit, language=language)
