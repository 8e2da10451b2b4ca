"""The async database engine: SQLite (WAL) by default, PostgreSQL by URL, migrated at start.

Owns connections only; queries live in the repository modules beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.events import StoreUnavailable
from bot.logs import log_event

from . import sqlite_inline
from .rows import RowSession
from .scrub import Scrubber
from .sqlite_inline import inline_creator

log = logging.getLogger("somesossu.store")
# SQLite's own automatic checkpoint (every 1,000 pages) would wait for the disk inside a
# commit on the event loop's thread; ours runs on a worker thread every so many commits.
CHECKPOINT_EVERY = 200
# A passive checkpoint copies the log into the database but never rewinds it while a reader is
# in the log, and under steady load some reader always is: the file grew past 1 GB in 30 s of
# the load benchmark. Past this size the next checkpoint waits for the readers (holding our
# writers back, after a passive one has copied nearly everything) and truncates the file.
WAL_TRUNCATE_BYTES = 64 * 1024 * 1024
# How long the truncation may hold our writers back waiting for another process's reader
# (ours cannot be in a transaction then: they take the same lock); busy means next time.
WAL_TRUNCATE_WAIT_MS = 50

_Connection = TypeVar("_Connection")
_in_sqlite_transaction: ContextVar[bool] = ContextVar("in_sqlite_transaction", default=False)
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the console read while the dispatcher writes; foreign keys make erasure cascade.
    # Statements run on the event loop's thread (sqlite_inline): they must never wait in
    # SQLite's busy handler or for a checkpoint's fsync there; both happen on worker threads.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=0")
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.execute("PRAGMA secure_delete=ON")
    # When the log does rewind, SQLite cuts the file back to this size instead of keeping it.
    cursor.execute(f"PRAGMA journal_size_limit={WAL_TRUNCATE_BYTES}")
    cursor.close()


def private_database_files(path: Path) -> None:
    """Create the SQLite file 0600 before SQLite does (it would follow the umask, often 0644).

    SQLite gives the -wal and -shm files the mode of the database file. Files left readable
    to others by an older version are narrowed too.
    """
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if stat.S_IMODE(file.stat().st_mode) & 0o077:
                file.chmod(0o600)


def _private(path: Path, create: Callable[[], _Connection]) -> Callable[[], _Connection]:
    """`create`, after making sure the file it opens is (or will be created) mode 0600."""

    def private_create() -> _Connection:
        private_database_files(path)
        return create()

    return private_create


class Database:
    """An async engine plus a session factory; `session()` is one unit of work."""

    def __init__(self, url: str, *, search_path: str | None = None) -> None:
        self.url = url
        self.search_path = search_path
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        self.sqlite_path: Path | None = None
        if self.is_sqlite:
            path = url.split(":///", 1)[1] if ":///" in url else ""
            if path and path != ":memory:" and "?" not in path:
                self.sqlite_path = Path(path)
                self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
                kwargs["async_creator"] = _private(self.sqlite_path, inline_creator(path))
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
            if search_path is not None:
                # Lets the test suite give every test its own schema in one database.
                kwargs["connect_args"] = {"server_settings": {"search_path": search_path}}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=RowSession
        )
        # SQLite has one writer at a time; queueing transactions here instead of in SQLite's
        # busy handler keeps the audit chain's read-then-append free of races.
        self._sqlite_lock = asyncio.Lock() if self.is_sqlite else None
        self._commits_since_checkpoint = 0
        self._checkpointing: asyncio.Task[None] | None = None
        self.wal_truncate_bytes = WAL_TRUNCATE_BYTES
        # After a commit that destroyed data keys: remove what still holds them (scrub.py).
        self.scrubber = Scrubber(
            self.engine,
            sqlite_path=self.sqlite_path,
            is_sqlite=self.is_sqlite,
            lock=self._sqlite_lock,
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends, rolled back on error.

        Connection-level failures become StoreUnavailable so that callers can tell a
        resident's platform to redeliver instead of losing the message.
        """
        try:
            if self._sqlite_lock is None:
                async with self._sessions() as session, session.begin():
                    yield session
                self.scrubber.after_commit(session)
            else:
                if _in_sqlite_transaction.get():
                    # The lock is not re-entrant: a nested unit of work would wait forever.
                    raise RuntimeError("nested database session on SQLite")
                async with self._sqlite_lock, self._sessions() as session, session.begin():
                    token = _in_sqlite_transaction.set(True)
                    try:
                        yield session
                    finally:
                        _in_sqlite_transaction.reset(token)
                self._after_sqlite_commit()
                self.scrubber.after_commit(session)
        except (OperationalError, DBAPIError, OSError) as error:
            if isinstance(error, DBAPIError) and not _is_transient(error):
                raise
            raise StoreUnavailable(type(error).__name__) from None

    def _after_sqlite_commit(self) -> None:
        self._commits_since_checkpoint += 1
        if self._commits_since_checkpoint < CHECKPOINT_EVERY:
            return
        if self._checkpointing is None or self._checkpointing.done():
            self._commits_since_checkpoint = 0
            self._checkpointing = asyncio.create_task(self.checkpoint())

    async def checkpoint(self) -> None:
        """Fold the SQLite write-ahead log into the database file, off the event loop, and
        truncate the log once it has grown past `wal_truncate_bytes`."""
        path, lock = self.sqlite_path, self._sqlite_lock
        if path is None or lock is None:
            return
        try:
            await asyncio.to_thread(sqlite_inline.checkpoint, path)
            if sqlite_inline.wal_bytes(path) <= self.wal_truncate_bytes:
                return
            async with lock:  # our writers wait; readers finish on their own
                busy, _, _ = await asyncio.to_thread(
                    sqlite_inline.checkpoint, path, "TRUNCATE", WAL_TRUNCATE_WAIT_MS
                )
            if busy:
                log_event(log, "sqlite.wal_truncate_busy", logging.WARNING)
        except sqlite3.Error as error:
            # Harmless: the log keeps growing until the next checkpoint succeeds.
            log_event(log, "sqlite.checkpoint_failed", logging.WARNING, error=type(error).__name__)

    def wal_bytes(self) -> int:
        """Size of the SQLite write-ahead log (0 on PostgreSQL), for the metric."""
        return 0 if self.sqlite_path is None else sqlite_inline.wal_bytes(self.sqlite_path)

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return True
        except (OperationalError, DBAPIError, OSError):
            return False

    async def migrate(self) -> None:
        """Bring the schema to the newest alembic revision."""
        async with self.engine.begin() as connection:
            await connection.run_sync(_upgrade)

    async def dispose(self) -> None:
        await self.scrubber.settled()
        if self._checkpointing is not None:
            await self._checkpointing
        await self.engine.dispose()


def _is_transient(error: DBAPIError) -> bool:
    if error.connection_invalidated:
        return True
    name = type(error.orig).__name__ if error.orig is not None else ""
    message = str(error.orig).lower() if error.orig is not None else ""
    return (
        "locked" in message
        or "connection" in message
        or name
        in {"ConnectionDoesNotExistError", "CannotConnectNowError", "TooManyConnectionsError"}
    )


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")
