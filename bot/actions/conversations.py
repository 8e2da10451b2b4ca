"""Staff actions on a conversation's course: claim, release, transfer, reply, note, close.

Each is one transaction with an audit record and hub events published after commit; access
is checked here, on every call, whatever the caller (console page, JSON API, websocket).
Reading and revealing (`reading.py`) and blocks (`blocks.py`) are re-exported from here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from bot.access import Denial, Staff, conversation_access, may_read, may_see_exists, works_in
from bot.errors import ActionError
from privacy.audit import AuditAction
from privacy.crypto import seal

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
from ..events import Author
from ..hub_topics import conversation_topic, queue_topic
from ..ids import new_id
from ..language_routing import reserved_against
from ..logs import log_event
from ..messages import store_message
from ..outbox_writer import queue_outbound
from ..queueing import announce_positions
from ..sealed_formats import NOTE_BODY
from ..store import conversations as conversation_store
from ..store import queues as queue_store
from ..store import users as user_store
from ..store.tables import Conversation, Message, Note, Queue
from . import close_tags
from .blocks import block, block_queues, unblock
from .context import Core, Work, unit_of_work
from .conversation_checks import audit_on, load_visible, require_access, require_assigned
from .reading import Transcript, TranscriptMessage, TranscriptNote, read, reveal
from .staff import counsellor_name

log = logging.getLogger("somesossu.queue")

# What callers import from here: this module's actions, and those moved beside it.
__all__ = [
    "MAX_REPLY_CHARS",
    "OUTCOMES",
    "ActionError",
    "Staff",
    "Transcript",
    "TranscriptMessage",
    "TranscriptNote",
    "add_note_in",
    "block",
    "block_queues",
    "claim",
    "close",
    "counsellor_name",
    "may_read",
    "may_see_exists",
    "note",
    "read",
    "release",
    "reply",
    "reveal",
    "transfer",
    "unblock",
]

MAX_REPLY_CHARS = 4000
OUTCOMES = (
    "advice_given",
    "referred_other_service",
    "referred_client_process",
    "no_contact",
    "other",
)


async def claim(core: Core, staff: Staff, conversation_id: str) -> Conversation:
    """Atomic: of two counsellors claiming at once, exactly one wins."""
    async with unit_of_work(core) as work:
        conversation = await load_visible(work, staff, conversation_id)
        # Held by someone else is not a refusal here: the conditional update answers 409.
        if conversation_access(staff, conversation) in (Denial.ROLE, Denial.OTHER_QUEUE):
            raise ActionError("forbidden", "you do not work in this queue")
        if await reserved_against(work, conversation, staff.user_id):
            raise ActionError(
                "language_reserved",
                "a colleague who speaks the resident's language gets the first minutes",
            )
        if await _at_limit(work, staff.user_id, staff.max_concurrent):
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
        await audit_on(work, staff, AuditAction.CLAIM, conversation)
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
        await _announce_after(core, conversation.queue_id)
    return conversation


async def _at_limit(work: Work, user_id: str, max_concurrent: int) -> bool:
    """Whether the counsellor already has their maximum of active chats; their row stays
    locked until the claim or transfer commits, so two at once cannot both pass the count."""
    await user_store.lock_for_assignment(work.session, user_id)
    return await conversation_store.active_count_for(work.session, user_id) >= max_concurrent


async def _announce_after(core: Core, queue_id: str) -> None:
    """Tell the queue's waiting residents their new places in a transaction of their own,
    after the claim, transfer or close committed. Inside the claim it held one conversation's
    row while writing to the others: two claims in one queue on PostgreSQL locked each other
    (deadlock), and a claim waited for every position message. An action that stands is not
    undone by a failed announcement; the next change in the queue tells the places again."""
    try:
        async with unit_of_work(core) as work:
            # One announcement of a queue at a time (the queue's row locked; SQLite has one
            # writer anyway): each reads the line after the one before committed, so the
            # last place a resident is told is the true one.
            await work.session.execute(
                select(Queue).where(col(Queue.id) == queue_id).with_for_update()
            )
            await announce_positions(work, queue_id)
    except DBAPIError as error:
        log_event(log, "queue.positions_not_told", logging.WARNING, error=type(error).__name__)


async def release(core: Core, staff: Staff, conversation_id: str) -> Conversation:
    async with unit_of_work(core) as work:
        conversation = await load_visible(work, staff, conversation_id)
        require_assigned(staff, conversation)
        conversation.assigned_to = None
        await run_event(work, conversation, StaffReleased())
        await audit_on(work, staff, AuditAction.RELEASE, conversation)
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
        conversation = await load_visible(work, staff, conversation_id)
        require_assigned(staff, conversation)
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
            if await _at_limit(work, target.id, target.max_concurrent):
                raise ActionError(
                    "too_many_active", "that counsellor already has their maximum of active chats"
                )
            conversation.assigned_to = target.id
        if note.strip():
            await add_note_in(work, conversation, staff, note)
        conversation.transfers += 1
        await run_event(
            work, conversation, StaffTransferred(target_queue, to_counsellor=to_user is not None)
        )
        await audit_on(
            work,
            staff,
            AuditAction.TRANSFER,
            conversation,
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
        await _announce_after(core, to_queue)
    return conversation


async def reply(core: Core, staff: Staff, conversation_id: str, text: str) -> str:
    """Send a counsellor's reply; returns the stored message id."""
    text = text.strip()
    if not text or len(text) > MAX_REPLY_CHARS:
        raise ActionError("invalid_input", f"a reply is 1-{MAX_REPLY_CHARS} characters")
    async with unit_of_work(core) as work:
        conversation = await load_visible(work, staff, conversation_id)
        require_assigned(staff, conversation)
        message = await store_message(
            work,
            conversation,
            Author.COUNSELLOR,
            text,
            author_user_id=staff.user_id,
            readable_names=frozenset(staff.display_name.casefold().split()),
        )
        await send_as_counsellor(work, staff, conversation, message, text)
    return message.id


async def send_as_counsellor(
    work: Work,
    staff: Staff,
    conversation: Conversation,
    message: Message,
    text: str,
    *,
    document: str | None = None,
    purpose: str = "",
) -> None:
    """Queue a counsellor's stored message (a reply, a library document) to the resident, mark
    the conversation answered and audit it as their reply."""
    await queue_outbound(
        work,
        conversation,
        text=text,
        author=Author.COUNSELLOR,
        message=message,
        display_name=staff.display_name or None,
        document=document,
    )
    now = work.core.now()
    conversation.last_reply_at = now
    conversation.reminded_at = None
    conversation.updated_at = now
    work.session.add(conversation)
    await audit_on(
        work,
        staff,
        AuditAction.REPLY,
        conversation,
        object_type="message",
        object_id=message.id,
        purpose=purpose,
    )


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
        conversation = await load_visible(work, staff, conversation_id)
        require_access(staff, conversation)
        created = await add_note_in(work, conversation, staff, text)
        await audit_on(
            work, staff, AuditAction.NOTE, conversation, object_type="note", object_id=created.id
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
        conversation = await load_visible(work, staff, conversation_id)
        if conversation.state == State.CLOSED:
            raise ActionError("invalid_state", "the conversation is closed already")
        require_access(staff, conversation)
        try:
            # Only ids of tags the queue offers: free text would sit in this column in clear.
            chosen = await close_tags.chosen_tags(work.session, conversation.queue_id, tags)
        except close_tags.CloseTagRefused as refused:
            raise ActionError("unknown_close_tag", str(refused)) from None
        conversation.close_outcome = outcome
        conversation.close_tags = chosen
        await run_event(work, conversation, StaffClosed())
        await audit_on(work, staff, AuditAction.CLOSE, conversation, purpose=outcome)
        work.publish("staff", "conversation.closed", conversation=conversation.id)
    if conversation.queue_id:
        await _announce_after(core, conversation.queue_id)
    return conversation
