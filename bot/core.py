"""The core's services (store, keys, audit chain, hub, clock) and the unit of work.

A unit of work is one transaction; its hub events are published only after it commits, and
the audit checkpoint moves forward only then. Never decides who may do what (bot/actions/).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

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

from .config import Settings
from .flow_config import FlowCache
from .hub import Hub, HubEvent
from .hub_bridge import notify
from .ids import new_id
from .logs import log_event
from .metrics import Metrics
from .sanitiser_process import SanitiserWorkers
from .sealing import KeyStore
from .store import audit as audit_store
from .store.db import Database
from .texts import Texts

# The logger keeps the name it had in bot/actions/context.py: alerts match on it.
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
    # Residents' files are made safe in worker processes, started on the first file.
    sanitiser: SanitiserWorkers = field(default_factory=SanitiserWorkers)
    audit_chain: AuditChain = field(init=False)
    keys: KeyStore = field(init=False)
    flow: FlowCache = field(init=False)
    outbox_wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    instance_id: str = field(default_factory=new_id)
    _checkpoint_seq: int = field(default=0, init=False)
    _checkpoint_newest: AuditRecord | None = field(default=None, init=False)
    _checkpoint_writing: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
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

    async def advance_checkpoint(self, record: AuditRecord) -> None:
        """Move the checkpoint file to `record` (or further) before returning.

        The file is replaced with an fsync, several milliseconds each: on a worker thread, so
        the event loop serves others meanwhile, and one write at a time. Whoever waited
        behind a write writes the newest record committed by then, so a burst of audited
        actions costs a few writes, not one each.
        """
        # Units of work can commit out of order; the checkpoint only ever moves forward.
        path = self.checkpoint_path
        if path is None or record.seq <= self._checkpoint_seq:
            return
        if self._checkpoint_newest is None or record.seq > self._checkpoint_newest.seq:
            self._checkpoint_newest = record
        async with self._checkpoint_writing:
            newest = self._checkpoint_newest
            if newest is None or newest.seq <= self._checkpoint_seq:
                return  # written, with a newer record, while this one waited
            checkpoint = make_checkpoint(self.keyring.audit_key, newest)
            await asyncio.to_thread(write_checkpoint, path, checkpoint)
            self._checkpoint_seq = newest.seq


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
            await core.advance_checkpoint(work.last_audit)
        except OSError:
            log_event(log, "audit.checkpoint_failed", logging.ERROR, seq=work.last_audit.seq)
    for event in work.events:
        core.hub.publish(event)
    if work.outbox_added:
        core.outbox_wakeup.set()
