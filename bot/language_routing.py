"""Routing by language: a resident reaches a counsellor who speaks their language first.

A counsellor serves in the languages set on their account, or, with none set, in the
languages of their queues (so a service that never sets any keeps working as before). When a
conversation joins a queue:

- if someone in the queue speaks the resident's language, it stays, and for the first
  `SOMESOSSU_LANGUAGE_FIRST_MINUTES` only those counsellors may claim it; after that anyone
  in the queue may, so nobody waits for ever for one person;
- if nobody does, it goes to the queue's fallback queue when that one has a speaker, and
  otherwise waits in its queue marked "interpreter needed", which the board shows.

A waiting resident's place and wait are counted on their route, their queue in their
language (`bot/queueing.py`): those whom other counsellors serve first are not ahead of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from .core import Work
from .roles import Capability, can
from .store.tables import Conversation, Queue, StaffQueue, StaffUser


def serves_in(own: Sequence[str], queue_languages: Sequence[str], language: str) -> bool:
    return language in (own or queue_languages)


async def speakers(session: AsyncSession, queue_id: str, language: str) -> set[str]:
    """Ids of the queue's active counsellors and supervisors who serve in `language`."""
    queue = await session.get(Queue, queue_id)
    if queue is None:
        return set()
    members = await session.execute(
        select(col(StaffUser.id), col(StaffUser.role), col(StaffUser.languages))
        .join(StaffQueue, col(StaffQueue.user_id) == col(StaffUser.id))
        .where(col(StaffQueue.queue_id) == queue_id, col(StaffUser.active).is_(True))
    )
    return {
        user_id
        for user_id, role, own in members.all()
        if can(role, Capability.WORK_QUEUES) and serves_in(own or [], queue.languages, language)
    }


async def route(work: Work, conversation: Conversation, queue_id: str) -> str:
    """The queue the conversation goes to; marks it when an interpreter is needed."""
    language = conversation.language
    conversation.interpreter_needed = False
    if not language:
        return queue_id
    session = work.session
    if await speakers(session, queue_id, language):
        return queue_id
    queue = await session.get(Queue, queue_id)
    fallback = queue.language_fallback if queue is not None else ""
    if fallback and fallback != queue_id and await speakers(session, fallback, language):
        return fallback
    conversation.interpreter_needed = True
    return queue_id


async def reserved_against(work: Work, conversation: Conversation, user_id: str) -> bool:
    """Whether `user_id` must leave this conversation to a colleague who speaks the
    resident's language for now (the first minutes of its wait)."""
    return conversation.id in await reserved_ids(
        work.session,
        [conversation],
        user_id,
        now=work.core.now(),
        minutes=work.core.settings.language_first_minutes,
    )


class WaitingConversation(Protocol):
    """What a reservation reads of a conversation: a stored one, or a list's row of it."""

    @property
    def id(self) -> str: ...

    @property
    def language(self) -> str | None: ...

    @property
    def queue_id(self) -> str | None: ...

    @property
    def queued_at(self) -> datetime | None: ...

    @property
    def assigned_to(self) -> str | None: ...


async def reserved_ids(
    session: AsyncSession,
    conversations: Iterable[WaitingConversation],
    user_id: str,
    *,
    now: datetime,
    minutes: int,
) -> set[str]:
    """Of these conversations, those `user_id` must leave to a colleague who speaks the
    resident's language for now (a list asks the speakers of each queue and language once)."""
    if minutes == 0:
        return set()
    found: set[str] = set()
    asked: dict[tuple[str, str], set[str]] = {}
    for conversation in conversations:
        language, queue_id = conversation.language, conversation.queue_id
        queued_at = conversation.queued_at
        if not language or queue_id is None or queued_at is None:
            continue
        if conversation.assigned_to is not None or now - queued_at >= timedelta(minutes=minutes):
            continue
        if (queue_id, language) not in asked:
            asked[queue_id, language] = await speakers(session, queue_id, language)
        serving = asked[queue_id, language]
        if serving and user_id not in serving:
            found.add(conversation.id)
    return found
