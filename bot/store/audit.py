"""Appends hash-chained audit records inside the caller's transaction, and reads them back.

Records carry ids, roles and reasons only; the caller never passes message text here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

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


_RAW_SELECT = (
    "SELECT seq, at, actor_id, actor_role, unit, subject_ref, object_type, object_id, action, "
    "purpose, outcome, recipient, disclosure_basis, prev_hash, hash FROM audit_record "
)
_RAW_NEXT = {
    "sqlite": _RAW_SELECT + "WHERE seq > ? ORDER BY seq LIMIT ?",
    "postgresql": _RAW_SELECT + "WHERE seq > $1 ORDER BY seq LIMIT $2",
}


async def iterate_raw(
    database: _Sessions, *, batch: int = 10_000
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """Batches of records' fields (in `RECORD_FIELDS` order) in sequence order, as the
    driver gives them, one short transaction per batch: memory stays bounded however long
    the trail is.

    Straight from the driver, past SQLAlchemy's rows and types (issue 23): reading was the
    larger part of a verification even as plain SQLAlchemy rows. So `at` comes unconverted:
    SQLite's stored text (``YYYY-MM-DD HH:MM:SS.ffffff``, UTC) or asyncpg's aware datetime.
    """
    after = 0
    while True:
        async with database.session() as session:
            connection = await session.connection()
            driver: Any = (await connection.get_raw_connection()).driver_connection
            if connection.dialect.name == "sqlite":
                cursor = await driver.execute(_RAW_NEXT["sqlite"], (after, batch))
                rows: list[tuple[Any, ...]] = list(await cursor.fetchall())
                await cursor.close()
            else:
                records = await driver.fetch(_RAW_NEXT["postgresql"], after, batch)
                rows = [tuple(record) for record in records]
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def read_sqlite_range(path: Path, after: int, upto: int) -> list[tuple[Any, ...]]:
    """Records with `after` < seq <= `upto` from a SQLite file, as `iterate_raw` gives them.

    Synchronous and self-contained, for a worker process: each reads its own share instead
    of the parent reading everything and sending it over a pipe. Opened read-only, so a
    verification can never write to the trail it checks.
    """
    connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        query = _RAW_SELECT + "WHERE seq > ? AND seq <= ? ORDER BY seq"
        return connection.execute(query, (after, upto)).fetchall()
    finally:
        connection.close()


# The time as SQLite keeps it (UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``), so that both databases'
# rows reach the quick pass alike and no datetime is built per record.
_RAW_RANGE_POSTGRES = (
    "SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), actor_id, "
    "actor_role, unit, subject_ref, object_type, object_id, action, purpose, outcome, "
    "recipient, disclosure_basis, prev_hash, hash FROM audit_record "
    "WHERE seq > $1 AND seq <= $2 ORDER BY seq"
)


def postgres_dsn(url: str) -> str:
    """The plain libpq URL of a SQLAlchemy ``postgresql+asyncpg://`` URL, for asyncpg."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def read_postgres_range(
    dsn: str, search_path: str | None, after: int, upto: int
) -> list[tuple[Any, ...]]:
    """Records with `after` < seq <= `upto` from PostgreSQL, times as SQLite text.

    Synchronous and self-contained like `read_sqlite_range`, for a worker process with its
    own connection: the parent no longer reads and pickles every batch (issue 23). In a
    read-only transaction, so a verification can never write to the trail it checks.
    """
    return asyncio.run(_read_postgres_range(dsn, search_path, after, upto))


async def _read_postgres_range(
    dsn: str, search_path: str | None, after: int, upto: int
) -> list[tuple[Any, ...]]:
    import asyncpg

    settings = {"search_path": search_path} if search_path is not None else None
    connection = await asyncpg.connect(dsn, server_settings=settings, timeout=30)
    try:
        async with connection.transaction(readonly=True):
            records = await connection.fetch(_RAW_RANGE_POSTGRES, after, upto, timeout=300)
    finally:
        await connection.close()
    return [tuple(record) for record in records]


async def max_seq(database: _Sessions) -> int:
    """The newest record's number (0 for an empty trail)."""
    table = table_of(AuditRow)
    async with database.session() as session:
        return int((await session.execute(select(func.max(table.c.seq)))).scalar_one() or 0)


async def count(database: _Sessions) -> int:
    """How many records the trail holds."""
    table = table_of(AuditRow)
    async with database.session() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


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
