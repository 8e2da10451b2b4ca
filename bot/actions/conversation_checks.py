"""The checks a conversation action makes before it acts, and the refusals they give.

Access is checked on every call, whatever the caller; a refusal names no other person, and a
stated reason is redacted before it reaches the audit trail.
"""

from __future__ import annotations

from bot.access import Denial, Staff, conversation_access, may_see_exists
from bot.errors import ActionError
from privacy.audit import AuditAction, AuditOutcome

from ..conversation import RESIDENT_LEFT, State
from ..store import conversations as conversation_store
from ..store.tables import Conversation
from .context import Core, Work

MIN_REASON_CHARS = 5


REFUSED = {
    Denial.ROLE: "your role does not work on conversations",
    Denial.OTHER_QUEUE: "you do not work in this queue",
    Denial.CLAIMED_BY_OTHER: "this conversation is another counsellor's",
    Denial.GONE: "no such conversation",
    Denial.NO_CONSENT: "the resident has not agreed to show earlier conversations",
    Denial.NOT_JOINED: "the resident has not let you into this conversation",
    Denial.EXPIRED: "this account has passed its end date",
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
    Denial.NO_CONSENT: ("no consent", "the resident has not agreed to show earlier conversations"),
    Denial.NOT_JOINED: (
        "consultant not let in",
        "the resident has not let you into this conversation",
    ),
    Denial.EXPIRED: ("account past its end date", "this account has passed its end date"),
}


def require_access(staff: Staff, conversation: Conversation) -> None:
    denial = conversation_access(staff, conversation)
    if denial is not None:
        raise ActionError("forbidden", REFUSED[denial])


async def load_visible(work: Work, staff: Staff, conversation_id: str) -> Conversation:
    conversation = await conversation_store.get(work.session, conversation_id)
    if conversation is None or not may_see_exists(staff, conversation):
        raise ActionError("not_found", "no such conversation")
    return conversation


async def audit_on(
    work: Work,
    staff: Staff,
    action: AuditAction,
    conversation: Conversation,
    *,
    object_type: str = "conversation",
    object_id: str | None = None,
    purpose: str = "",
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
) -> None:
    """Audit what `staff` did in a conversation, as a member of its queue's unit. The
    conversation is the subject (it stands for the resident) and, unless another object (a
    message, a note) is named, the object too."""
    await work.audit(
        staff.actor(conversation.queue_id),
        action,
        object_type=object_type,
        object_id=conversation.id if object_id is None else object_id,
        subject_ref=conversation.id,
        purpose=purpose,
        outcome=outcome,
    )


async def audit_denied(
    work: Work, staff: Staff, action: AuditAction, conversation: Conversation, why: str
) -> None:
    await audit_on(work, staff, action, conversation, purpose=why, outcome=AuditOutcome.DENIED)


def require_assigned(staff: Staff, conversation: Conversation) -> None:
    if conversation.state == State.CLOSED and conversation.close_outcome == RESIDENT_LEFT:
        # Said as such: "not active" would leave the counsellor writing into the void.
        raise ActionError("resident_left", "the resident has left the chat (quick exit)")
    if conversation.state != State.ACTIVE:
        raise ActionError("invalid_state", "the conversation is not active")
    require_access(staff, conversation)


def clean_reason(core: Core, reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_CHARS:
        raise ActionError(
            "reason_required", f"give a reason of at least {MIN_REASON_CHARS} characters"
        )
    # The reason goes into the audit trail, which must never hold personal data.
    return core.redactor.redact(reason[:500]).text
