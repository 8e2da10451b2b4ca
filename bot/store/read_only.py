"""Long read-only queries (report aggregation) kept off the event loop on SQLite.

SQLite statements otherwise run inline on the event loop under the in-process write lock
(`sqlite_inline.py`, `Database.session`): an aggregation over years of counters would stall
every request meanwhile, `/healthz` included, and wait behind any open write. On a SQLite
file these statements run instead on a worker thread over a connection of their own, opened
read-only (URI ``mode=ro``), in one read transaction: the write-ahead log gives it a
consistent snapshot without the lock, and it can never write. PostgreSQL (or an in-memory
SQLite) keeps the ordinary async session.

Never for anything that writes, and never for reads that must see the caller's own
uncommitted work: the worker's snapshot is of what is committed.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Select
from sqlalchemy.dialects import sqlite

from bot.events import StoreUnavailable

from .db import Database

Rows = list[tuple[Any, ...]]
Query = Select[*tuple[Any, ...]]

BUSY_TIMEOUT_S = 5.0
"""A reader waits this long only where SQLite briefly refuses one (a log truncation)."""

_DIALECT = sqlite.dialect()


def sqlite_text(statement: Query) -> tuple[str, tuple[Any, ...]]:
    """The statement as SQLite text with its parameters in order (IN lists expanded)."""
    compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
    names = compiled.positiontup or []
    return str(compiled), tuple(compiled.params[name] for name in names)


def read_sqlite(path: Path, queries: Sequence[tuple[str, tuple[Any, ...]]]) -> list[Rows]:
    """Each query's rows from the SQLite file, read-only, all in one snapshot.

    Synchronous, for a worker thread (or process).
    """
    uri = path.resolve().as_uri() + "?mode=ro"
    connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        connection.execute("BEGIN")  # one snapshot for every query
        found = [list(connection.execute(sql, params).fetchall()) for sql, params in queries]
        connection.execute("COMMIT")
        return found
    finally:
        connection.close()


async def read_in_session(database: Database, statements: Sequence[Query]) -> list[Rows]:
    """Each statement's rows through an ordinary session (one transaction)."""
    async with database.session() as session:
        return [
            [tuple(row) for row in (await session.execute(statement)).all()]
            for statement in statements
        ]


async def read_rows(database: Database, statements: Sequence[Query]) -> list[Rows]:
    """Each statement's rows as plain tuples, off the event loop on a SQLite file."""
    path = database.sqlite_path
    if path is None:
        return await read_in_session(database, statements)
    queries = [sqlite_text(statement) for statement in statements]
    try:
        return await asyncio.to_thread(read_sqlite, path, queries)
    except sqlite3.OperationalError as error:  # as a session would say it
        raise StoreUnavailable(type(error).__name__) from None
