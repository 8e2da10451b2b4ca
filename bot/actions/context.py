"""The one rule of who may act on a conversation or a block, and the core actions use.

`Core`, `Work`, `unit_of_work` and `Actor` live in bot/core.py and are re-exported here.
Never decide access anywhere but here: actions, console handlers and live subscriptions all
ask `conversation_access`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from bot.core import SYSTEM as SYSTEM
from bot.core import Actor as Actor
from bot.core import Core as Core
from bot.core import Work as Work
from bot.core import unit_of_work as unit_of_work
from bot.roles import Capability, Role, can
from bot.store.tables import Conversation

# ---- who may act on what ---------------------------------------------------------------------


class StaffMember(Protocol):
    """What the rule needs to know about a staff member (`conversations.Staff` has it)."""

    @property
    def user_id(self) -> str: ...

    @property
    def role(self) -> Role: ...

    @property
    def queues(self) -> frozenset[str]: ...


class Denial(StrEnum):
    """Why access to a conversation is refused; stable codes (the console socket sends them)."""

    ROLE = "role"  # the role does no queue work
    OTHER_QUEUE = "other_queue"  # the conversation is in a queue the user does not work in
    CLAIMED_BY_OTHER = "claimed_by_other"  # another counsellor holds it
    GONE = "gone"  # erased, or never existed


def supervises_all_queues(staff: StaffMember) -> bool:
    """A supervisor oversees the queues they are a member of; one who is a member of none
    oversees the whole service (the organisation's head of service)."""
    return (
        can(staff.role, Capability.WORK_QUEUES)
        and can(staff.role, Capability.SEE_ALL_QUEUES)
        and not staff.queues
    )


def works_in(staff: StaffMember, queue_id: str | None) -> bool:
    """Queue work (claiming from it, acting on its unclaimed conversations) is allowed here."""
    if not can(staff.role, Capability.WORK_QUEUES):
        return False
    if supervises_all_queues(staff):
        return True
    return queue_id is not None and queue_id in staff.queues


def supervises(staff: StaffMember, queue_id: str | None) -> bool:
    """A supervisor of this queue: may act on conversations claimed by anyone in it."""
    return can(staff.role, Capability.READ_CLAIMED_BY_OTHERS) and works_in(staff, queue_id)


def conversation_access(staff: StaffMember, conversation: Conversation | None) -> Denial | None:
    """THE rule: None when `staff` may read and act on `conversation`, else why not.

    Its counsellor (who claimed it) and a supervisor of its queue may; while nobody holds it,
    every counsellor of its queue may (claim it, note, close, block). A privacy officer's
    reads with a stated reason are a separate, audited path (`READ_WITH_REASON`), not this.
    """
    if conversation is None:
        return Denial.GONE
    if not can(staff.role, Capability.WORK_QUEUES):
        return Denial.ROLE
    if not works_in(staff, conversation.queue_id):
        return Denial.OTHER_QUEUE
    if conversation.assigned_to in (None, staff.user_id):
        return None
    if supervises(staff, conversation.queue_id):
        return None
    return Denial.CLAIMED_BY_OTHER


def may_act(staff: StaffMember, conversation: Conversation) -> bool:
    return conversation_access(staff, conversation) is None


def may_follow(staff: StaffMember, conversation: Conversation | None) -> Denial | None:
    """Whether a live view may show this conversation's events: the rule, or an auditor's
    reason-bound read (events are ids only; content still goes through the audited read)."""
    if conversation is not None and can(staff.role, Capability.READ_WITH_REASON):
        return None
    return conversation_access(staff, conversation)


def may_see_exists(staff: StaffMember, conversation: Conversation) -> bool:
    """Lists show that a conversation exists (never its content) to these users."""
    return (
        works_in(staff, conversation.queue_id)
        or can(staff.role, Capability.SEE_ALL_QUEUES)
        or can(staff.role, Capability.AUDIT)
    )


def block_queues_visible(staff: StaffMember) -> frozenset[str] | None:
    """The queues whose blocks `staff` may list: None for all (supervisors, auditors)."""
    if supervises_all_queues(staff) or can(staff.role, Capability.AUDIT):
        return None
    if can(staff.role, Capability.BLOCK):
        return staff.queues
    return frozenset()


def may_lift_block(staff: StaffMember, block_queue: str) -> bool:
    """Lifting a block is queue work: the counsellors of the queue it came from, supervisors."""
    return can(staff.role, Capability.BLOCK) and works_in(staff, block_queue or None)
