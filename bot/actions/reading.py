"""Reading a conversation: the redacted transcript, and revealing one redacted item.

Every read and every reveal is audited, refusals too; a privacy officer reads only with a
stated reason, and a reveal always needs one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.access import Denial, Staff, conversation_access, may_read
from bot.errors import ActionError
from privacy.audit import AuditAction, AuditOutcome
from privacy.crypto import unseal
from privacy.errors import PrivacyError

from ..conversation_keys import conversation_key
from ..message_body import MessageBody, Placeholder
from ..read_audit import audit_read
from ..roles import Capability, can
from ..sealed_formats import MESSAGE_BODY, NOTE_BODY, PII_VALUE
from ..sealing import KeyPurpose
from ..store import attachments as attachment_store
from ..store import conversations as conversation_store
from ..store.tables import Conversation, PiiItem
from .context import Core, Work, unit_of_work
from .conversation_checks import (
    READ_REFUSED,
    audit_denied,
    audit_on,
    clean_reason,
    load_visible,
)


@dataclass(frozen=True, slots=True)
class TranscriptMessage:
    id: str
    author: str
    kind: str
    text: str
    placeholders: tuple[Placeholder, ...]
    created_at: datetime
    delivered: bool | None
    # A file's placeholder (its bytes are opened only by `files.open_file`, audited).
    attachment: TranscriptFile | None = None
    # Who of the staff wrote it (a colleague's or an invited consultant's message reads as
    # theirs in the console); None for the resident's and the bot's.
    author_user_id: str | None = None


@dataclass(frozen=True, slots=True)
class TranscriptFile:
    id: str
    kind: str
    size: int


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
    purpose = clean_reason(core, reason) if with_reason else ""
    transcript: Transcript | None = None
    denial: Denial | None = None
    async with unit_of_work(core) as work:
        conversation = await load_visible(work, staff, conversation_id)
        denial = None if with_reason else conversation_access(staff, conversation)
        if denial is None:
            transcript = await transcript_of(work, conversation)
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
            await audit_denied(work, staff, AuditAction.READ, conversation, READ_REFUSED[denial][0])
    if transcript is None:
        assert denial is not None
        raise ActionError("forbidden", READ_REFUSED[denial][1])
    return transcript


async def transcript_of(work: Work, conversation: Conversation) -> Transcript:
    """The redacted transcript, with no access check and no audit: the callers do both."""
    key = await conversation_key(work, conversation.id)
    delivered = await _delivery_states(work, conversation.id)
    messages = []
    files = {
        a.message_id: TranscriptFile(a.id, a.kind, a.size)
        for a in await attachment_store.of(work.session, conversation.id)
    }
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
                files.get(message.id),
                message.author_user_id,
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
    purpose = clean_reason(core, reason)
    async with unit_of_work(core) as work:
        conversation = await load_visible(work, staff, conversation_id)
        allowed = may_read(staff, conversation) or can(staff.role, Capability.READ_WITH_REASON)
        item = await work.session.get(PiiItem, item_id)
        if not allowed or item is None or item.conversation_id != conversation.id:
            await audit_denied(
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
            await audit_on(
                work,
                staff,
                AuditAction.REVEAL,
                conversation,
                object_type="pii_item",
                object_id=item.id,
                purpose=purpose,
                outcome=AuditOutcome.SUCCESS if value is not None else AuditOutcome.FAILED,
            )
    if value is None:
        raise ActionError("not_found", "that item cannot be revealed (gone or not permitted)")
    return value
