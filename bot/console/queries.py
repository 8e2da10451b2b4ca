"""Read-only queries the console lists and dashboard need: metadata, counts, averages.

Never reads or unseals conversation content: content goes through `bot.actions.conversations.read`,
which checks access and writes the audit record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, case, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.access import Staff, may_read, may_see_exists, works_in
from bot.roles import Capability, can
from bot.store.tables import (
    CannedReply,
    Conversation,
    FeedbackCount,
    Queue,
    StaffQueue,
    StaffSession,
    StaffUser,
    Topic,
)

WAITING = ("queued", "waiting_hours")
OPEN = ("new", "triage_language", "triage_topic", "queued", "waiting_hours", "active")
STATES = (*OPEN, "closed")
MAX_LIST = 200


@dataclass(frozen=True, slots=True)
class ListedConversation:
    """A conversation as a list shows it and its access checks read: no content, no triage
    facts, no sealed column. A listing reads up to MAX_LIST of these as plain rows; building
    a stored `Conversation` for each cost half of a listing's time (docs/performance.md)."""

    id: str
    state: str
    queue_id: str | None
    language: str | None
    topic_id: str | None
    channel: str
    urgent: bool
    interpreter_needed: bool
    assigned_to: str | None
    created_at: datetime
    queued_at: datetime | None
    claimed_at: datetime | None
    closed_at: datetime | None
    close_outcome: str | None
    close_tags: list[str]
    delivery_failed: bool


LISTED_COLUMNS: tuple[Any, ...] = tuple(
    getattr(Conversation, name) for name in ListedConversation.__dataclass_fields__
)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def conversation_summary(
    conversation: Conversation | ListedConversation,
    staff: Staff,
    now: datetime,
    names: dict[str, str],
    reserved: frozenset[str] | set[str] = frozenset(),
) -> dict[str, Any]:
    """What a list shows about a conversation: never its content. `reserved`: ids this user
    must leave to a colleague who speaks the resident's language for now."""
    waiting = None
    if conversation.state in WAITING and conversation.queued_at is not None:
        waiting = max(0, int((now - conversation.queued_at).total_seconds()))
    return {
        "id": conversation.id,
        "state": conversation.state,
        "queue": conversation.queue_id,
        "language": conversation.language,
        "topic": conversation.topic_id,
        "channel": conversation.channel,
        "urgent": conversation.urgent,
        "interpreter_needed": conversation.interpreter_needed,
        "language_first": conversation.id in reserved,
        "waiting_seconds": waiting,
        "assigned_to": conversation.assigned_to,
        "assigned_name": names.get(conversation.assigned_to or "", None),
        "mine": conversation.assigned_to == staff.user_id,
        "readable": may_read(staff, conversation) or can(staff.role, Capability.READ_WITH_REASON),
        # Whether this user may claim it now: pages show Claim only then (an admin never).
        "claimable": conversation.state in WAITING
        and conversation.assigned_to is None
        and works_in(staff, conversation.queue_id)
        and conversation.id not in reserved,
        "created_at": _iso(conversation.created_at),
        "queued_at": _iso(conversation.queued_at),
        "claimed_at": _iso(conversation.claimed_at),
        "closed_at": _iso(conversation.closed_at),
        "outcome": conversation.close_outcome,
        "tags": list(conversation.close_tags),
        "delivery_failed": conversation.delivery_failed,
    }


async def display_names(session: AsyncSession) -> dict[str, str]:
    rows = await session.execute(select(StaffUser.id, StaffUser.display_name))
    return {user_id: name for user_id, name in rows.all()}


def conversations_query(
    staff: Staff, *, states: tuple[str, ...], queue: str | None, limit: int = MAX_LIST
) -> Select[Any]:
    """Open conversations in serving order (urgent, then longest waiting); closed ones newest
    closed first, read through (state, closed time) so that history never needs a sort."""
    query: Select[Any] = select(*LISTED_COLUMNS).where(col(Conversation.state).in_(states))
    if queue is not None:
        query = query.where(col(Conversation.queue_id) == queue)
    if not (can(staff.role, Capability.SEE_ALL_QUEUES) or can(staff.role, Capability.AUDIT)):
        query = query.where(col(Conversation.queue_id).in_(sorted(staff.queues)))
    if states == ("closed",):
        return query.order_by(col(Conversation.closed_at).desc()).limit(limit)
    return query.order_by(
        col(Conversation.urgent).desc(),
        col(Conversation.queued_at),
        col(Conversation.created_at).desc(),
    ).limit(limit)


async def list_conversations(
    session: AsyncSession,
    staff: Staff,
    *,
    states: tuple[str, ...],
    queue: str | None,
    limit: int = MAX_LIST,
) -> list[ListedConversation]:
    query = conversations_query(staff, states=states, queue=queue, limit=limit)
    found = [ListedConversation(*row) for row in (await session.execute(query)).all()]
    return [c for c in found if may_see_exists(staff, c)]


@dataclass(frozen=True, slots=True)
class QueueStats:
    waiting: int
    urgent: int
    longest_wait_seconds: int
    active: int


async def queue_stats(session: AsyncSession, now: datetime) -> dict[str, QueueStats]:
    waiting_rows = await session.execute(
        select(
            Conversation.queue_id,
            func.count(),
            func.sum(case((col(Conversation.urgent).is_(True), 1), else_=0)),
            func.min(Conversation.queued_at),
        )
        .where(col(Conversation.state).in_(WAITING))
        .group_by(col(Conversation.queue_id))
    )
    active_rows = await session.execute(
        select(Conversation.queue_id, func.count())
        .where(Conversation.state == "active")
        .group_by(col(Conversation.queue_id))
    )
    active = {queue_id: int(count) for queue_id, count in active_rows.all()}
    stats: dict[str, QueueStats] = {}
    for queue_id, count, urgent, oldest in waiting_rows.all():
        longest = 0
        if oldest is not None:
            # SQLite hands aggregates back without the zone the column type would add.
            oldest_aware = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
            longest = max(0, int((now - oldest_aware).total_seconds()))
        stats[queue_id or ""] = QueueStats(
            int(count), int(urgent or 0), longest, active.pop(queue_id, 0)
        )
    for queue_id, count in active.items():
        stats[queue_id or ""] = QueueStats(0, 0, 0, count)
    return stats


async def queues_with_members(session: AsyncSession) -> list[dict[str, Any]]:
    queues = (
        (await session.execute(select(Queue).order_by(col(Queue.position), col(Queue.id))))
        .scalars()
        .all()
    )
    members = await session.execute(
        select(StaffQueue.queue_id, StaffUser.id, StaffUser.display_name, StaffUser.role)
        .join(StaffUser, col(StaffUser.id) == col(StaffQueue.user_id))
        .where(col(StaffUser.active).is_(True))
        .order_by(col(StaffUser.display_name))
    )
    by_queue: dict[str, list[dict[str, str]]] = {}
    for queue_id, user_id, name, role in members.all():
        by_queue.setdefault(queue_id, []).append(
            {"id": user_id, "display_name": name, "role": role}
        )
    topics = (await session.execute(select(Topic).order_by(col(Topic.position)))).scalars().all()
    topics_by_queue: dict[str, list[dict[str, Any]]] = {}
    for topic in topics:
        topics_by_queue.setdefault(topic.queue_id, []).append(
            {"id": topic.id, "labels": dict(topic.labels), "active": topic.active}
        )
    return [
        {
            "id": queue.id,
            "name": queue.name,
            "languages": list(queue.languages),
            "active": queue.active,
            "members": by_queue.get(queue.id, []),
            "topics": topics_by_queue.get(queue.id, []),
        }
        for queue in queues
    ]


async def counsellors_online(session: AsyncSession, now: datetime, connected: set[str]) -> int:
    """Users with a console websocket open, or a session seen in the last five minutes."""
    rows = await session.execute(
        select(StaffSession.user_id)
        .where(col(StaffSession.last_seen_at) > now - timedelta(minutes=5))
        .distinct()
    )
    return len(set(rows.scalars().all()) | connected)


async def conversations_since(session: AsyncSession, since: datetime) -> int:
    query = (
        select(func.count()).select_from(Conversation).where(col(Conversation.created_at) >= since)
    )
    return int((await session.execute(query)).scalar_one())


def start_of_day(now: datetime) -> datetime:
    return datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)


async def feedback_averages(session: AsyncSession, since_day: str) -> dict[str, Any]:
    """Average rating (1-5) and the share who got help, from anonymous counts."""
    rows = await session.execute(
        select(FeedbackCount.question, FeedbackCount.answer, func.sum(FeedbackCount.count))
        .where(col(FeedbackCount.day) >= since_day)
        .group_by(col(FeedbackCount.question), col(FeedbackCount.answer))
    )
    rating_total = rating_count = helped_yes = helped_count = 0
    for question, answer, count in rows.all():
        count = int(count or 0)
        if question == "rating" and str(answer).isdigit():
            rating_total += int(answer) * count
            rating_count += count
        elif question in ("helped", "got_help"):
            helped_count += count
            if answer in ("yes", "true", "1"):
                helped_yes += count
    return {
        "rating_average": round(rating_total / rating_count, 2) if rating_count else None,
        "rating_count": rating_count,
        "helped_share": round(helped_yes / helped_count, 2) if helped_count else None,
        "helped_count": helped_count,
    }


async def canned_replies(session: AsyncSession) -> list[CannedReply]:
    """Every canned reply (staff-written text, not resident data), by language and position."""
    query = select(CannedReply).order_by(
        col(CannedReply.language), col(CannedReply.position), col(CannedReply.title)
    )
    return list((await session.execute(query)).scalars().all())
