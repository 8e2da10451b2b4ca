"""SQLite on the event loop's thread: another process's lock never stalls the loop."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlmodel import func, select

from bot.config import Settings
from bot.store.db import Database
from bot.store.sqlite_inline import off_the_loop
from bot.store.tables import InboundSeen
from tests.support.db import sqlite_only

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def migrated(tmp_path: Path) -> tuple[Database, Path]:
    path = tmp_path / "inline.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    await database.migrate()
    return database, path


async def seen_count(database: Database) -> int:
    async with database.session() as session:
        query = select(func.count()).select_from(InboundSeen)
        return int((await session.execute(query)).scalar_one())


@sqlite_only
async def test_a_write_waits_for_another_process_without_stopping_the_event_loop(
    tmp_path: Path,
) -> None:
    database, path = await migrated(tmp_path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process (a script) holds the write lock
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def write() -> None:
        async with database.session() as session:
            session.add(InboundSeen.row(key="waited", created_at=NOW))

    beating = asyncio.create_task(heartbeat())
    writing = asyncio.create_task(write())
    started = time.monotonic()
    await asyncio.sleep(0.4)
    assert not writing.done()  # still waiting for the lock ...
    assert ticks >= 10  # ... on a worker thread: the loop went on meanwhile
    other.execute("COMMIT")
    await writing
    beating.cancel()
    assert time.monotonic() - started < 5
    assert await seen_count(database) == 1
    other.close()
    await database.dispose()


@sqlite_only
async def test_a_checkpoint_moves_committed_rows_into_the_database_file(tmp_path: Path) -> None:
    database, path = await migrated(tmp_path)
    for index in range(50):
        async with database.session() as session:
            session.add(InboundSeen.row(key=f"k{index}", created_at=NOW))
    await database.checkpoint()
    # The database file alone, without its write-ahead log, now holds every row.
    copy = tmp_path / "copy.db"
    shutil.copyfile(path, copy)
    with sqlite3.connect(copy) as connection:
        assert connection.execute("SELECT count(*) FROM inbound_seen").fetchone() == (50,)
    await database.dispose()


@sqlite_only
async def test_statements_run_on_the_loops_thread_unless_sent_off_the_loop(
    tmp_path: Path,
) -> None:
    database, _ = await migrated(tmp_path)

    async def executing_thread() -> int:
        async with database.session() as session:
            connection = await session.connection()
            raw = await connection.get_raw_connection()
            raw.driver_connection._conn.create_function("thread_id", 0, threading.get_ident)
            return int((await session.execute(text("SELECT thread_id()"))).scalar_one())

    assert await executing_thread() == threading.get_ident()
    with off_the_loop():
        assert await executing_thread() != threading.get_ident()
    assert await executing_thread() == threading.get_ident()
    await database.dispose()


@sqlite_only
async def test_the_write_ahead_log_is_cut_back_once_it_grows_past_its_bound(
    tmp_path: Path,
) -> None:
    """Under load some reader is always in the log, so passive checkpoints never rewind it;
    past its bound the log is truncated once the readers have left."""
    database, path = await migrated(tmp_path)
    database.wal_truncate_bytes = 64 * 1024
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM inbound_seen").fetchone()  # holds its snapshot
    for index in range(400):
        async with database.session() as session:
            session.add(InboundSeen.row(key=f"k{index}-{'x' * 200}", created_at=NOW))
    await database.checkpoint()
    grown = database.wal_bytes()
    assert grown > database.wal_truncate_bytes  # the reader kept every frame in the log
    reader.execute("COMMIT")
    reader.close()
    await database.checkpoint()
    assert database.wal_bytes() == 0
    assert await seen_count(database) == 400
    await database.dispose()


def test_the_wal_size_is_a_metric() -> None:
    from bot.metrics import Metrics

    metrics = Metrics()
    metrics.sqlite_wal_bytes.set_function(lambda: 12345)
    assert b"somesossu_sqlite_wal_bytes 12345.0" in metrics.render()


@sqlite_only
async def test_the_service_reports_its_own_wal_size(settings: Settings) -> None:
    """The gauge is wired to the service's database, not left at its default of zero."""
    from bot.app import build_core

    core = build_core(settings)
    await core.database.migrate()
    async with core.database.session() as session:
        session.add(InboundSeen.row(key="k-metric", created_at=NOW))
    size = core.database.wal_bytes()
    assert size > 0
    assert f"somesossu_sqlite_wal_bytes {float(size)}".encode() in core.metrics.render()
    await core.database.dispose()
