"""Appends hash-chained audit records inside the caller's transaction, and reads them back.

Records carry ids, roles and reasons only; the caller never passes message text here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from privacy.audit import AuditAction, AuditChain, AuditOutcome, AuditRecord

from .tables import AuditRow

# Any constant works: it names the one PostgreSQL advisory lock that orders the chain.
_AUDIT_LOCK_ID = 0x50_55_44_49_54


def row_to_record(row: AuditRow) -> AuditRecord:
    return AuditRecord(
        seq=row.seq,
        at=row.at,
        actor_id=row.actor_id,
        actor_role=row.actor_role,
        unit=row.unit,
        subject_ref=row.subject_ref,
        object_type=row.object_type,
        object_id=row.object_id,
        action=AuditAction(row.action),
        purpose=row.purpose,
        outcome=AuditOutcome(row.outcome),
        recipient=row.recipient,
        disclosure_basis=row.disclosure_basis,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def record_to_row(record: AuditRecord) -> AuditRow:
    return AuditRow(
        seq=record.seq,
        at=record.at,
        actor_id=record.actor_id,
        actor_role=record.actor_role,
        unit=record.unit,
        subject_ref=record.subject_ref,
        object_type=record.object_type,
        object_id=record.object_id,
        action=str(record.action),
        purpose=record.purpose,
        outcome=str(record.outcome),
        recipient=record.recipient,
        disclosure_basis=record.disclosure_basis,
        prev_hash=record.prev_hash,
        hash=record.hash,
    )


async def last_record(session: AsyncSession) -> AuditRecord | None:
    row = (
        await session.execute(select(AuditRow).order_by(col(AuditRow.seq).desc()).limit(1))
    ).scalar_one_or_none()
    return row_to_record(row) if row is not None else None


async def append(
    session: AsyncSession,
    chain: AuditChain,
    *,
    at: datetime,
    actor_id: str,
    actor_role: str,
    action: AuditAction,
    object_type: str,
    object_id: str = "",
    unit: str = "",
    subject_ref: str = "",
    purpose: str = "",
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    recipient: str = "",
    disclosure_basis: str = "",
) -> AuditRecord:
    """Add the next record of the chain to this transaction.

    On PostgreSQL an advisory lock held until commit orders concurrent writers; SQLite
    transactions are already serialised by `Database.session`.
    """
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _AUDIT_LOCK_ID})
    previous = await last_record(session)
    record = chain.next_record(
        previous,
        at=at,
        actor_id=actor_id,
        actor_role=actor_role,
        unit=unit,
        subject_ref=subject_ref,
        object_type=object_type,
        object_id=object_id,
        action=action,
        purpose=purpose,
        outcome=outcome,
        recipient=recipient,
        disclosure_basis=disclosure_basis,
    )
    session.add(record_to_row(record))
    return record


async def iterate(session: AsyncSession, *, batch: int = 1000) -> AsyncIterator[AuditRecord]:
    """Every record in sequence order, in batches so that a long trail fits in memory."""
    after = 0
    while True:
        rows = (
            (
                await session.execute(
                    select(AuditRow)
                    .where(AuditRow.seq > after)
                    .order_by(col(AuditRow.seq))
                    .limit(batch)
                )
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        for row in rows:
            yield row_to_record(row)
        after = rows[-1].seq
