"""The fast PII scan (issue 23): plain rows in batches of conversations on a process pool.

Reports exactly what the exact scan (`pii_scan.exact_scan`) reports, or None at the first
doubt, and the caller then runs the exact scan. Never opens content before the caller has
written the scan's audit record; never keeps more than one conversation's key unwrapped in
a process at a time; values found never leave the workers (kinds, counts and ids only).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from sqlmodel import col, select

from bot.actions.context import Core
from bot.logs import log_event
from bot.store.tables import Conversation
from privacy.redaction import Redactor

from .pii_scan_batch import (
    POSTGRES_KEYS,
    POSTGRES_MESSAGES,
    SQLITE_KEYS,
    SQLITE_MESSAGES,
    BatchTally,
    MessageRow,
    Scanner,
    read_sqlite_batch,
    scan_batch,
    scan_rows_in_worker,
    scan_sqlite_in_worker,
    start_worker,
)
from .pii_scan_rules import ScanReport, report_of

log = logging.getLogger("somesossu.officer")

BATCH_CONVERSATIONS = 500
"""Conversations per batch: a read transaction and a task of the pool each."""
POOL_WORKERS = 2
IN_FLIGHT = 2 * POOL_WORKERS
"""Batches read ahead of the scanning: keeps both cores busy and memory bounded."""

ProgressStep = Callable[[int], None]


async def conversation_ids(core: Core) -> list[str]:
    """Every conversation in the exact scan's order (ids as the database orders them)."""
    async with core.database.session() as session:
        query = select(Conversation.id).order_by(col(Conversation.id))
        return list((await session.execute(query)).scalars())


async def read_batch(
    core: Core, conversations: Sequence[str]
) -> tuple[list[MessageRow], dict[str, bytes]]:
    """The rows and wrapped keys of a run of conversations, straight from the driver."""
    async with core.database.session() as session:
        connection = await session.connection()
        driver: Any = (await connection.get_raw_connection()).driver_connection
        if connection.dialect.name == "sqlite":  # a SQLite database that is not a file
            edges = (conversations[0], conversations[-1])
            messages: list[Any] = []
            keys: list[Any] = []
            for query, into in ((SQLITE_MESSAGES, messages), (SQLITE_KEYS, keys)):
                cursor = await driver.execute(query, edges)
                into.extend(await cursor.fetchall())
                await cursor.close()
        else:
            messages = await driver.fetch(POSTGRES_MESSAGES, list(conversations))
            keys = await driver.fetch(POSTGRES_KEYS, list(conversations))
    return (
        [(record[0], record[1], bytes(record[2])) for record in messages],
        {record[0]: bytes(record[1]) for record in keys},
    )


def _pool(core: Core, redactor: Redactor) -> ProcessPoolExecutor:
    # Fork where there is one: the workers get the key ring and the loaded name model from
    # this process's memory, not through a pipe, and import nothing again.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(
        POOL_WORKERS,
        mp_context=context,
        initializer=start_worker,
        initargs=(core.keyring, redactor),
    )


class _Merge:
    """Adds up batch tallies in batch order, so ids come out in the exact scan's order."""

    def __init__(self, on_batch: ProgressStep | None) -> None:
        self.on_batch = on_batch
        self.counts: Counter[str] = Counter()
        self.ids: dict[str, list[str]] = {}
        self.scanned = self.unreadable = 0

    def add(self, tally: BatchTally) -> None:
        self.counts.update(tally.counts)
        for kind, found in tally.ids.items():
            self.ids.setdefault(kind, []).extend(found)
        self.scanned += tally.scanned
        self.unreadable += tally.unreadable
        if self.on_batch is not None:
            self.on_batch(tally.messages)

    def report(self) -> ScanReport:
        return report_of(self.scanned, self.unreadable, self.counts, self.ids)


async def fast_scan(
    core: Core, redactor: Redactor, on_batch: ProgressStep | None = None
) -> ScanReport | None:
    """The scan in batches of `BATCH_CONVERSATIONS` conversations, None at any doubt.

    On a SQLite file each worker reads its own batch read-only; otherwise this process
    reads each batch and hands it over. A database of one batch stays in this process.
    """
    redactor.preload()  # once, before the workers fork: they share the loaded model
    ids = await conversation_ids(core)
    batches = [ids[i : i + BATCH_CONVERSATIONS] for i in range(0, len(ids), BATCH_CONVERSATIONS)]
    loop = asyncio.get_running_loop()
    merge = _Merge(on_batch)
    pending: deque[asyncio.Future[BatchTally]] = deque()
    pool = _pool(core, redactor) if len(batches) > 1 else None
    scanner = Scanner(redactor)
    path = core.database.sqlite_path

    async def drain(limit: int) -> None:
        while len(pending) > limit or (pending and pending[0].done()):
            merge.add(await pending.popleft())

    try:
        for batch in batches:
            if path is not None and pool is not None:
                pending.append(loop.run_in_executor(pool, scan_sqlite_in_worker, path, batch))
            elif path is not None:
                rows, keys = await asyncio.to_thread(read_sqlite_batch, path, batch)
                call = asyncio.to_thread(scan_batch, core.keyring, scanner, batch, rows, keys)
                pending.append(asyncio.ensure_future(call))
            else:
                rows, keys = await read_batch(core, batch)
                if pool is not None:
                    pending.append(
                        loop.run_in_executor(pool, scan_rows_in_worker, batch, rows, keys)
                    )
                else:
                    call = asyncio.to_thread(scan_batch, core.keyring, scanner, batch, rows, keys)
                    pending.append(asyncio.ensure_future(call))
            await drain(IN_FLIGHT - 1)
        await drain(0)
    except Exception as error:  # any doubt at all: the exact scan decides
        log_event(log, "pii_scan.exact_fallback", logging.WARNING, error=type(error).__name__)
        return None
    finally:
        for future in pending:
            future.cancel()
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
    return merge.report()
