"""Ending a group session: goodbyes, attendance kept as counts, and forgetting the rest.

Never keeps a participant or (by default) a message past the end: the session key is
destroyed; feedback is counted by one-time token hashes, never by who answered.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import delete as sql_delete
from sqlmodel import col, select

from bot.actions.context import Actor, Work
from bot.errors import ActionError
from bot.sealing import KeyPurpose
from bot.store.tables import OutboxRow
from privacy.audit import AuditAction

from .delivery import group_key_owner, queue_to_participant
from .session_rules import GroupLimits, GroupState, every_row, tell_moderators
from .tables import GroupAttendance, GroupMessage, GroupParticipant, GroupSession


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
    participants = await every_row(
        work.session,
        select(GroupParticipant).where(GroupParticipant.session_id == group.id),
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
    tell_moderators(work, group.id, "group.ended")
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
