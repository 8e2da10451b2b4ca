"""Appends hash-chained audit records inside the caller's transaction, and reads them back.

Records carry ids, roles and reasons only; the caller never passes message text here.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from privacy.audit import AuditAction, AuditChain, AuditOutcome, AuditRecord

from .rows import table_of
from .tables import AuditRow

# Any constant works: it names the one PostgreSQL advisory lock that orders the chain.
_AUDIT_LOCK_ID = 0x50_55_44_49_54


RECORD_FIELDS = tuple(field.name for field in dataclasses.fields(AuditRecord))


def row_to_record(row: AuditRow) -> AuditRecord:
    return AuditRecord(**{name: getattr(row, name) for name in RECORD_FIELDS})


def record_to_row(record: AuditRecord) -> AuditRow:
    values: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        value = getattr(record, name)
        values[name] = str(value) if isinstance(value, StrEnum) else value
    return AuditRow.row(**values)


async def last_record(session: AsyncSession) -> AuditRecord | None:
    row = (
        await session.execute(select(AuditRow).order_by(col(AuditRow.seq).desc()).limit(1))
    ).scalar_one_or_none()
    return row_to_record(row) if row is not None else None


async def append(session: AsyncSession, chain: AuditChain, **fields: Any) -> AuditRecord:
    """Add the next record of the chain to this transaction (fields as `next_record` takes).

    On PostgreSQL an advisory lock held until commit orders concurrent writers; SQLite
    transactions are already serialised by `Database.session`.
    """
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _AUDIT_LOCK_ID})
    record = chain.next_record(await last_record(session), **fields)
    session.add(record_to_row(record))
    return record


async def read_recorded_since(
    session: AsyncSession,
    since: datetime,
    *,
    actor_id: str,
    actor_role: str,
    unit: str,
    object_type: str,
    object_id: str,
    subject_ref: str,
    purpose: str,
) -> bool:
    """Whether exactly this successful read (same person, role, unit, object and purpose) is
    in the trail at or after `since`. The time bound keeps it on the short tail of `at`."""
    query = (
        select(AuditRow.seq)
        .where(
            col(AuditRow.at) >= since,
            AuditRow.action == AuditAction.READ.value,
            AuditRow.outcome == AuditOutcome.SUCCESS.value,
            AuditRow.actor_id == actor_id,
            AuditRow.actor_role == actor_role,
            AuditRow.unit == unit,
            AuditRow.object_type == object_type,
            AuditRow.object_id == object_id,
            AuditRow.subject_ref == subject_ref,
            AuditRow.purpose == purpose,
        )
        .limit(1)
    )
    return (await session.execute(query)).first() is not None


class _Sessions(Protocol):
    def session(self) -> AbstractAsyncContextManager[AsyncSession]: ...


async def read_all_values(database: _Sessions, *, batch: int = 2000) -> list[tuple[Any, ...]]:
    """Every record's fields (in `RECORD_FIELDS` order) in sequence order, one short
    transaction per batch.

    Plain rows, not ORM objects: building 5,000 objects per batch took the event loop for
    hundreds of milliseconds, and every other request waited (issue 23). On SQLite every
    transaction holds the one writer lock, so a batch at a time keeps residents' messages
    waiting one batch at most. Records only ever get appended, so the batches together are
    one consistent prefix.
    """
    table = table_of(AuditRow)
    columns = [table.c[name] for name in RECORD_FIELDS]
    out: list[tuple[Any, ...]] = []
    after = 0
    while True:
        query = select(*columns).where(table.c.seq > after).order_by(table.c.seq).limit(batch)
        async with database.session() as session:
            rows = (await session.execute(query)).all()
        if not rows:
            return out
        out.extend(tuple(row) for row in rows)
        after = rows[-1][0]
        await asyncio.sleep(0)  # let waiting requests run between batches


def records_of(values: list[tuple[Any, ...]]) -> list[AuditRecord]:
    """Records from `read_all_values` (cheap to run on a worker thread)."""
    return [AuditRecord(**dict(zip(RECORD_FIELDS, value, strict=True))) for value in values]


async def read_all(database: _Sessions, *, batch: int = 2000) -> list[AuditRecord]:
    """Every record in sequence order (see `read_all_values`)."""
    return records_of(await read_all_values(database, batch=batch))


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
