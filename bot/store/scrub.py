"""After a crypto-shred commits: scrub what on this machine still holds the destroyed wrapped keys.

Never runs inside the shredding transaction, never holds up a request for longer than one short
attempt, and never skips a scrub silently: one that cannot finish is retried until a deadline,
then logged as an error (`store.scrub_incomplete`).

Every shred deletes rows of `data_key` through `KeyStore.destroy`, which marks its session
(`mark_shredded`); `Database.session` hands a marked session to `Scrubber.after_commit` once it
has committed. So every shred path, present or future, is scrubbed, and none has to remember it.

- SQLite: every connection runs with `secure_delete`, so the deleted rows are overwritten in
  the pages the commit wrote; but the write-ahead log still holds older frames of those pages,
  with the wrapped keys in them, until it is rewritten. The scrub checkpoints the log into the
  database file and truncates it to zero bytes (`wal_checkpoint(TRUNCATE)`).
- PostgreSQL: the data-key table is vacuumed, which prunes the dead row versions from its
  pages as far as no open transaction still sees them. WAL segments, replicas and archives
  keep a copy until the key epoch that wrapped it is destroyed (docs/privacy.md).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from pathlib import Path
from typing import Final

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.logs import log_event

from .tables import DataKeyRow

log = logging.getLogger("somesossu.store")

SHREDDED: Final = "somesossu.shredded"
"""Key in `AsyncSession.info`: this transaction destroyed data keys."""

DEADLINE_SECONDS: Final = 10.0
"""How long a scrub keeps retrying while another process's reader blocks the truncation."""

ATTEMPT_BUSY_MS: Final = 200
"""One attempt waits this long for readers; this process's own transactions wait meanwhile."""


def mark_shredded(session: AsyncSession) -> None:
    """Called by whatever deletes wrapped data keys: scrub once this transaction commits."""
    session.info[SHREDDED] = True


def truncate_wal(path: Path, busy_ms: int = ATTEMPT_BUSY_MS) -> bool:
    """Checkpoint the whole WAL into the database file and truncate it; True when done.

    False when a reader (or writer) of another connection kept it from completing: the
    log then still holds frames and the caller must try again.
    """
    connection = sqlite3.connect(path, timeout=busy_ms / 1000)
    try:
        row = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        connection.close()
    # (busy, frames in the log, frames checkpointed); TRUNCATE leaves (0, 0, 0) on success.
    return row is not None and int(row[0]) == 0 and int(row[1]) == 0


class Scrubber:
    """Runs the scrubs of one database, one at a time, coalescing shreds that come meanwhile.

    `lock` is the database's SQLite transaction queue: holding it during an attempt means no
    transaction of this process holds a snapshot that would keep the log from truncating.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        sqlite_path: Path | None,
        is_sqlite: bool,
        lock: asyncio.Lock | None,
        deadline_seconds: float = DEADLINE_SECONDS,
    ) -> None:
        self._engine = engine
        self._sqlite_path = sqlite_path
        self._is_sqlite = is_sqlite
        self._lock = lock
        self._deadline_seconds = deadline_seconds
        self._requested = 0
        self._done = 0
        self._task: asyncio.Task[None] | None = None
        self.completed = 0
        """Scrubs that finished (for tests and the health of the shredding promise)."""
        self.incomplete = 0
        """Scrubs that hit their deadline; each was logged as `store.scrub_incomplete`."""

    def after_commit(self, session: AsyncSession) -> None:
        """Called by `Database.session` after every commit; scrubs if the session shredded."""
        if session.info.pop(SHREDDED, False):
            self.request()

    def request(self) -> None:
        """Scrub soon: after the commit that asked, never inside it."""
        self._requested += 1
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="somesossu-scrub")

    async def settled(self) -> None:
        """Wait until every scrub requested so far has run (shutdown, tests)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def _run(self) -> None:
        # A shred committed while a scrub runs may have written after that scrub's
        # checkpoint: scrub again until no request is left unserved.
        while self._done < self._requested:
            target = self._requested
            try:
                finished = await self.scrub()
            except Exception as error:
                log_event(log, "store.scrub_failed", logging.ERROR, error=type(error).__name__)
                finished = False
            if finished:
                self.completed += 1
            else:
                self.incomplete += 1
            self._done = target

    async def scrub(self) -> bool:
        """One scrub, with retries until the deadline; True when it completed."""
        if self._is_sqlite:
            return await self._scrub_sqlite()
        return await self._vacuum_postgresql()

    async def _scrub_sqlite(self) -> bool:
        path = self._sqlite_path
        if path is None:
            return True  # an in-memory database leaves nothing on disk
        started = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            if self._lock is None:
                done = await asyncio.to_thread(truncate_wal, path)
            else:
                async with self._lock:
                    done = await asyncio.to_thread(truncate_wal, path)
            elapsed = time.monotonic() - started
            if done:
                log_event(log, "store.scrubbed", attempts=attempts, ms=round(elapsed * 1000))
                return True
            if elapsed >= self._deadline_seconds:
                log_event(log, "store.scrub_incomplete", logging.ERROR, attempts=attempts)
                return False
            # Another process (an officer script, a backup) is reading: let it finish, and
            # let this process's own requests through in between.
            await asyncio.sleep(min(0.05 * attempts, 0.5))

    async def _vacuum_postgresql(self) -> bool:
        started = time.monotonic()
        try:
            async with self._engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.exec_driver_sql(f"VACUUM {DataKeyRow.__tablename__}")
        except (OperationalError, DBAPIError, OSError) as error:
            log_event(log, "store.scrub_incomplete", logging.ERROR, error=type(error).__name__)
            return False
        log_event(log, "store.scrubbed", ms=round((time.monotonic() - started) * 1000))
        return True
