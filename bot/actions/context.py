"""What every action needs (store, keys, audit chain, hub, clock) and the unit of work.

A unit of work is one transaction; its hub events are published only after it commits,
and the audit checkpoint moves forward only then.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.hub import Hub, HubEvent
from bot.logs import log_event
from bot.metrics import Metrics
from bot.store import audit as audit_store
from bot.store.db import Database
from privacy.audit import (
    AuditAction,
    AuditChain,
    AuditOutcome,
    AuditRecord,
    make_checkpoint,
    write_checkpoint,
)
from privacy.crypto import KeyRing

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
    database: Database
    keyring: KeyRing
    hub: Hub
    metrics: Metrics
    checkpoint_path: Path | None = None
    clock: Callable[[], datetime] = utcnow
    audit_chain: AuditChain = field(init=False)
    _checkpoint_seq: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.audit_chain = AuditChain(self.keyring.audit_key)

    def now(self) -> datetime:
        return self.clock()

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
    if work.last_audit is not None:
        try:
            core.advance_checkpoint(work.last_audit)
        except OSError:
            log_event(log, "audit.checkpoint_failed", logging.ERROR, seq=work.last_audit.seq)
    for event in work.events:
        core.hub.publish(event)
