"""What every action needs (store, keys, audit chain, hub, clock), the unit of work, and the
one rule of who may act on a conversation or a block.

A unit of work is one transaction; its hub events are published only after it commits,
and the audit checkpoint moves forward only then. Never decide access anywhere but here:
actions, console handlers and live subscriptions all ask `conversation_access`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.flow_config import FlowCache
from bot.hub import Hub, HubEvent
from bot.hub_bridge import notify
from bot.ids import new_id
from bot.logs import log_event
from bot.metrics import Metrics
from bot.roles import Capability, Role, can
from bot.sealing import KeyStore
from bot.store import audit as audit_store
from bot.store.db import Database
from bot.store.tables import Conversation
from bot.texts import Texts
from privacy.audit import (
    AuditAction,
    AuditChain,
    AuditOutcome,
    AuditRecord,
    make_checkpoint,
    write_checkpoint,
)
from privacy.crypto import KeyRing
from privacy.redaction import Redactor

log = logging.getLogger("somesossu.actions")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who does something: a staff user, a resident (by pseudonym) or the system itself."""

    id: str
    role: str
    unit: str = ""


SYSTEM = Actor("system", "system")


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


@dataclass
class Core:
    """The services every action and the dispatcher use; built once by the app."""

    database: Database
    keyring: KeyRing
    hub: Hub
    metrics: Metrics
    settings: Settings
    checkpoint_path: Path | None = None
    clock: Callable[[], datetime] = utcnow
    texts: Texts = field(default_factory=Texts)
    redactor: Redactor = field(default_factory=Redactor)
    audit_chain: AuditChain = field(init=False)
    keys: KeyStore = field(init=False)
    flow: FlowCache = field(init=False)
    outbox_wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    instance_id: str = field(default_factory=new_id)
    _checkpoint_seq: int = field(default=0, init=False)
    _last_now: datetime = field(default=datetime.min.replace(tzinfo=UTC), init=False)

    def __post_init__(self) -> None:
        self.audit_chain = AuditChain(self.keyring.audit_key)
        self.keys = KeyStore(self.keyring)
        self.flow = FlowCache(self.texts)

    def now(self) -> datetime:
        """The time, strictly increasing within the process.

        Messages and outbox rows are ordered by their timestamps; two written in the same
        microsecond would otherwise come out in random order.
        """
        moment = self.clock()
        if moment <= self._last_now:
            moment = self._last_now + timedelta(microseconds=1)
        self._last_now = moment
        return moment

    def advance_checkpoint(self, record: AuditRecord) -> None:
        # Units of work can commit out of order; the checkpoint only ever moves forward.
        if self.checkpoint_path is None or record.seq <= self._checkpoint_seq:
            return
        write_checkpoint(self.checkpoint_path, make_checkpoint(self.keyring.audit_key, record))
        self._checkpoint_seq = record.seq


class Work:
    """One transaction of an action: its session, its audit records and its pending events."""

    def __init__(self, core: Core, session: AsyncSession) -> None:
        self.core = core
        self.session = session
        self.events: list[HubEvent] = []
        self.last_audit: AuditRecord | None = None
        self.outbox_added = False

    async def audit(
        self,
        actor: Actor,
        action: AuditAction,
        *,
        object_type: str,
        object_id: str = "",
        subject_ref: str = "",
        purpose: str = "",
        outcome: AuditOutcome = AuditOutcome.SUCCESS,
        unit: str | None = None,
        recipient: str = "",
        disclosure_basis: str = "",
    ) -> AuditRecord:
        record = await audit_store.append(
            self.session,
            self.core.audit_chain,
            at=self.core.now(),
            actor_id=actor.id,
            actor_role=actor.role,
            unit=actor.unit if unit is None else unit,
            subject_ref=subject_ref,
            object_type=object_type,
            object_id=object_id,
            action=action,
            purpose=purpose,
            outcome=outcome,
            recipient=recipient,
            disclosure_basis=disclosure_basis,
        )
        self.last_audit = record
        self.core.metrics.audit_records.labels(action=str(action)).inc()
        return record

    def publish(self, topic: str, kind: str, **payload: object) -> None:
        self.events.append(HubEvent(topic, kind, dict(payload)))


@asynccontextmanager
async def unit_of_work(core: Core) -> AsyncIterator[Work]:
    async with core.database.session() as session:
        work = Work(core, session)
        yield work
        if work.events and not core.database.is_sqlite:
            # Other instances hear of it on commit, and only if it commits.
            await notify(session, core.instance_id, work.events)
    if work.last_audit is not None:
        try:
            core.advance_checkpoint(work.last_audit)
        except OSError:
            log_event(log, "audit.checkpoint_failed", logging.ERROR, seq=work.last_audit.seq)
    for event in work.events:
        core.hub.publish(event)
    if work.outbox_added:
        core.outbox_wakeup.set()
