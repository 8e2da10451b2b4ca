"""Verifies the whole audit chain against its keyed hashes and the signed checkpoint.

Never writes: not to the chain it verifies, not to the checkpoint (a copy goes only where asked).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from bot.actions.context import Core
from bot.fork_server import fork_server_context
from bot.store import audit as audit_store
from bot.store.db import Database
from privacy.audit import (
    AuditChain,
    AuditRecord,
    Checkpoint,
    VerifyResult,
    make_checkpoint,
    read_checkpoint,
    verify_chain,
    write_checkpoint,
)
from privacy.audit_checkpoint import verify_checkpoint
from privacy.audit_fast import RowsCheck, check_rows, utc_text_of
from privacy.errors import IntegrityError


class Progress(Protocol):
    """What a verification reports its progress to (`bot.officer.common.Progress` on a
    terminal, the console's job for its progress endpoint)."""

    def start(self, total: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...

    def finish(self) -> None: ...


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The verdict: `ok`, or the first bad record by sequence number and what is wrong."""

    ok: bool
    checked: int
    records: int
    first_bad_seq: int | None
    problem: str | None
    detail: str
    checkpoint: str  # "matched", "missing", "forged" or "not checked"
    checkpoint_seq: int | None

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "records": self.records,
            "first_bad_seq": self.first_bad_seq,
            "problem": self.problem,
            "detail": self.detail,
            "checkpoint": self.checkpoint,
            "checkpoint_seq": self.checkpoint_seq,
        }


def checkpoint_path(core: Core) -> Path:
    return core.settings.data_dir / "audit-checkpoint.json"


async def load_records(core: Core) -> list[AuditRecord]:
    return await audit_store.read_all(core.database)


BATCH = 10_000
"""Rows per read transaction and per task of the process pool."""
POOL_WORKERS = 2
IN_FLIGHT = 2 * POOL_WORKERS
"""Batches read ahead of the checking: keeps both cores busy and memory bounded."""


def stored_time_text(value: object) -> str:
    """The canonical time text of `at` as `iterate_raw` reads it (SQLite text or a datetime).

    SQLite keeps UTC as ``YYYY-MM-DD HH:MM:SS.ffffff``, so the text needs no parsing. Any
    other shape gives some other text, whose keyed hash then does not match: the exact
    verification, which parses the value as always, decides what it is.
    """
    if isinstance(value, str):
        return f"{value[:10]}T{value[11:]}Z"
    return utc_text_of(value)


def _check_batch(
    key: bytes, rows: list[tuple[Any, ...]], checkpoint: Checkpoint | None
) -> RowsCheck:
    return check_rows(
        key,
        rows,
        time_text=stored_time_text,
        checkpoint_seq=checkpoint.seq if checkpoint is not None else None,
        checkpoint_hash=checkpoint.hash if checkpoint is not None else "",
    )


RangeReader = Callable[[int, int], list[tuple[Any, ...]]]
"""Reads the rows with after < seq <= upto; picklable, for a worker process."""


def range_reader(database: Database) -> RangeReader | None:
    """How a worker reads its own range of numbers, or None where only this process can.

    A SQLite file is opened read-only by each worker; on PostgreSQL each worker opens its
    own connection. An in-memory SQLite database is only reachable from here.
    """
    if database.sqlite_path is not None:
        return partial(audit_store.read_sqlite_range, database.sqlite_path)
    if not database.is_sqlite:
        dsn = audit_store.postgres_dsn(database.url)
        return partial(audit_store.read_postgres_range, dsn, database.search_path)
    return None


def _check_range(
    read: RangeReader, key: bytes, after: int, upto: int, checkpoint: Checkpoint | None
) -> RowsCheck | None:
    rows = read(after, upto)
    return _check_batch(key, rows, checkpoint) if rows else None


BACKGROUND_NICENESS = 10
"""How much lower the workers of a verification run for the console are scheduled: on a busy
machine the service's own process, which answers requests, gets the cores first."""


def _lower_priority(increment: int) -> None:
    os.nice(increment)


def _pool(workers: int = POOL_WORKERS, *, background: bool = False) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    if not background:
        # Fork where there is one: a spawned worker would import the whole service first.
        forked = multiprocessing.get_context("fork" if "fork" in methods else None)
        return ProcessPoolExecutor(workers, mp_context=forked)
    # Forking the service's own large process holds it (and every request) for tens of
    # milliseconds: its workers come from a small fork server that has this module loaded.
    context = fork_server_context()
    if not hasattr(os, "nice"):
        return ProcessPoolExecutor(workers, mp_context=context)
    return ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_lower_priority,
        initargs=(BACKGROUND_NICENESS,),
    )


async def _started(pool: ProcessPoolExecutor, workers: int) -> ProcessPoolExecutor:
    """`pool` with its workers running: started on a thread, which only waits for them."""

    def start() -> None:
        for future in [pool.submit(abs, n) for n in range(workers)]:
            future.result()

    await asyncio.to_thread(start)
    return pool


async def quick_check(
    core: Core,
    checkpoint: Checkpoint | None,
    progress: Progress | None = None,
    *,
    background: bool = False,
) -> int | None:
    """How many records there are if the whole trail is intact, None at the first doubt.

    Checks batches of records on a process pool (both cores) and joins them at their edges
    here. Each worker reads its own range of numbers (a SQLite file, or PostgreSQL over its
    own connection); otherwise this process reads the batches and hands them over. A trail
    of one batch stays in-process. `background` lowers the workers' priority.
    """
    key = core.keyring.audit_key
    loop = asyncio.get_running_loop()
    expected_seq, expected_prev, total = 1, AuditChain(key).genesis_hash, 0
    pending: deque[asyncio.Future[RowsCheck | None]] = deque()
    pool: ProcessPoolExecutor | None = None

    def joins(result: RowsCheck | None) -> bool:
        nonlocal expected_seq, expected_prev, total
        if not (
            result is not None
            and result.intact
            and result.first_seq == expected_seq
            and result.first_prev_hash == expected_prev
        ):
            return False
        expected_seq, expected_prev = result.last_seq + 1, result.last_hash
        total += result.count
        if progress is not None:
            progress.advance(result.count)
        return True

    async def drain(limit: int) -> bool:
        while len(pending) > limit or (pending and pending[0].done()):
            if not joins(await pending.popleft()):
                return False
        return True

    try:
        read = range_reader(core.database)
        if read is not None:
            top = await audit_store.max_seq(core.database)
            if top > BATCH:
                pool = await _started(_pool(background=background), POOL_WORKERS)
            # Ranges of numbers, not of rows: a range that comes back empty or short means
            # missing numbers, which the join below notices like any other doubt.
            for after in range(0, top, BATCH):
                upto = min(after + BATCH, top)
                if pool is None:
                    call = asyncio.to_thread(_check_range, read, key, after, upto, checkpoint)
                    pending.append(asyncio.ensure_future(call))
                else:
                    pending.append(
                        loop.run_in_executor(pool, _check_range, read, key, after, upto, checkpoint)
                    )
                if not await drain(IN_FLIGHT - 1):
                    return None
        else:
            async for batch in audit_store.iterate_raw(core.database, batch=BATCH):
                if pool is None and len(batch) == BATCH:
                    pool = await _started(_pool(background=background), POOL_WORKERS)
                if pool is None:
                    call = asyncio.to_thread(_check_batch, key, batch, checkpoint)
                    pending.append(asyncio.ensure_future(call))
                else:
                    pending.append(loop.run_in_executor(pool, _check_batch, key, batch, checkpoint))
                if not await drain(IN_FLIGHT - 1):
                    return None
        if not await drain(0):
            return None
    finally:
        for future in pending:
            future.cancel()
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
    if checkpoint is not None and checkpoint.seq >= expected_seq:
        return None
    return total


async def verify_trail(
    core: Core,
    checkpoint: Checkpoint | None,
    progress: Progress | None = None,
    *,
    background: bool = False,
) -> tuple[VerifyResult, int]:
    """`verify_chain`'s verdict on the whole trail and how many records it holds.

    An intact trail is confirmed by the quick pass (`quick_check`); whenever it has any
    doubt, `verify_chain` walks all records again, so a finding reads as it always did.
    Either way the hashing runs in other processes: the event loop only awaits.
    """
    intact = await quick_check(core, checkpoint, progress, background=background)
    if intact is not None:
        detail = f"{intact} records verified"
        if checkpoint is not None:
            detail += f", checkpoint at seq {checkpoint.seq} matches"
        result = VerifyResult(
            ok=True, checked=intact, first_bad_seq=None, problem=None, detail=detail
        )
        return result, intact
    values = await audit_store.read_all_values(core.database)
    # Building and hashing every record is CPU work; on a thread it would still hold the
    # interpreter lock against the event loop most of the time (issue 23).
    pool = await _started(_pool(1, background=background), 1)
    try:
        result = await asyncio.get_running_loop().run_in_executor(
            pool, _verify_exactly, core.keyring.audit_key, values, checkpoint
        )
    finally:
        await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
    return result, len(values)


def _verify_exactly(
    key: bytes, values: list[tuple[Any, ...]], checkpoint: Checkpoint | None
) -> VerifyResult:
    return verify_chain(key, audit_store.records_of(values), checkpoint)


async def verify_audit(
    core: Core, checkpoint_file: Path | None = None, progress: Progress | None = None
) -> VerifyReport:
    """Walk every record in sequence order; a forged checkpoint is itself a finding.

    An intact trail is confirmed by the quick pass (`quick_check`); whenever it has any
    doubt, `verify_chain` walks all records again and gives the exact verdict, so a finding
    reads the same as it always did.
    """
    key = core.keyring.audit_key
    path = checkpoint_file if checkpoint_file is not None else checkpoint_path(core)
    checkpoint: Checkpoint | None = None
    try:
        checkpoint = read_checkpoint(path, key)
        if checkpoint is not None:
            verify_checkpoint(key, checkpoint)
    except IntegrityError:
        return VerifyReport(
            ok=False,
            checked=0,
            records=await audit_store.count(core.database),
            first_bad_seq=None,
            problem="checkpoint_forged",
            detail=f"the checkpoint {path} does not verify: forged, altered or another key",
            checkpoint="forged",
            checkpoint_seq=None,
        )
    if progress is not None:
        progress.start(await audit_store.count(core.database))
    result, records = await verify_trail(core, checkpoint, progress)
    if progress is not None:
        progress.finish()
    detail = result.detail
    if checkpoint is None:
        detail += f"; no checkpoint at {path}, so deleting the newest records is not detectable"
    return VerifyReport(
        ok=result.ok,
        checked=result.checked,
        records=records,
        first_bad_seq=result.first_bad_seq,
        problem=str(result.problem) if result.problem is not None else None,
        detail=detail,
        checkpoint="missing" if checkpoint is None else "matched" if result.ok else "checked",
        checkpoint_seq=checkpoint.seq if checkpoint is not None else None,
    )


async def copy_checkpoint(core: Core, destination: Path) -> int | None:
    """Write a signed checkpoint of the current head to `destination` (e.g. removable media).

    Call only after a successful verification: it vouches for the chain as it is now.
    """
    records = await load_records(core)
    if not records:
        return None
    write_checkpoint(destination, make_checkpoint(core.keyring.audit_key, records[-1]))
    return records[-1].seq
