"""Staff actions on conversations: claim, release, transfer, reply, note, close, read, reveal.

Each is one transaction with an audit record and hub events published after commit; access
is checked here, on every call, whatever the caller (console page, JSON API, websocket).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from privacy.audit import AuditAction, AuditOutcome
from privacy.crypto import seal, unseal
from privacy.errors import PrivacyError

from ..conversation import (
    RESIDENT_LEFT,
    StaffClaimed,
    StaffClosed,
    StaffReleased,
    StaffTransferred,
    State,
)
from ..conversation_keys import conversation_key
from ..effects import run_event
from ..errors import ServiceError
from ..events import Author
from ..hub_topics import conversation_topic, queue_topic
from ..ids import new_id
from ..message_body import MessageBody, Placeholder
from ..messages import store_message
from ..outbox_writer import queue_outbound
from ..queueing import announce_positions
from ..read_audit import audit_read
from ..roles import Capability, Role, can
from ..sealed_formats import BLOCK_REASON, MESSAGE_BODY, NOTE_BODY, PII_VALUE
from ..sealing import KeyPurpose
from ..store import conversations as conversation_store
from ..store import queues as queue_store
from ..store import users as user_store
from ..store.tables import Block, Conversation, Note, PiiItem, StaffUser
from . import close_tags
from .context import (
    Actor,
    Core,
    Denial,
    Work,
    conversation_access,
    may_act,
    may_lift_block,
    unit_of_work,
    works_in,
)
from .context import may_see_exists as may_see_exists  # lists import it from here
from .users import resident_name

MAX_REPLY_CHARS = 4000
MIN_REASON_CHARS = 5
OUTCOMES = (
    "advice_given",
    "referred_other_service",
    "referred_client_process",
    "no_contact",
    "other",
)


class ActionError(ServiceError):
    """A refused action. `code` is stable (the JSON API returns it); the text is for staff."""


@dataclass(frozen=True, slots=True)
class Staff:
    """A signed-in staff member as the actions see them. `display_name` is the name residents
    see, "" when none was chosen (`users.resident_name`): never the login."""

    user_id: str
    role: Role
    display_name: str
    queues: frozenset[str]
    max_concurrent: int = 3

    def actor(self, unit: str | None = None) -> Actor:
        return Actor(self.user_id, str(self.role), unit or "")

    @classmethod
    async def load(cls, work: Work, user_id: str) -> Staff:
        user = await user_store.by_id(work.session, user_id)
        if user is None or not user.active:
            raise ActionError("forbidden", "this account is not active")
        return cls.of(user, await user_store.queue_ids(work.session, user.id))

    @classmethod
    def of(cls, user: StaffUser, queues: Sequence[str]) -> Staff:
        return cls(
            user.id, Role(user.role), resident_name(user), frozenset(queues), user.max_concurrent
        )


def counsellor_name(core: Core, staff: Staff, language: str | None) -> str:
    """The counsellor as residents see them: the chosen display name, else the neutral word for
    a counsellor in the resident's language."""
    return staff.display_name or core.texts.text(language or "", "webchat_counsellor")


def may_read(staff: Staff, conversation: Conversation) -> bool:
    """Reading content is acting on the conversation: the one rule in `context`."""
    return may_act(staff, conversation)


REFUSED = {
    Denial.ROLE: "your role does not work on conversations",
    Denial.OTHER_QUEUE: "you do not work in this queue",
    Denial.CLAIMED_BY_OTHER: "this conversation is another counsellor's",
    Denial.GONE: "no such conversation",
}


# A refused read: the audit record's purpose (stable values, listed in
# docs/privacy-officer.md) and what the console shows. Nobody holds an unclaimed conversation,
# so "claimed by another" is only ever recorded when someone does.
READ_REFUSED = {
    Denial.ROLE: ("role reads no conversations", "your role does not read conversations"),
    Denial.OTHER_QUEUE: ("other queue", "this conversation is in a queue you do not work in"),
    Denial.CLAIMED_BY_OTHER: (
        "claimed by another",
        "this conversation is being answered by a colleague",
    ),
    Denial.GONE: ("gone", "no such conversation"),
}


def _require_access(staff: Staff, conversation: Conversation) -> None:
    denial = conversation_access(staff, conversation)
    if denial is not None:
        raise ActionError("forbidden", REFUSED[denial])


async def _load(work: Work, staff: Staff, conversation_id: str) -> Conversation:
    conversation = await conversation_store.get(work.session, conversation_id)
    if conversation is None or not may_see_exists(staff, conversation):
        raise ActionError("not_found", "no such conversation")
    return conversation


async def _denied(
    work: Work, staff: Staff, action: AuditAction, conversation: Conversation, why: str
) -> None:
    await work.audit(
        staff.actor(conversation.queue_id),
        action,
        object_type="conversation",
        object_id=conversation.id,
        subject_ref=conversation.id,
        purpose=why,
        outcome=AuditOutcome.DENIED,
    )


def _require_assigned(staff: Staff, conversation: Conversation) -> None:
    if conversation.state == State.CLOSED and conversation.close_outcome == RESIDENT_LEFT:
        # Said as such: "not active" would leave the counsellor writing into the void.
        raise ActionError("resident_left", "the resident has left the chat (quick exit)")
    if conversation.state != State.ACTIVE:
        raise ActionError("invalid_state", "the conversation is not active")
    _require_access(staff, conversation)


async def claim(core: Core, staff: Staff, conversation_id: str) -> Conversation:
    """Atomic: of two counsellors claiming at once, exactly one wins."""
    async with unit_of_work(core) as work:
        conversation = await _load(work, staff, conversation_id)
        # Held by someone else is not a refusal here: the conditional update answers 409.
        if conversation_access(staff, conversation) in (Denial.ROLE, Denial.OTHER_QUEUE):
            raise ActionError("forbidden", "you do not work in this queue")
        if await conversation_store.active_count_for(work.session, staff.user_id) >= (
            staff.max_concurrent
        ):
            raise ActionError("too_many_active", "you already have your maximum of active chats")
        now = core.now()
        result = await work.session.execute(
            update(Conversation)
            .where(
                col(Conversation.id) == conversation_id,
                col(Conversation.state).in_((State.QUEUED.value, State.WAITING_HOURS.value)),
                col(Conversation.assigned_to).is_(None),
            )
            .values(
                state=State.ACTIVE.value,
                assigned_to=staff.user_id,
                claimed_at=now,
                version=Conversation.version + 1,
            )
        )
        if getattr(result, "rowcount", 0) != 1:
            await work.session.refresh(conversation)
            if conversation.close_outcome == RESIDENT_LEFT:
                raise ActionError("resident_left", "the resident has left the chat (quick exit)")
            raise ActionError("already_claimed", "someone else claimed this conversation first")
        await work.session.refresh(conversation)
        await run_event(
            work, conversation, StaffClaimed(counsellor_name(core, staff, conversation.language))
        )
        await work.audit(
            staff.actor(conversation.queue_id),
            AuditAction.CLAIM,
            object_type="conversation",
            object_id=conversation.id,
            subject_ref=conversation.id,
        )
        work.publish(
            queue_topic(conversation.queue_id),
            "conversation.claimed",
            conversation=conversation.id,
            by=staff.user_id,
        )
        work.publish(
            "staff", "conversation.claimed", conversation=conversation.id, by=staff.user_id
        )
        if conversation.queue_id:
            await announce_positions(work, conversation.queue_id)
    return conversation


async def release(core: Core, staff: Staff, conversation_id: str) -> Conversation:
    async with unit_of_work(core) as work:
        conversation = await _load(work, staff, conversation_id)
        _require_assigned(staff, conversation)
        conversation.assigned_to = None
        await run_event(work, conversation, StaffReleased())
        await work.audit(
            staff.actor(conversation.queue_id),
            AuditAction.RELEASE,
            object_type="conversation",
            object_id=conversation.id,
            subject_ref=conversation.id,
        )
        work.publish(
            queue_topic(conversation.queue_id), "conversation.queued", conversation=conversation.id
        )
        work.publish("staff", "conversation.released", conversation=conversation.id)
    return conversation


async def transfer(
    core: Core,
    staff: Staff,
    conversation_id: str,
    *,
    to_queue: str | None = None,
    to_user: str | None = None,
    note: str = "",
) -> Conversation:
    if (to_queue is None) == (to_user is None):
        raise ActionError("invalid_input", "transfer to exactly one queue or one counsellor")
    async with unit_of_work(core) as work:
        conversation = await _load(work, staff, conversation_id)
        _require_assigned(staff, conversation)
        target_queue = conversation.queue_id
        if to_queue is not None:
            if not await queue_store.queue_exists(work.session, to_queue):
                raise ActionError("invalid_input", "no such queue")
            target_queue = to_queue
            conversation.assigned_to = None
            conversation.queued_at = core.now()
        else:
            assert to_user is not None
            target = await user_store.by_id(work.session, to_user)
            if target is None or not target.active:
                raise ActionError("invalid_input", "no such counsellor")
            colleague = Staff.of(target, await user_store.queue_ids(work.session, target.id))
            if not works_in(colleague, conversation.queue_id):
                raise ActionError("invalid_input", "that counsellor does not work in this queue")
            conversation.assigned_to = target.id
        if note.strip():
            await add_note_in(work, conversation, staff, note)
        await run_event(
            work, conversation, StaffTransferred(target_queue, to_counsellor=to_user is not None)
        )
        await work.audit(
            staff.actor(conversation.queue_id),
            AuditAction.TRANSFER,
            object_type="conversation",
            object_id=conversation.id,
            subject_ref=conversation.id,
            purpose=f"queue:{to_queue}" if to_queue else f"counsellor:{to_user}",
        )
        for topic in {queue_topic(conversation.queue_id), "staff"}:
            work.publish(
                topic,
                "conversation.transferred",
                conversation=conversation.id,
                queue=target_queue,
                to=to_user,
            )
        if to_queue is not None:
            await announce_positions(work, to_queue)
    return conversation


async def reply(core: Core, staff: Staff, conversation_id: str, text: str) -> str:
    """Send a counsellor's reply; returns the stored message id."""
    text = text.strip()
    if not text or len(text) > MAX_REPLY_CHARS:
        raise ActionError("invalid_input", f"a reply is 1-{MAX_REPLY_CHARS} characters")
    async with unit_of_work(core) as work:
        conversation = await _load(work, staff, conversation_id)
        _require_assigned(staff, conversation)
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
            display_name=staff.display_name or None,
        )
        conversation.triage = {**conversation.triage, "last_reply_at": core.now().isoformat()}
        conversation.reminded_at = None
        conversation.updated_at = core.now()
        work.session.add(conversation)
        await work.audit(
            staff.actor(conversation.queue_id),
            AuditAction.REPLY,
            object_type="message",
            object_id=message.id,
            subject_ref=conversation.id,
        )
    return message.id


async def add_note_in(work: Work, conversation: Conversation, staff: Staff, text: str) -> Note:
    key = await conversation_key(work, conversation.id)
    note_id = new_id()
    note = Note(
        id=note_id,
        conversation_id=conversation.id,
        author_user_id=staff.user_id,
        sealed_body=seal(key, text.strip()[:MAX_REPLY_CHARS], aad=NOTE_BODY.context(note_id)),
        created_at=work.core.now(),
    )
    work.session.add(note)
    work.publish(
        conversation_topic(conversation.id),
        "note.created",
        conversation=conversation.id,
        note=note.id,
    )
    return note


async def note(core: Core, staff: Staff, conversation_id: str, text: str) -> str:
    """An internal note: never sent to the resident."""
    if not text.strip() or len(text) > MAX_REPLY_CHARS:
        raise ActionError("invalid_input", f"a note is 1-{MAX_REPLY_CHARS} characters")
    async with unit_of_work(core) as work:
        conversation = await _load(work, staff, conversation_id)
        _require_access(staff, conversation)
        created = await add_note_in(work, conversation, staff, text)
        await work.audit(
            staff.actor(conversation.queue_id),
            AuditAction.NOTE,
            object_type="note",
            object_id=created.id,
            subject_ref=conversation.id,
        )
    return created.id


async def close(
    core: Core,
    staff: Staff,
    conversation_id: str,
    *,
    outcome: str = "advice_given",
    tags: Sequence[str] = (),
) -> Conversation:
    if outcome not in OUTCOMES:
        raise ActionError("invalid_input", f"outcome is one of {', '.join(OUTCOMES)}")
    async with unit_of_work(core) as work:
        conversation = await _load(work, staff, conversation_id)
        if conversation.state == State.CLOSED:
            raise ActionError("invalid_state", "the conversation is closed already")
        _require_access(staff, conversation)
        try:
            # Only ids of tags the queue offers: free text would sit in this column in clear.
            chosen = await close_tags.chosen_tags(work.session, conversation.queue_id, tags)
        except close_tags.CloseTagRefused as refused:
            raise ActionError("unknown_close_tag", str(refused)) from None
        conversation.close_outcome = outcome
        conversation.close_tags = chosen
        await run_event(work, conversation, StaffClosed())
        await work.audit(
            staff.actor(conversation.queue_id),
            AuditAction.CLOSE,
            object_type="conversation",
            object_id=conversation.id,
            subject_ref=conversation.id,
            purpose=outcome,
        )
        work.publish("staff", "conversation.closed", conversation=conversation.id)
        if conversation.queue_id:
            await announce_positions(work, conversation.queue_id)
    return conversation


# ---- reading -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TranscriptMessage:
    id: str
    author: str
    kind: str
    text: str
    placeholders: tuple[Placeholder, ...]
    created_at: datetime
    delivered: bool | None


@dataclass(frozen=True, slots=True)
class TranscriptNote:
    id: str
    author_user_id: str
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Transcript:
    conversation: Conversation
    messages: tuple[TranscriptMessage, ...]
    notes: tuple[TranscriptNote, ...]
    pii_items: tuple[tuple[str, str, str, int], ...]  # (item id, kind, message id, ordinal)


async def read(core: Core, staff: Staff, conversation_id: str, *, reason: str = "") -> Transcript:
    """The redacted transcript. Every read is audited (repeats within the window by one record,
    bot/read_audit.py); a privacy officer must give a reason."""
    with_reason = can(staff.role, Capability.READ_WITH_REASON)
    purpose = _clean_reason(core, reason) if with_reason else ""
    transcript: Transcript | None = None
    denial: Denial | None = None
    async with unit_of_work(core) as work:
        conversation = await _load(work, staff, conversation_id)
        denial = None if with_reason else conversation_access(staff, conversation)
        if denial is None:
            transcript = await _transcript(work, conversation)
            # Repeats within the window (the console refetches on every event) are covered
            # by the window's first record; a refusal below is always written.
            await audit_read(
                work,
                staff.actor(conversation.queue_id),
                object_type="conversation",
                object_id=conversation.id,
                subject_ref=conversation.id,
                purpose=purpose,
            )
        else:
            # The refusal is committed too: attempts to read others' chats are worth knowing.
            await _denied(work, staff, AuditAction.READ, conversation, READ_REFUSED[denial][0])
    if transcript is None:
        assert denial is not None
        raise ActionError("forbidden", READ_REFUSED[denial][1])
    return transcript


def _clean_reason(core: Core, reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_CHARS:
        raise ActionError(
            "reason_required", f"give a reason of at least {MIN_REASON_CHARS} characters"
        )
    # The reason goes into the audit trail, which must never hold personal data.
    return core.redactor.redact(reason[:500]).text


async def _transcript(work: Work, conversation: Conversation) -> Transcript:
    key = await conversation_key(work, conversation.id)
    delivered = await _delivery_states(work, conversation.id)
    messages = []
    for message in await conversation_store.messages(work.session, conversation.id):
        body = MessageBody.decode(
            unseal(key, message.sealed_body, aad=MESSAGE_BODY.context(message.id))
        )
        messages.append(
            TranscriptMessage(
                message.id,
                message.author,
                message.kind,
                body.text,
                body.placeholders,
                message.created_at,
                delivered.get(message.id),
            )
        )
    notes = [
        TranscriptNote(
            n.id,
            n.author_user_id,
            unseal(key, n.sealed_body, aad=NOTE_BODY.context(n.id)),
            n.created_at,
        )
        for n in await conversation_store.notes(work.session, conversation.id)
    ]
    items = tuple(
        (item.id, item.kind, item.message_id, item.ordinal)
        for item in await conversation_store.pii_items(work.session, conversation.id)
    )
    return Transcript(conversation, tuple(messages), tuple(notes), items)


async def _delivery_states(work: Work, conversation_id: str) -> dict[str, bool]:
    from sqlmodel import select

    from ..store.tables import OutboxRow

    rows = await work.session.execute(
        select(OutboxRow.message_id, OutboxRow.state).where(
            OutboxRow.conversation_id == conversation_id
        )
    )
    return {m: state == "delivered" for m, state in rows.all() if m is not None}


async def reveal(
    core: Core, staff: Staff, conversation_id: str, item_id: str, *, reason: str
) -> str:
    """The original of one redacted item, for a stated reason; always audited."""
    purpose = _clean_reason(core, reason)
    async with unit_of_work(core) as work:
        conversation = await _load(work, staff, conversation_id)
        allowed = may_read(staff, conversation) or can(staff.role, Capability.READ_WITH_REASON)
        item = await work.session.get(PiiItem, item_id)
        if not allowed or item is None or item.conversation_id != conversation.id:
            await _denied(
                work,
                staff,
                AuditAction.REVEAL,
                conversation,
                "not permitted" if not allowed else "no such item",
            )
            value = None
        else:
            try:
                vault = await core.keys.get(work.session, conversation.id, KeyPurpose.PII_VAULT)
                value = unseal(vault, item.sealed_value, aad=PII_VALUE.context(item.id))
            except PrivacyError:
                value = None
            await work.audit(
                staff.actor(conversation.queue_id),
                AuditAction.REVEAL,
                object_type="pii_item",
                object_id=item.id,
                subject_ref=conversation.id,
                purpose=purpose,
                outcome=AuditOutcome.SUCCESS if value is not None else AuditOutcome.FAILED,
            )
    if value is None:
        raise ActionError("not_found", "that item cannot be revealed (gone or not permitted)")
    return value


# ---- blocks ------------------------------------------------------------------------------


async def block(core: Core, staff: Staff, conversation_id: str, *, days: int, reason: str) -> Block:
    """Block the resident's pseudonym for a while; the conversation ends without a word."""
    if not 1 <= days <= 365:
        raise ActionError("invalid_input", "a block lasts 1-365 days")
    purpose = _clean_reason(core, reason)
    if not can(staff.role, Capability.BLOCK):
        raise ActionError("forbidden", "you cannot block residents")
    async with unit_of_work(core) as work:
        conversation = await _load(work, staff, conversation_id)
        # Blocking ends the conversation: only who may act on it may (not any colleague).
        _require_access(staff, conversation)
        system = await core.keys.system_key(work.session)
        block_id = new_id()
        created = Block(
            id=block_id,
            pseudonym=conversation.pseudonym,
            created_by=staff.user_id,
            queue_id=conversation.queue_id,
            sealed_reason=seal(system, reason.strip()[:500], aad=BLOCK_REASON.context(block_id)),
            expires_at=core.now() + timedelta(days=days),
            created_at=core.now(),
        )
        work.session.add(created)
        if conversation.state != State.CLOSED:
            conversation.state = State.CLOSED.value
            conversation.closed_at = core.now()
            conversation.close_outcome = "other"
            conversation.triage = {**conversation.triage, "feedback": "done", "options": []}
            work.session.add(conversation)
        await work.audit(
            staff.actor(conversation.queue_id),
            AuditAction.BLOCK,
            object_type="block",
            object_id=created.id,
            subject_ref=conversation.pseudonym,
            purpose=f"{days} days: {purpose}",
        )
        work.publish("staff", "conversation.closed", conversation=conversation.id)
    return created


async def block_queues(session: AsyncSession, block_ids: Sequence[str]) -> dict[str, str]:
    """The queue each block came from ("" for none)."""
    if not block_ids:
        return {}
    rows = await session.execute(
        select(Block.id, Block.queue_id).where(col(Block.id).in_(list(block_ids)))
    )
    return {block_id: queue or "" for block_id, queue in rows.all()}


async def unblock(core: Core, staff: Staff, block_id: str) -> None:
    if not can(staff.role, Capability.BLOCK):
        raise ActionError("forbidden", "you cannot lift blocks")
    async with unit_of_work(core) as work:
        found = await work.session.get(Block, block_id)
        queue = (await block_queues(work.session, [block_id])).get(block_id, "")
        # Another queue's block is not even named: the same answer as no block at all.
        if found is None or found.lifted_at is not None or not may_lift_block(staff, queue):
            raise ActionError("not_found", "no such active block")
        found.lifted_at = core.now()
        work.session.add(found)
        await work.audit(
            staff.actor(queue),
            AuditAction.UNBLOCK,
            object_type="block",
            object_id=block_id,
            subject_ref=found.pseudonym,
        )
