"""What a session's moderators do in the console: remove a message, mute or remove a participant,
post, pin an agenda, end the session, read the live session.

Each is one unit of work with an audit record; only the session's moderators (and supervisors)
may act, and nothing here shows a moderator a participant's platform identity.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete as sql_delete
from sqlmodel import col, select

from bot.access import Staff
from bot.actions.context import Core, unit_of_work
from bot.actions.conversations import counsellor_name
from bot.errors import ActionError
from bot.read_audit import audit_read
from bot.store.tables import OutboxRow
from privacy.audit import AuditAction
from privacy.crypto import seal, unseal

from .delivery import deliveries_aad, group_key, message_aad, queue_to_participant
from .relay import fan_out, read_body, store_group_message
from .session_rules import every_row, tell_moderators
from .sessions import (
    GroupState,
    end_session,
    leave,
    load_session,
    present,
    require_moderator,
)
from .tables import GroupMessage, GroupParticipant, GroupSession

AGENDA_MAX = 500


@dataclass(frozen=True, slots=True)
class LiveMessage:
    id: str
    nickname: str | None
    moderator: bool
    text: str
    at: datetime
    held_back: bool
    removed: bool


@dataclass(frozen=True, slots=True)
class LiveView:
    session: GroupSession
    participants: list[GroupParticipant]
    messages: list[LiveMessage]


async def live_view(core: Core, staff: Staff, session_id: str) -> LiveView:
    """The session as its moderators see it: nicknames and redacted messages (audited read)."""
    async with unit_of_work(core) as work:
        group = await load_session(work, session_id)
        require_moderator(staff, group)
        participants = await every_row(
            work.session,
            select(GroupParticipant)
            .where(GroupParticipant.session_id == group.id)
            .order_by(col(GroupParticipant.joined_at)),
        )
        rows = await every_row(
            work.session,
            select(GroupMessage)
            .where(GroupMessage.session_id == group.id)
            .order_by(col(GroupMessage.created_at)),
        )
        messages = []
        for row in rows:
            body = await read_body(work, row) if row.removed_at is None else {}
            messages.append(
                LiveMessage(
                    id=row.id,
                    nickname=body.get("nickname"),
                    moderator=row.moderator_user_id is not None,
                    text=body.get("text") or "",
                    at=row.created_at,
                    held_back=row.held_back,
                    removed=row.removed_at is not None,
                )
            )
        await audit_read(  # repeats within the window: one record (bot/read_audit.py)
            work,
            staff.actor(),
            object_type="group_session",
            object_id=group.id,
            purpose="moderating the live session",
        )
    return LiveView(group, participants, messages)


async def post(core: Core, staff: Staff, session_id: str, text: str) -> str:
    """Post to every participant under the moderator's display name; returns the message id."""
    text = text.strip()
    if not text or len(text) > core.settings.max_message_chars:
        raise ActionError("invalid_input", "a message is 1 to max_message_chars characters")
    async with unit_of_work(core) as work:
        group = await load_session(work, session_id)
        require_moderator(staff, group)
        if group.state != GroupState.OPEN:
            raise ActionError("invalid_state", "the session is not open")
        redaction = core.redactor.redact(text)
        message = await store_group_message(
            work,
            group,
            redaction.text,
            moderator_user_id=staff.user_id,
            redacted_items=len(redaction.findings),
        )
        await fan_out(
            work,
            group,
            message,
            exclude=None,
            text_of="group_moderator_says",
            params={
                "name": counsellor_name(core, staff, group.language),
                "text": redaction.text,
            },
        )
        await work.audit(
            staff.actor(),
            AuditAction.REPLY,
            object_type="group_message",
            object_id=message.id,
            subject_ref=group.id,
        )
        tell_moderators(work, group.id, "group.message", message=message.id)
    return message.id


async def remove_message(core: Core, staff: Staff, session_id: str, message_id: str) -> int:
    """Withdraw a message: undelivered copies dropped, delivered ones retracted where possible.

    Returns how many participants got the removal notice.
    """
    async with unit_of_work(core) as work:
        group = await load_session(work, session_id)
        require_moderator(staff, group)
        message = await work.session.get(GroupMessage, message_id)
        if message is None or message.session_id != group.id:
            raise ActionError("not_found", "no such message in this session")
        if message.removed_at is not None:
            raise ActionError("invalid_state", "the message was removed already")
        key = await group_key(work, group.id)
        nickname = (await read_body(work, message)).get("nickname") or ""
        deliveries: dict[str, str] = (
            json.loads(unseal(key, message.sealed_deliveries, aad=deliveries_aad(message.id)))
            if message.sealed_deliveries is not None
            else {}
        )
        rows = {
            row.id: row
            for row in (
                await work.session.execute(
                    select(OutboxRow).where(col(OutboxRow.id).in_(list(deliveries)))
                )
            ).scalars()
        }
        await work.session.execute(
            sql_delete(OutboxRow).where(
                col(OutboxRow.id).in_(list(deliveries)), col(OutboxRow.state) == "pending"
            )
        )
        notified = 0
        if group.state == GroupState.OPEN:
            for participant in await present(work.session, group.id):
                row = next(
                    (rows[o] for o, p in deliveries.items() if p == participant.id and o in rows),
                    None,
                )
                if row is None or row.state == "pending":
                    continue  # never reached them: nothing to explain
                # Every adapter takes the one message off the platform where it can.
                retract = [row.delivery_id] if row.delivery_id else None
                await queue_to_participant(
                    work,
                    participant,
                    core.texts.text(
                        participant.language, "group_message_removed", nickname=nickname
                    ),
                    retract=retract,
                )
                notified += 1
        message.removed_at = core.now()
        # The text is gone for good: the sealed body is replaced by an empty one.
        message.sealed_body = seal(key, json.dumps({}), aad=message_aad(message.id))
        work.session.add(message)
        await work.audit(
            staff.actor(),
            AuditAction.DELETE,
            object_type="group_message",
            object_id=message.id,
            subject_ref=group.id,
            purpose="moderator removed a group message",
        )
        tell_moderators(work, group.id, "group.message_removed", message=message.id)
    return notified


async def restrict(
    core: Core, staff: Staff, session_id: str, participant_id: str, *, remove: bool
) -> None:
    """Mute (`remove=False`) or remove a participant for the rest of the session."""
    async with unit_of_work(core) as work:
        group = await load_session(work, session_id)
        require_moderator(staff, group)
        participant = await work.session.get(GroupParticipant, participant_id)
        if participant is None or participant.session_id != group.id:
            raise ActionError("not_found", "no such participant in this session")
        if participant.removed or (participant.muted and not remove):
            raise ActionError("invalid_state", "already done")
        lang = participant.language
        if remove:
            if participant.left_at is None:
                await leave(work, participant, tell=False)
            participant.removed = True
            await queue_to_participant(
                work, participant, core.texts.text(lang, "group_removed", title=group.title)
            )
        else:
            participant.muted = True
            await queue_to_participant(work, participant, core.texts.text(lang, "group_muted"))
        work.session.add(participant)
        action = "removed" if remove else "muted"
        await work.audit(
            staff.actor(),
            AuditAction.BLOCK,
            object_type="group_participant",
            object_id=participant.id,
            subject_ref=group.id,
            purpose=f"participant {action} for the rest of the session",
        )
        tell_moderators(
            work,
            group.id,
            f"group.participant_{action}",
            participant=participant.id,
        )


async def pin_agenda(core: Core, staff: Staff, session_id: str, agenda: str) -> None:
    agenda = agenda.strip()
    if len(agenda) > AGENDA_MAX:
        raise ActionError("invalid_input", f"an agenda is at most {AGENDA_MAX} characters")
    async with unit_of_work(core) as work:
        group = await load_session(work, session_id)
        require_moderator(staff, group)
        if group.state in (GroupState.ENDED, GroupState.CANCELLED):
            raise ActionError("invalid_state", "the session is over")
        group.pinned_agenda = agenda or None
        work.session.add(group)
        if agenda and group.state == GroupState.OPEN:
            for participant in await present(work.session, group.id):
                await queue_to_participant(
                    work,
                    participant,
                    core.texts.text(participant.language, "group_agenda", agenda=agenda),
                )
        await work.audit(
            staff.actor(),
            AuditAction.UPDATE,
            object_type="group_session",
            object_id=group.id,
            purpose="agenda pinned" if agenda else "agenda unpinned",
        )
        tell_moderators(work, group.id, "group.agenda")


async def end(core: Core, staff: Staff, session_id: str) -> None:
    async with unit_of_work(core) as work:
        group = await load_session(work, session_id)
        require_moderator(staff, group)
        await end_session(work, group, staff.actor())
