"""A returning resident's earlier conversations, shown to the counsellor only with the
resident's consent (asked in their language, withdrawn with a command: bot/conversation.py).

Listing them shows dates and topics only; opening one is an audited read of that
conversation, redacted, with no reveal of what was hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.access import Denial, Staff, earlier_access
from bot.errors import ActionError
from privacy.audit import AuditAction

from ..read_audit import audit_read
from ..store import conversations as conversation_store
from ..store import returning
from .context import Core, unit_of_work
from .conversation_checks import READ_REFUSED, audit_denied, load_visible, require_access
from .reading import Transcript, transcript_of


@dataclass(frozen=True, slots=True)
class EarlierConversation:
    id: str
    created_at: datetime
    closed_at: datetime | None
    queue_id: str | None
    topic_id: str | None
    outcome: str | None


@dataclass(frozen=True, slots=True)
class ReturningResident:
    """`agreed`: the resident agreed to show earlier conversations; `earlier` is empty
    otherwise (whether there are any is not shown without consent)."""

    agreed: bool
    earlier: tuple[EarlierConversation, ...]


async def earlier_conversations(
    core: Core, staff: Staff, conversation_id: str
) -> ReturningResident:
    async with unit_of_work(core) as work:
        conversation = await load_visible(work, staff, conversation_id)
        require_access(staff, conversation)
        if await returning.decision(work.session, conversation.pseudonym) is not True:
            return ReturningResident(False, ())
        rows = await returning.earlier_conversations(
            work.session, conversation.pseudonym, conversation.id
        )
    earlier = tuple(
        EarlierConversation(
            row.id, row.created_at, row.closed_at, row.queue_id, row.topic_id, row.close_outcome
        )
        for row in rows
    )
    return ReturningResident(True, earlier)


async def read_earlier(
    core: Core, staff: Staff, conversation_id: str, earlier_id: str
) -> Transcript:
    """The redacted transcript of the same resident's earlier conversation, read from the
    one `staff` is working on; audited as a read of the earlier one, refusals too."""
    transcript: Transcript | None = None
    async with unit_of_work(core) as work:
        current = await load_visible(work, staff, conversation_id)
        earlier = await conversation_store.get(work.session, earlier_id)
        agreed = await returning.decision(work.session, current.pseudonym) is True
        denial = earlier_access(staff, current, earlier, agreed)
        if denial is None and earlier is not None:
            # Hidden items stay hidden: a reveal is for the conversation being worked on.
            transcript = replace(await transcript_of(work, earlier), pii_items=())
            await audit_read(
                work,
                staff.actor(current.queue_id),
                object_type="conversation",
                object_id=earlier.id,
                subject_ref=earlier.id,
                purpose=f"returning resident, with consent; from {current.id}",
            )
        else:
            denial = denial or Denial.GONE
            why = f"earlier: {READ_REFUSED[denial][0]}"
            await audit_denied(work, staff, AuditAction.READ, current, why)
    if transcript is None:
        assert denial is not None
        message = READ_REFUSED[denial][1]
        if denial is Denial.GONE:
            raise ActionError("not_found", message)
        raise ActionError("forbidden", message)
    return transcript
