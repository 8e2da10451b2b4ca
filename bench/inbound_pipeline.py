"""Where the time of one inbound message goes: the dispatcher in-process, without sockets.

Never prints message text: counts, rates and SQL statement kinds (first word) only.

usage: python bench/inbound_pipeline.py [--messages N] [--concurrency C] [--database-url URL]
Sends N resident messages (C at a time, default one after another) through
`Dispatcher.receive` (the adapters' sink: pseudonym, dedup, block check, redact, seal, store,
hub events; messages in flight together share one transaction) on a temporary
SQLite database (or the URL given), and reports messages/s, wall and CPU time per message,
SQL statements per message with their summed time, and the cost of one bare aiosqlite round
trip on this machine for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TEXT = "Minun numeroni on 040 123 4567, voitteko soittaa huomenna aamupäivällä?"


async def aiosqlite_round_trip(path: Path, count: int = 2000) -> float:
    """Microseconds for one `SELECT 1` through aiosqlite (cursor, fetch, close)."""
    import aiosqlite

    async with aiosqlite.connect(path) as db:
        started = time.perf_counter()
        for _ in range(count):
            async with db.execute("SELECT 1") as cursor:
                await cursor.fetchall()
        return (time.perf_counter() - started) / count * 1e6


def sqlite_round_trip(path: Path, count: int = 2000) -> float:
    connection = sqlite3.connect(path)
    started = time.perf_counter()
    for _ in range(count):
        connection.execute("SELECT 1").fetchall()
    connection.close()
    return (time.perf_counter() - started) / count * 1e6


async def run(
    temp: Path, messages: int, database_url: str | None, concurrency: int
) -> dict[str, Any]:
    from sqlalchemy import event

    from bot.app import build_service, prepare_database
    from bot.config import load_settings
    from bot.events import ChannelName, Inbound, ReplyAddress

    overrides: dict[str, Any] = {"data_dir": temp, "log_level": "WARNING"}
    if database_url:
        overrides["database_url"] = database_url
    service = build_service(load_settings(**overrides))
    await prepare_database(service)
    sequence = 0

    def inbound(sender: str, *, text: str = "", choice: str | None = None) -> Inbound:
        nonlocal sequence
        sequence += 1
        return Inbound(
            channel=ChannelName("webchat"),
            sender_id=sender,
            reply_address=ReplyAddress("web:" + sender[:40]),
            platform_message_id=f"{sender[:16]}:{sequence}",
            received_at=datetime.now(UTC),
            text=text,
            choice=choice,
            language_hint="fi",
        )

    senders = [f"bench-sender-{i:04d}-" * 3 for i in range(50)]
    for sender in senders:
        await service.dispatcher.receive(inbound(sender, choice="lang:fi"))
        await service.dispatcher.receive(inbound(sender, choice="topic:housing"))
    statements: Counter[str] = Counter()
    statement_seconds = 0.0

    def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        nonlocal statement_seconds
        statements[statement.split(None, 1)[0].upper()] += 1
        statement_seconds += time.perf_counter() - conn.info.pop("bench_started")

    engine = service.core.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    started, cpu = time.perf_counter(), time.process_time()
    # `concurrency` messages in flight at once, as from that many residents' sockets: the
    # dispatcher stores what arrives together in one transaction (group commit).
    pending: set[asyncio.Task[None]] = set()
    for index in range(messages):
        if len(pending) >= concurrency:
            _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        message = inbound(senders[index % len(senders)], text=TEXT)
        pending.add(asyncio.create_task(service.dispatcher.receive(message)))
    await asyncio.gather(*pending)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    await service.core.database.dispose()
    probe = temp / "probe.db"
    return {
        "database": "postgres" if database_url else "sqlite",
        "messages": messages,
        "concurrency": concurrency,
        "messages_per_second": round(messages / wall, 1),
        "wall_ms_per_message": round(wall / messages * 1000, 2),
        "cpu_ms_per_message": round(cpu / messages * 1000, 2),
        "statements_per_message": {k: round(v / messages, 2) for k, v in statements.items()},
        "statement_ms_per_message": round(statement_seconds / messages * 1000, 2),
        "aiosqlite_round_trip_us": round(await aiosqlite_round_trip(probe), 1),
        "sqlite3_round_trip_us": round(sqlite_round_trip(probe), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=1, help="messages in flight")
    parser.add_argument("--database-url", help="postgresql+asyncpg://... (default: temp SQLite)")
    args = parser.parse_args()
    temp = Path(tempfile.mkdtemp(prefix="somesossu-pipeline-"))
    try:
        result = asyncio.run(run(temp, args.messages, args.database_url, args.concurrency))
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    for name, value in result.items():
        print(f"{name:28} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
