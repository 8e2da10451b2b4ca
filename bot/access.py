"""Who may read and act on what, and who the signed-in staff member is: the one place access
is decided. Actions, console handlers, live subscriptions and group sessions all ask here.

A privacy officer's reads with a stated reason are a separate, audited path
(`Capability.READ_WITH_REASON` in bot/actions/reading.py), not these rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from .core import Actor, Work
from .errors import ActionError
from .roles import Capability, Role, can
from .store import consultations as consultation_store
from .store import users as user_store
from .store.consultations import ConsultantAccount, Consultation, ConsultationState
from .store.group_tables import GroupSession
from .store.tables import Conversation, StaffUser

# ---- who the staff member is ------------------------------------------------------------------


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
        if user.role == Role.CONSULTANT and not consultation_store.account_open(
            await consultation_store.account(work.session, user.id), work.core.now()
        ):
            raise ActionError("forbidden", "this account has passed its end date")
        return cls.of(user, await user_store.queue_ids(work.session, user.id))

    @classmethod
    def of(cls, user: StaffUser, queues: Sequence[str]) -> Staff:
        return cls(
            user.id, Role(user.role), resident_name(user), frozenset(queues), user.max_concurrent
        )


def resident_name(user: StaffUser) -> str:
    """The name residents see for `user`: the display name they (or an admin) chose, or "" when
    none was: residents then see the neutral word for a counsellor in their own language.

    Accounts made without a display name stored their login in its place (and still do, so
    staff lists keep a name to show); a login never reaches a resident.
    """
    name = " ".join(user.display_name.split())
    return "" if not name or name == user.username else name


# ---- who may act on a conversation ------------------------------------------------------------


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
    NO_CONSENT = "no_consent"  # the resident has not agreed to show earlier conversations
    NOT_JOINED = "not_joined"  # a consultant the resident has not (or no longer) let in
    EXPIRED = "expired"  # a consultant account past its end date


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


class HeldConversation(Protocol):
    """What the rule reads of a conversation: a stored one, or a list's row of it."""

    @property
    def queue_id(self) -> str | None: ...

    @property
    def assigned_to(self) -> str | None: ...


def conversation_access(staff: StaffMember, conversation: HeldConversation | None) -> Denial | None:
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


def may_act(staff: StaffMember, conversation: HeldConversation) -> bool:
    return conversation_access(staff, conversation) is None


def earlier_access(
    staff: StaffMember, current: Conversation, earlier: Conversation | None, agreed: bool
) -> Denial | None:
    """None when `staff`, working on `current`, may read the same resident's `earlier`
    conversation: only with the resident's consent, whichever queue the earlier one was in."""
    denial = conversation_access(staff, current)
    if denial is not None:
        return denial
    if earlier is None or earlier.pseudonym != current.pseudonym or earlier.id == current.id:
        return Denial.GONE
    return None if agreed else Denial.NO_CONSENT


def may_follow(staff: StaffMember, conversation: Conversation | None) -> Denial | None:
    """Whether a live view may show this conversation's events: the rule, or an auditor's
    reason-bound read (events are ids only; content still goes through the audited read)."""
    if conversation is not None and can(staff.role, Capability.READ_WITH_REASON):
        return None
    return conversation_access(staff, conversation)


def may_see_exists(staff: StaffMember, conversation: HeldConversation) -> bool:
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


def may_read(staff: Staff, conversation: HeldConversation) -> bool:
    """Reading content is acting on the conversation: the same rule."""
    return may_act(staff, conversation)


# ---- consultants -------------------------------------------------------------------------------


def may_invite(staff: StaffMember, conversation: Conversation) -> bool:
    """Inviting a consultant is the work of whoever holds the conversation (or supervises its
    queue), and only while it has a counsellor."""
    return conversation.assigned_to is not None and conversation_access(staff, conversation) is None


def consultant_access(
    staff: StaffMember,
    consultation: Consultation | None,
    account: ConsultantAccount | None,
    now: datetime,
) -> Denial | None:
    """None when `staff`, a consultant, may read and write in the consultation's conversation
    now: invited into it, let in by the resident's yes, not sent away, and their account's
    end date still ahead. What they read starts at their joining (`joined_at`)."""
    if consultation is None or consultation.consultant_id != staff.user_id:
        return Denial.GONE
    if staff.role is not Role.CONSULTANT:
        return Denial.ROLE
    if not consultation_store.account_open(account, now):
        return Denial.EXPIRED
    if consultation.state != ConsultationState.JOINED or consultation.joined_at is None:
        return Denial.NOT_JOINED
    return None


async def consultant_may_follow(
    session: AsyncSession, staff: StaffMember, conversation_id: str, now: datetime
) -> Denial | None:
    """Whether a consultant's live view may show this conversation's events (ids only): while
    one of their consultations in it lets them read (`consultant_access`)."""
    mine = [
        row
        for row in await consultation_store.open_in(session, conversation_id)
        if row.consultant_id == staff.user_id
    ]
    if not mine:
        return Denial.NOT_JOINED
    account = await consultation_store.account(session, staff.user_id)
    denials = [consultant_access(staff, row, account, now) for row in mine]
    return None if None in denials else denials[0]


# ---- group sessions ---------------------------------------------------------------------------

MODERATOR_ROLES = frozenset({Role.COUNSELLOR, Role.SUPERVISOR})
"""Who may create and moderate group sessions."""


def may_create_sessions(staff: StaffMember) -> bool:
    return staff.role in MODERATOR_ROLES


def may_announce(staff: StaffMember) -> bool:
    """Announcements to residents who opted in are queue work."""
    return can(staff.role, Capability.WORK_QUEUES)


def may_moderate(staff: StaffMember, session: GroupSession) -> bool:
    """A session's own moderators, and supervisors and admins who see every queue."""
    if not may_create_sessions(staff):
        return False
    return staff.user_id in session.moderators or can(staff.role, Capability.SEE_ALL_QUEUES)
