"""Rows written for every chat message, inserted with one executemany per table.

Why: SQLAlchemy's unit of work spends tens of microseconds on every object it inserts
(identity map, attribute history, bookkeeping after the flush), and it was the largest
single cost of an inbound message. A message, its vault items and its outbox rows are
written once and never changed in the transaction that makes them, so they skip it.

When they are written keeps the ORM's guarantees: after the session's own changes (their
parents, such as a conversation opened in the same transaction, are written first), before
any statement the session runs (a read, an erasure's delete) and at commit. A rollback
drops them with the rest of the transaction.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.sql.schema import Table as SqlTable

from .tables import Table

_PENDING = "somesossu.pending_rows"


class RowSession(Session):
    """The sessions `Database` makes: they write `add_row` rows at the right moments."""


def add_row(session: AsyncSession | Session, row: Table) -> None:
    """Insert `row` with this transaction, as `session.add` would, without tracking it.

    The row object stays transient: changing it afterwards changes nothing in the database.
    """
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    if not isinstance(sync, RowSession):
        sync.add(row)  # a plain session (tests, scripts): the ORM's way
        return
    sync.info.setdefault(_PENDING, []).append(row)


def pending_count(session: AsyncSession | Session) -> int:
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    return len(sync.info.get(_PENDING, ()))


_COLUMNS: dict[type[Table], tuple[str, ...]] = {}


def table_of(model: type[Table]) -> SqlTable:
    """The Core table of a table model, for statements that need no ORM."""
    table: SqlTable = model.__table__  # type: ignore[attr-defined]
    return table


def _column_keys(model: type[Table]) -> tuple[str, ...]:
    keys = _COLUMNS.get(model)
    if keys is None:
        keys = _COLUMNS[model] = tuple(column.key for column in table_of(model).columns)
    return keys


@functools.cache
def _table_rank() -> dict[SqlTable, int]:
    # Parents before children (a message before its vault items), as the ORM would order them.
    return {table: rank for rank, table in enumerate(Table.metadata.sorted_tables)}


def _write(session: Session) -> None:
    rows = session.info.pop(_PENDING, None)
    if not rows:
        return
    grouped: dict[tuple[SqlTable, frozenset[str]], list[dict[str, Any]]] = {}
    for row in rows:
        model = type(row)
        state = row.__dict__
        values = {key: state[key] for key in _column_keys(model) if key in state}
        grouped.setdefault((table_of(model), frozenset(values)), []).append(values)
    rank = _table_rank()
    connection = session.connection()
    for (table, _keys), values_list in sorted(grouped.items(), key=lambda g: rank[g[0][0]]):
        connection.execute(insert(table), values_list)


def _write_after_session_changes(session: Session) -> None:
    if not session.info.get(_PENDING):
        return
    session.flush()  # the ORM's changes first; its after_flush hook writes the rows
    _write(session)  # there were none


@event.listens_for(RowSession, "do_orm_execute")
def _before_statement(state: ORMExecuteState) -> None:
    _write_after_session_changes(state.session)


@event.listens_for(RowSession, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    _write(session)


@event.listens_for(RowSession, "before_commit")
def _before_commit(session: Session) -> None:
    _write_after_session_changes(session)


@event.listens_for(RowSession, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)
