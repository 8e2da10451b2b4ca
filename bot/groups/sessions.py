"""Group sessions: create, open and end them on schedule, join and leave them.

Creating and opening live here; what every part shares (`session_rules.py`), joining and
leaving (`participation.py`) and ending (`ending.py`) are re-exported from here. Every change
happens inside the caller's unit of work (or one of its own) with an audit record; never shows
a participant anything about another but their nickname.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import MODERATOR_ROLES, Staff, may_create_sessions
from bot.actions.context import SYSTEM, Core, Work, unit_of_work
from bot.errors import ActionError
from bot.roles import Role
from bot.sealing import KeyPurpose
from bot.store.tables import StaffUser, Topic
from bot.texts import LANGUAGES
from privacy.audit import AuditAction

from .delivery import group_key_owner
from .ending import end_session, feedback_token_hash, record_feedback, shred_messages
from .participation import active_participation, join, leave, present, resident_language
from .session_rules import (
    GroupLimits,
    GroupState,
    by_code,
    group_topic,
    load_session,
    require_moderator,
    tell_moderators,
)
from .tables import GroupSession

# What callers import from here: this module's own names, and those moved beside it.
__all__ = [
    "GroupLimits",
    "GroupState",
    "SessionDraft",
    "active_participation",
    "by_code",
    "create_session",
    "end_session",
    "feedback_token_hash",
    "group_topic",
    "join",
    "leave",
    "load_session",
    "local_time",
    "open_session",
    "present",
    "record_feedback",
    "require_moderator",
    "resident_language",
    "session_json",
    "shred_messages",
]

_CODE_WORDS = ("KAHVI", "KAFFE", "TEE", "PUTKI", "ILTA", "AAMU", "KOTI", "PIHA", "JUTTU", "TUPA")


@dataclass(frozen=True)
class SessionDraft:
    """What staff fill in to create a session; naive times are in the service's zone."""

    title: str
    description: str
    language: str
    topic_id: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    channels: tuple[str, ...]
    moderators: tuple[str, ...] = ()
    keep_transcript_hours: int = 0
    code: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


def local_time(value: datetime, zone: ZoneInfo) -> datetime:
    """A time typed in a form (naive) read in the service's zone (`Settings.zone`)."""
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


async def _new_code(session: AsyncSession) -> str:
    for _ in range(50):
        code = f"{secrets.choice(_CODE_WORDS)}{secrets.randbelow(90) + 10}"
        if (await by_code(session, code)) is None:
            return code
    raise ActionError("invalid_state", "no free session code; try again")


async def create_session(core: Core, staff: Staff, draft: SessionDraft) -> GroupSession:
    """A new scheduled session with its own data key; the creator is always a moderator."""
    if not may_create_sessions(staff):
        raise ActionError("forbidden", "only counsellors and supervisors create sessions")
    limits = GroupLimits.of(core.settings)
    zone = core.settings.zone
    starts, ends = local_time(draft.starts_at, zone), local_time(draft.ends_at, zone)
    title = draft.title.strip()
    problems = []
    if not title or len(title) > 200:
        problems.append("title is 1-200 characters")
    if len(draft.description) > 2000:
        problems.append("description is at most 2000 characters")
    if draft.language not in LANGUAGES:
        problems.append(f"language is one of {', '.join(LANGUAGES)}")
    if ends <= starts or ends <= core.now():
        problems.append("the session must end after it starts, in the future")
    if not 2 <= draft.capacity <= limits.max_capacity:
        problems.append(f"capacity is 2-{limits.max_capacity}")
    if not draft.channels or any(not c or ":" in c or len(c) > 32 for c in draft.channels):
        problems.append("channels: at least one channel name")
    if not 0 <= draft.keep_transcript_hours <= limits.transcript_max_hours:
        problems.append(f"keep_transcript_hours is 0-{limits.transcript_max_hours}")
    if problems:
        raise ActionError("invalid_input", "; ".join(problems))
    async with unit_of_work(core) as work:
        topic = await work.session.get(Topic, draft.topic_id)
        if topic is None or not topic.active:
            raise ActionError("invalid_input", "no such topic")
        moderators = list(dict.fromkeys((staff.user_id, *draft.moderators)))
        for user_id in moderators:
            user = await work.session.get(StaffUser, user_id)
            if user is None or not user.active or Role(user.role) not in MODERATOR_ROLES:
                raise ActionError(
                    "invalid_input", "moderators are active counsellors or supervisors"
                )
        code = draft.code.upper() if draft.code else await _new_code(work.session)
        if await by_code(work.session, code) is not None:
            raise ActionError("invalid_input", "that code is taken")
        group = GroupSession(
            code=code,
            title=title,
            description=draft.description.strip(),
            language=draft.language,
            topic_id=draft.topic_id,
            starts_at=starts,
            ends_at=ends,
            capacity=draft.capacity,
            channels=list(dict.fromkeys(draft.channels)),
            moderators=moderators,
            keep_transcript_hours=draft.keep_transcript_hours,
            created_by=staff.user_id,
            created_at=core.now(),
        )
        work.session.add(group)
        core.keys.create(work.session, group_key_owner(group.id), KeyPurpose.CONVERSATION)
        await work.session.flush()
        await work.audit(
            staff.actor(),
            AuditAction.CREATE,
            object_type="group_session",
            object_id=group.id,
            purpose=f"capacity={group.capacity} channels={','.join(group.channels)}",
        )
        work.publish("staff", "group.created", session=group.id)
    return group


async def open_session(work: Work, group: GroupSession) -> None:
    group.state = str(GroupState.OPEN)
    group.opened_at = work.core.now()
    work.session.add(group)
    await work.audit(
        SYSTEM,
        AuditAction.UPDATE,
        object_type="group_session",
        object_id=group.id,
        purpose="opened",
    )
    tell_moderators(work, group.id, "group.opened")
    work.publish("staff", "group.opened", session=group.id)


def session_json(group: GroupSession, participants: int | None = None) -> dict[str, object]:
    """The console's view of a session (no resident data)."""
    payload: dict[str, object] = {
        "id": group.id,
        "code": group.code,
        "title": group.title,
        "description": group.description,
        "language": group.language,
        "topic": group.topic_id,
        "starts_at": group.starts_at.isoformat(),
        "ends_at": group.ends_at.isoformat(),
        "capacity": group.capacity,
        "channels": group.channels,
        "moderators": group.moderators,
        "state": group.state,
        "keep_transcript_hours": group.keep_transcript_hours,
        "pinned_agenda": group.pinned_agenda,
        "transcript_until": group.transcript_until.isoformat() if group.transcript_until else None,
    }
    if participants is not None:
        payload["participants"] = participants
    return payload
