"""Staff actions for consultants: an admin's consultant accounts, a counsellor's invitation and
ending, and what a consultant the resident let in may read and write.

Each is one transaction with its audit records; access is asked of `bot/access.py`. A
consultant reads only from the moment they joined, never the conversation's notes, and
nothing at all before the resident's yes, after the end, or past their account's end date.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.access import (
    Denial,
    Staff,
    consultant_access,
    may_invite,
    resident_name,
)
from bot.errors import ActionError
from privacy.audit import AuditAction

from ..consultations import DISCLOSURE_BASIS, PURPOSES, end_consultation
from ..conversation import State
from ..conversation_events import ConsultantInvited, ConsultantRemoved, EarlierShared
from ..effects import facts_of, run_event
from ..events import Author
from ..hub_topics import conversation_topic
from ..logs import log_event
from ..messages import store_message
from ..outbox_writer import queue_outbound
from ..read_audit import audit_read
from ..roles import Capability, Role, can
from ..store import consultations as store
from ..store import conversations as conversation_store
from ..store import users as user_store
from ..store.consultations import Consultation
from ..store.tables import Conversation
from .context import Core, Work, unit_of_work
from .conversation_checks import (
    READ_REFUSED,
    REFUSED,
    audit_denied,
    audit_on,
    load_visible,
    require_access,
)
from .conversations import MAX_REPLY_CHARS
from .reading import TranscriptMessage, transcript_of

log = logging.getLogger("somesossu.consultations")

MAX_ORGANISATION_CHARS = 200


@dataclass(frozen=True, slots=True)
class Consultant:
    """A consultant account a counsellor may invite: what the picker shows."""

    user_id: str
    display_name: str
    organisation: str
    valid_until: datetime


# ---- accounts (admins) ------------------------------------------------------------------------


async def set_consultant_account(
    core: Core, admin: Staff, user_id: str, *, organisation: str, valid_until: datetime
) -> Consultant:
    """Give a `consultant` account its organisation and end date (a new date renews it)."""
    if not can(admin.role, Capability.ADMINISTER):
        raise ActionError("forbidden", "only an administrator sets consultant accounts")
    organisation = " ".join(organisation.split())
    if not 1 <= len(organisation) <= MAX_ORGANISATION_CHARS:
        raise ActionError(
            "invalid_input", f"an organisation's name is 1-{MAX_ORGANISATION_CHARS} characters"
        )
    # Kept in clear on every consultation and disclosure record: a person's name, an identity
    # code or a phone number is refused rather than stored.
    if core.redactor.redact(organisation).findings:
        raise ActionError("invalid_input", "an organisation's name must not contain personal data")
    if valid_until.tzinfo is None or valid_until <= core.now():
        raise ActionError("invalid_input", "the end date must be in the future, with a time zone")
    async with unit_of_work(core) as work:
        user = await user_store.by_id(work.session, user_id)
        if user is None or user.role != Role.CONSULTANT:
            raise ActionError("not_found", "no such consultant account")
        await store.set_account(work.session, user.id, organisation, valid_until)
        await work.audit(
            admin.actor(),
            AuditAction.UPDATE,
            object_type="staff_user",
            object_id=user.id,
            purpose="consultant account",
            recipient=organisation,
        )
        return Consultant(user.id, resident_name(user), organisation, valid_until)


async def consultants(core: Core, staff: Staff) -> list[Consultant]:
    """The consultant accounts that may be invited now (active, end date ahead, a name)."""
    if not can(staff.role, Capability.WORK_QUEUES):
        raise ActionError("forbidden", REFUSED[Denial.ROLE])
    async with core.database.session() as session:
        accounts = await store.open_accounts(session, core.now())
    return [
        Consultant(user.id, resident_name(user), account.organisation, account.valid_until)
        for user, account in accounts
        if user.role == Role.CONSULTANT and user.active and resident_name(user)
    ]


# ---- invitation and end (the counsellor) ------------------------------------------------------


async def invite(
    core: Core, staff: Staff, conversation_id: str, *, consultant_id: str, purpose: str
) -> Consultation:
    """Invite a consultant: the resident is asked in their language; nobody joins before yes."""
    if purpose not in PURPOSES:
        raise ActionError("invalid_input", f"a purpose is one of {', '.join(PURPOSES)}")
    async with unit_of_work(core) as work:
        conversation = await load_visible(work, staff, conversation_id)
        require_access(staff, conversation)
        # Two invitations at once: the second waits here and then sees the first one's facts.
        await work.session.refresh(conversation, with_for_update=True)
        if not may_invite(staff, conversation) or conversation.state != State.ACTIVE:
            raise ActionError(
                "invalid_state", "only a conversation someone holds takes a consultant"
            )
        facts = facts_of(conversation)
        if facts.consult_asked or facts.consultant:
            raise ActionError(
                "invalid_state", "a consultant is invited to this conversation already"
            )
        user = await user_store.by_id(work.session, consultant_id)
        account = await store.account(work.session, consultant_id)
        if (
            user is None
            or not user.active
            or user.role != Role.CONSULTANT
            or not store.account_open(account, core.now())
            or not resident_name(user)
        ):
            raise ActionError("invalid_input", "no such consultant")
        assert account is not None
        row = Consultation(
            conversation_id=conversation.id,
            consultant_id=user.id,
            invited_by=staff.user_id,
            organisation=account.organisation,
            purpose=purpose,
            invited_at=core.now(),
        )
        work.session.add(row)
        await work.session.flush()
        await work.audit(
            staff.actor(conversation.queue_id),
            AuditAction.CREATE,
            object_type="consultation",
            object_id=row.id,
            subject_ref=conversation.id,
            purpose=f"consultation {purpose}: invited",
            recipient=account.organisation,
        )
        event = ConsultantInvited(row.id, resident_name(user), account.organisation, purpose)
        await run_event(work, conversation, event)
        work.publish(
            conversation_topic(conversation.id), "consultation.asked", conversation=conversation.id
        )
    return row


async def remove(core: Core, staff: Staff, conversation_id: str, consultation_id: str) -> None:
    """The counsellor ends a consultant's presence (or withdraws a pending invitation)."""
    async with unit_of_work(core) as work:
        conversation = await load_visible(work, staff, conversation_id)
        require_access(staff, conversation)
        row = await store.get(work.session, consultation_id)
        if row is None or row.conversation_id != conversation.id:
            raise ActionError("not_found", "no such consultation")
        if row.state not in store.OPEN:
            raise ActionError("invalid_state", "this consultation has ended already")
        joined = row.state == store.ConsultationState.JOINED
        await _remove_in(work, conversation, row, "counsellor")
        await audit_on(
            work,
            staff,
            AuditAction.UPDATE,
            conversation,
            object_type="consultation",
            object_id=row.id,
            purpose=f"consultation {'ended' if joined else 'lapsed'}: counsellor",
        )


async def _remove_in(work: Work, conversation: Conversation, row: Consultation, by: str) -> None:
    await run_event(work, conversation, ConsultantRemoved(row.id, by))
    # The machine ends what it knows of; a row it no longer knows (a lost race) ends too.
    await end_consultation(work, conversation, row.id, by)


MAX_SHARED_AT_ONCE = 50


async def share(
    core: Core,
    staff: Staff,
    conversation_id: str,
    consultation_id: str,
    message_ids: Sequence[str],
) -> int:
    """Show the consultant chosen messages from before they joined; each newly shared one is
    a disclosure to their organisation (audited as DISCLOSE), and the resident is told.
    Returns how many were newly shared (one shared before is not shared or counted again)."""
    wanted = list(dict.fromkeys(message_ids))
    if not 1 <= len(wanted) <= MAX_SHARED_AT_ONCE:
        raise ActionError("invalid_input", f"share 1-{MAX_SHARED_AT_ONCE} messages at a time")
    async with unit_of_work(core) as work:
        conversation = await load_visible(work, staff, conversation_id)
        require_access(staff, conversation)
        row = await store.get(work.session, consultation_id)
        if row is None or row.conversation_id != conversation.id:
            raise ActionError("not_found", "no such consultation")
        if row.state != store.ConsultationState.JOINED or row.joined_at is None:
            raise ActionError("invalid_state", "only a consultant in the chat is shown messages")
        messages = {
            m.id: m for m in await conversation_store.messages(work.session, conversation.id)
        }
        if any(m not in messages or messages[m].created_at >= row.joined_at for m in wanted):
            raise ActionError("invalid_input", "share only earlier messages of this conversation")
        already = await store.shared_ids(work.session, row.id)
        fresh = [m for m in wanted if m not in already]
        for message_id in fresh:
            work.session.add(
                store.ConsultationShare(
                    consultation_id=row.id,
                    message_id=message_id,
                    shared_by=staff.user_id,
                    shared_at=core.now(),
                )
            )
            await work.audit(
                staff.actor(conversation.queue_id),
                AuditAction.DISCLOSE,
                object_type="message",
                object_id=message_id,
                subject_ref=conversation.id,
                purpose=row.purpose,
                recipient=row.organisation,
                disclosure_basis=DISCLOSURE_BASIS,
            )
        if fresh:
            await run_event(work, conversation, EarlierShared(row.id))
    return len(fresh)


async def of_conversation(core: Core, staff: Staff, conversation_id: str) -> list[Consultation]:
    async with unit_of_work(core) as work:
        conversation = await load_visible(work, staff, conversation_id)
        require_access(staff, conversation)
        return await store.of_conversation(work.session, conversation.id)


async def end_expired(core: Core) -> int:
    """End the consultations of accounts past their end date (the scheduler, every minute)."""
    async with core.database.session() as session:
        due = [row.id for row in await store.open_of_expired(session, core.now())]
    for consultation_id in due:
        async with unit_of_work(core) as work:
            row = await store.get(work.session, consultation_id)
            conversation = await conversation_store.get(
                work.session, row.conversation_id if row else ""
            )
            if row is not None and conversation is not None and row.state in store.OPEN:
                await _remove_in(work, conversation, row, "expired")
    if due:
        log_event(log, "consultations.expired", ended=len(due))
    return len(due)


# ---- the consultant's own view ----------------------------------------------------------------


async def mine(core: Core, staff: Staff) -> list[Consultation]:
    """The consultant's consultations still asked or joined."""
    async with unit_of_work(core) as work:
        await Staff.load(work, staff.user_id)  # an account past its end date is refused here
        return await store.of_consultant(work.session, staff.user_id)


async def _joined(
    work: Work, staff: Staff, consultation_id: str, action: AuditAction
) -> tuple[Consultation, Conversation] | Denial:
    row = await store.get(work.session, consultation_id)
    account = await store.account(work.session, staff.user_id)
    conversation = await conversation_store.get(work.session, row.conversation_id) if row else None
    denial = consultant_access(staff, row, account, work.core.now())
    if denial is None and conversation is None:
        denial = Denial.GONE
    if denial is not None:
        if conversation is not None and denial is not Denial.GONE:
            await audit_denied(work, staff, action, conversation, READ_REFUSED[denial][0])
        return denial
    assert row is not None and conversation is not None
    return row, conversation


def _refuse(denial: Denial) -> ActionError:
    if denial is Denial.GONE:
        return ActionError("not_found", "no such consultation")
    return ActionError("forbidden", READ_REFUSED[denial][1])


@dataclass(frozen=True, slots=True)
class ConsultantView:
    """What a consultant sees: no notes, no hidden items, nothing from before they joined but
    the messages the counsellor showed them."""

    consultation: Consultation
    messages: tuple[TranscriptMessage, ...]
    shared: frozenset[str] = frozenset()
    """Ids of the earlier messages among `messages` the counsellor chose to show."""


async def read(core: Core, staff: Staff, consultation_id: str) -> ConsultantView:
    """The messages from the consultant's joining on, redacted; each read audited (coalesced
    like every read), each refusal too."""
    async with unit_of_work(core) as work:
        found = await _joined(work, staff, consultation_id, AuditAction.READ)
        if isinstance(found, Denial):
            refusal = _refuse(found)
        else:
            row, conversation = found
            full = await transcript_of(work, conversation)
            assert row.joined_at is not None
            since = row.joined_at
            shared = frozenset(await store.shared_ids(work.session, row.id))
            await audit_read(
                work,
                staff.actor(conversation.queue_id),
                object_type="conversation",
                object_id=conversation.id,
                subject_ref=conversation.id,
                purpose=f"consultation {row.purpose}",
            )
            shown = (m for m in full.messages if m.created_at >= since or m.id in shared)
            return ConsultantView(row, tuple(shown), shared)
    raise refusal


async def reply(core: Core, staff: Staff, consultation_id: str, text: str) -> str:
    """The consultant writes to the resident, shown under their name and organisation."""
    text = text.strip()
    if not text or len(text) > MAX_REPLY_CHARS:
        raise ActionError("invalid_input", f"a reply is 1-{MAX_REPLY_CHARS} characters")
    async with unit_of_work(core) as work:
        found = await _joined(work, staff, consultation_id, AuditAction.REPLY)
        if isinstance(found, Denial):
            refusal = _refuse(found)
        else:
            row, conversation = found
            message = await store_message(
                work,
                conversation,
                Author.COUNSELLOR,
                text,
                author_user_id=staff.user_id,
                readable_names=frozenset(staff.display_name.casefold().split()),
            )
            await queue_outbound(
                work,
                conversation,
                text=text,
                author=Author.COUNSELLOR,
                message=message,
                display_name=f"{staff.display_name} ({row.organisation})",
            )
            await audit_on(
                work, staff, AuditAction.REPLY, conversation, object_type="message",
                object_id=message.id,
            )  # fmt: skip
            return message.id
    raise refusal
