"""SQLite calls made on the event loop's own thread instead of aiosqlite's worker thread.

Why: one SQLite statement on a local file takes microseconds, but handing it to aiosqlite's
worker thread and waking the event loop again costs hundreds of microseconds on a busy
machine, and one inbound message is about thirty such calls. SQLite cannot be slow here for
long: transactions are serialised in-process (see `Database.session`), commits do not wait
for the disk (WAL with `synchronous=NORMAL`), and WAL checkpoints, the one step that does
wait for the disk, run on a worker thread (`checkpoint`).

What is left is another process holding the write lock (an officer script, `somesossu user
add`). Such a statement fails at once here (busy timeout 0) and is retried on the worker
thread with the usual busy timeout, so the event loop never sleeps in SQLite's busy handler.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite

BUSY_TIMEOUT_MS = 5000
_off_the_loop: ContextVar[bool] = ContextVar("sqlite_off_the_loop", default=False)


@contextmanager
def off_the_loop() -> Iterator[None]:
    """Run this task's SQLite statements on the worker thread, as aiosqlite normally does.

    For bulk work (retention, housekeeping) whose single statements may delete thousands of
    rows and overwrite their pages (`secure_delete`): residents' sockets keep being served
    meanwhile.
    """
    token = _off_the_loop.set(True)
    try:
        yield
    finally:
        _off_the_loop.reset(token)


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) in {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    } or "locked" in str(error)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run inline, falling back to its thread when busy."""

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        if _off_the_loop.get():
            return await super()._execute(partial(self._patiently, fn, *args, **kwargs))  # type: ignore[no-untyped-call]
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as error:
            if not _is_busy(error):
                raise
        # A statement refused with SQLITE_BUSY did nothing: run it again where waiting
        # for the other process does not stop the event loop.
        return await super()._execute(partial(self._patiently, fn, *args, **kwargs))  # type: ignore[no-untyped-call]

    def _patiently(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        connection = self._conn
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        try:
            return fn(*args, **kwargs)
        finally:
            connection.execute("PRAGMA busy_timeout=0")


def inline_creator(path: str) -> Callable[[], InlineConnection]:
    """An `async_creator` for SQLAlchemy: connections usable from the loop and the thread."""

    def connector() -> sqlite3.Connection:
        # aiosqlite opens the connection on its thread; both threads use it, never at once.
        return sqlite3.connect(path, check_same_thread=False)

    def create() -> InlineConnection:
        connection = InlineConnection(connector, 64)
        connection._thread.daemon = True
        return connection

    return create


def checkpoint(
    path: Path, mode: str = "PASSIVE", busy_ms: int = BUSY_TIMEOUT_MS
) -> tuple[int, int, int]:
    """Copy the WAL into the database file (on a worker thread: it waits for the disk).

    PASSIVE copies what no reader still needs and never waits; TRUNCATE also waits (up to the
    busy timeout) for readers to leave the log and then cuts the file to zero bytes.
    """
    if mode not in ("PASSIVE", "TRUNCATE"):
        raise ValueError(f"unknown checkpoint mode {mode!r}")
    connection = sqlite3.connect(path, timeout=busy_ms / 1000)
    try:
        row = connection.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        return (int(row[0]), int(row[1]), int(row[2]))
    finally:
        connection.close()


def wal_bytes(path: Path) -> int:
    """Size of the database's write-ahead log file (0 when there is none)."""
    try:
        return path.with_name(path.name + "-wal").stat().st_size
    except FileNotFoundError:
        return 0
