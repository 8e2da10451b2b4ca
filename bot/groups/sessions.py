"""Group sessions: create, open and end them on schedule, join and leave them.

Every change happens inside the caller's unit of work (or one of its own) with an audit record;
never shows a participant anything about another but their nickname.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import delete as sql_delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.actions.context import SYSTEM, Actor, Core, Work, unit_of_work
from bot.actions.conversations import ActionError, Staff
from bot.config import Settings
from bot.ids import new_id
from bot.roles import Capability, Role, can
from bot.sealing import KeyPurpose
from bot.store import conversations as conversation_store
from bot.store.tables import OutboxRow, StaffUser, Topic
from bot.texts import DEFAULT_LANGUAGE, LANGUAGES
from privacy.audit import AuditAction
from privacy.crypto import seal

from .commands import GroupCommand, group_word
from .delivery import (
    group_key,
    group_key_owner,
    participant_address_aad,
    queue_to_address,
    queue_to_participant,
    seal_participant_address,
)
from .nicknames import nickname_for
from .tables import GroupAttendance, GroupMessage, GroupParticipant, GroupSession

MODERATOR_ROLES = frozenset({Role.COUNSELLOR, Role.SUPERVISOR})
_CODE_WORDS = ("KAHVI", "KAFFE", "TEE", "PUTKI", "ILTA", "AAMU", "KOTI", "PIHA", "JUTTU", "TUPA")


class GroupState(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    ENDED = "ended"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class GroupLimits:
    """Group settings, read from `Settings` where the lead has added them, else defaults."""

    news_opt_in_days: int = 90
    transcript_max_hours: int = 72
    stayed_minutes: int = 15
    messages_per_window: int = 6
    window_seconds: int = 20
    max_capacity: int = 200

    @classmethod
    def of(cls, settings: Settings) -> GroupLimits:
        defaults = cls()
        return cls(
            news_opt_in_days=int(getattr(settings, "news_opt_in_days", defaults.news_opt_in_days)),
            transcript_max_hours=int(
                getattr(settings, "group_transcript_max_hours", defaults.transcript_max_hours)
            ),
            stayed_minutes=int(getattr(settings, "group_stayed_minutes", defaults.stayed_minutes)),
            messages_per_window=int(
                getattr(settings, "group_messages_per_window", defaults.messages_per_window)
            ),
            window_seconds=int(getattr(settings, "group_window_seconds", defaults.window_seconds)),
        )


def group_topic(session_id: str) -> str:
    """Hub topic the moderators' live view listens on."""
    return f"group:{session_id}"


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


def may_moderate(staff: Staff, session: GroupSession) -> bool:
    if staff.role not in MODERATOR_ROLES:
        return False
    return staff.user_id in session.moderators or can(staff.role, Capability.SEE_ALL_QUEUES)


def require_moderator(staff: Staff, session: GroupSession) -> None:
    if not may_moderate(staff, session):
        raise ActionError("forbidden", "only this session's moderators may do this")


async def _new_code(session: AsyncSession) -> str:
    for _ in range(50):
        code = f"{secrets.choice(_CODE_WORDS)}{secrets.randbelow(90) + 10}"
        if (await by_code(session, code)) is None:
            return code
    raise ActionError("invalid_state", "no free session code; try again")


async def by_code(session: AsyncSession, code: str) -> GroupSession | None:
    query = select(GroupSession).where(GroupSession.code == code).limit(1)
    return (await session.execute(query)).scalar_one_or_none()


async def load_session(work: Work, session_id: str) -> GroupSession:
    found = await work.session.get(GroupSession, session_id)
    if found is None:
        raise ActionError("not_found", "no such group session")
    return found


async def create_session(core: Core, staff: Staff, draft: SessionDraft) -> GroupSession:
    """A new scheduled session with its own data key; the creator is always a moderator."""
    if staff.role not in MODERATOR_ROLES:
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
    work.publish(group_topic(group.id), "group.opened", session=group.id)
    work.publish("staff", "group.opened", session=group.id)


# ---- participants ------------------------------------------------------------------------


async def active_participation(
    session: AsyncSession, pseudonym: str, channel: str
) -> GroupParticipant | None:
    """The resident's current place in an open session on this channel, if any."""
    query = (
        select(GroupParticipant)
        .join(GroupSession, col(GroupSession.id) == col(GroupParticipant.session_id))
        .where(
            GroupParticipant.pseudonym == pseudonym,
            GroupParticipant.channel == channel,
            col(GroupParticipant.left_at).is_(None),
            col(GroupParticipant.removed).is_(False),
            GroupSession.state == str(GroupState.OPEN),
        )
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def present(session: AsyncSession, session_id: str) -> list[GroupParticipant]:
    query = (
        select(GroupParticipant)
        .where(
            GroupParticipant.session_id == session_id,
            col(GroupParticipant.left_at).is_(None),
            col(GroupParticipant.removed).is_(False),
        )
        .order_by(col(GroupParticipant.joined_at))
    )
    return list((await session.execute(query)).scalars())


async def resident_language(work: Work, pseudonym: str, channel: str, hint: str | None) -> str:
    """The language to answer a resident in: their hint, their chat's language, or Finnish."""
    if hint in LANGUAGES:
        return str(hint)
    conversation = await conversation_store.latest_for(work.session, pseudonym, channel)
    if conversation is not None and conversation.language in LANGUAGES:
        return str(conversation.language)
    return DEFAULT_LANGUAGE


async def _tell(
    work: Work, channel: str, address: str, language: str, key: str, **params: object
) -> None:
    text = work.core.texts.text(language, key, **params)
    await queue_to_address(
        work, channel=channel, reply_address=address, text=text, language=language
    )


async def join(
    work: Work, *, pseudonym: str, channel: str, reply_address: str, hint: str | None, code: str
) -> GroupParticipant | None:
    """Join the open session with this code, or tell the resident why not (in their language)."""
    core = work.core
    language = await resident_language(work, pseudonym, channel, hint)
    group = await by_code(work.session, code) if code else None
    if group is None or group.state == GroupState.CANCELLED:
        await _tell(work, channel, reply_address, language, "group_unknown", code=code or "—")
        return None
    if channel not in group.channels:
        await _tell(
            work, channel, reply_address, language, "group_wrong_channel", title=group.title
        )
        return None
    if group.state == GroupState.SCHEDULED:
        when = core.texts.format_when(language, group.starts_at, zone=core.settings.zone)
        await _tell(
            work,
            channel,
            reply_address,
            language,
            "group_not_open_yet",
            title=group.title,
            when=when,
        )
        return None
    if group.state != GroupState.OPEN:
        await _tell(work, channel, reply_address, language, "group_closed", title=group.title)
        return None
    query = select(GroupParticipant).where(
        GroupParticipant.session_id == group.id, GroupParticipant.pseudonym == pseudonym
    )
    existing = (await work.session.execute(query)).scalar_one_or_none()
    if existing is not None and existing.removed:
        await _tell(
            work, channel, reply_address, language, "group_removed_cannot_rejoin", title=group.title
        )
        return None
    if existing is not None and existing.left_at is None and existing.channel == channel:
        await seal_participant_address(work, existing, reply_address)
        work.session.add(existing)
        await _welcome(work, group, existing)
        return existing
    others = await present(work.session, group.id)
    if len(others) >= group.capacity:
        await _tell(work, channel, reply_address, language, "group_full", title=group.title)
        return None
    current = await active_participation(work.session, pseudonym, channel)
    if current is not None and current.session_id != group.id:
        await leave(work, current, tell=False)
    now = core.now()
    if existing is None:
        taken_query = select(GroupParticipant.nickname).where(
            GroupParticipant.session_id == group.id
        )
        taken = set((await work.session.execute(taken_query)).scalars())
        participant_id = new_id()
        key = await group_key(work, group.id)
        participant = GroupParticipant(
            id=participant_id,
            session_id=group.id,
            pseudonym=pseudonym,
            channel=channel,
            nickname=nickname_for(core.keyring.pepper, group.id, pseudonym, group.language, taken),
            language=language,
            sealed_reply_address=seal(
                key, reply_address, aad=participant_address_aad(participant_id)
            ),
            joined_at=now,
        )
    else:
        participant = existing
        participant.left_at = None
        participant.joined_at = now
        participant.channel = channel
        participant.language = language
    await seal_participant_address(work, participant, reply_address)
    work.session.add(participant)
    await work.session.flush()
    await _welcome(work, group, participant)
    for other in others:
        if other.id != participant.id:
            await queue_to_participant(
                work,
                other,
                core.texts.text(
                    other.language, "group_participant_joined", nickname=participant.nickname
                ),
            )
    work.publish(
        group_topic(group.id),
        "group.participant_joined",
        session=group.id,
        participant=participant.id,
        nickname=participant.nickname,
    )
    return participant


async def _welcome(work: Work, group: GroupSession, participant: GroupParticipant) -> None:
    texts, lang = work.core.texts, participant.language
    lines = [
        texts.text(
            lang,
            "group_joined",
            title=group.title,
            nickname=participant.nickname,
            leave_word=group_word(lang, GroupCommand.LEAVE),
        )
    ]
    if group.pinned_agenda:
        lines.append(texts.text(lang, "group_agenda", agenda=group.pinned_agenda))
    await queue_to_participant(
        work,
        participant,
        "\n\n".join(lines),
        choices=[("group:leave", texts.text(lang, "group_leave_button"))],
    )


async def leave(work: Work, participant: GroupParticipant, *, tell: bool = True) -> None:
    now = work.core.now()
    participant.present_seconds += int((now - participant.joined_at).total_seconds())
    participant.left_at = now
    work.session.add(participant)
    if tell:
        await queue_to_participant(
            work, participant, work.core.texts.text(participant.language, "group_left")
        )
    for other in await present(work.session, participant.session_id):
        if other.id != participant.id:
            await queue_to_participant(
                work,
                other,
                work.core.texts.text(
                    other.language, "group_participant_left", nickname=participant.nickname
                ),
            )
    work.publish(
        group_topic(participant.session_id),
        "group.participant_left",
        session=participant.session_id,
        participant=participant.id,
    )


# ---- ending ------------------------------------------------------------------------------


def feedback_token_hash(pepper: bytes, token: str) -> str:
    return hmac.new(pepper, f"group-feedback:{token}".encode(), hashlib.sha256).hexdigest()


async def end_session(work: Work, group: GroupSession, actor: Actor) -> None:
    """Say goodbye, keep attendance as counts, and forget the participants and (by default)
    every message: the session key is destroyed, so no copy anywhere stays readable."""
    core = work.core
    if group.state in (GroupState.ENDED, GroupState.CANCELLED):
        raise ActionError("invalid_state", "the session is over already")
    was_open = group.state == GroupState.OPEN
    now = core.now()
    limits = GroupLimits.of(core.settings)
    participants = list(
        (
            await work.session.execute(
                select(GroupParticipant).where(GroupParticipant.session_id == group.id)
            )
        ).scalars()
    )
    tokens: list[str] = []
    stayed = 0
    for participant in participants:
        seconds = participant.present_seconds
        if participant.left_at is None:
            seconds += int((now - participant.joined_at).total_seconds())
        if seconds >= limits.stayed_minutes * 60:
            stayed += 1
        if participant.left_at is None and not participant.removed:
            token = secrets.token_urlsafe(
                12
            )  # 16 characters: the button value stays under Telegram's 64 bytes
            tokens.append(feedback_token_hash(core.keyring.pepper, token))
            texts, lang = core.texts, participant.language
            await queue_to_participant(
                work,
                participant,
                texts.text(lang, "group_ended", title=group.title),
                choices=[
                    (f"group:fb:{group.id}:{token}:yes", texts.text(lang, "group_feedback_yes")),
                    (f"group:fb:{group.id}:{token}:no", texts.text(lang, "group_feedback_no")),
                ],
            )
    if was_open or participants:
        work.session.add(
            GroupAttendance(
                session_id=group.id,
                topic_id=group.topic_id,
                language=group.language,
                day=group.starts_at.astimezone(core.settings.zone).date().isoformat(),
                joined=len(participants),
                stayed=stayed,
                stayed_minutes=limits.stayed_minutes,
                feedback_tokens=tokens,
            )
        )
    message_ids = select(GroupMessage.id).where(GroupMessage.session_id == group.id)
    # Relayed copies not yet delivered are dropped: the session is over.
    await work.session.execute(
        sql_delete(OutboxRow).where(
            col(OutboxRow.message_id).in_(message_ids), col(OutboxRow.state) != "delivered"
        )
    )
    await work.session.execute(
        sql_delete(GroupParticipant).where(col(GroupParticipant.session_id) == group.id)
    )
    hours = min(group.keep_transcript_hours, limits.transcript_max_hours)
    if hours > 0 and was_open:
        group.transcript_until = now + timedelta(hours=hours)
    else:
        await shred_messages(work, group)
    group.state = str(GroupState.ENDED if was_open else GroupState.CANCELLED)
    group.ended_at = now
    work.session.add(group)
    await work.audit(
        actor,
        AuditAction.CLOSE,
        object_type="group_session",
        object_id=group.id,
        purpose=(
            f"joined={len(participants)} stayed={stayed} "
            f"transcript_hours={hours if was_open else 0}"
        ),
    )
    work.publish(group_topic(group.id), "group.ended", session=group.id)
    work.publish("staff", "group.ended", session=group.id)


async def shred_messages(work: Work, group: GroupSession) -> int:
    """Delete the session's messages and destroy its key (crypto-shred)."""
    result = await work.session.execute(
        sql_delete(GroupMessage).where(col(GroupMessage.session_id) == group.id)
    )
    await work.core.keys.destroy(
        work.session, group_key_owner(group.id), (KeyPurpose.CONVERSATION,)
    )
    group.transcript_until = None
    work.session.add(group)
    return int(getattr(result, "rowcount", 0) or 0)


async def record_feedback(work: Work, session_id: str, token: str, answer: str) -> bool:
    """Count one anonymous answer; a token counts once, and only for the session it came from."""
    attendance = await work.session.get(GroupAttendance, session_id)
    hashed = feedback_token_hash(work.core.keyring.pepper, token)
    if (
        attendance is None
        or hashed not in attendance.feedback_tokens
        or answer not in ("yes", "no")
    ):
        return False
    attendance.feedback_tokens = [t for t in attendance.feedback_tokens if t != hashed]
    if answer == "yes":
        attendance.feedback_useful += 1
    else:
        attendance.feedback_not_useful += 1
    work.session.add(attendance)
    return True


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
