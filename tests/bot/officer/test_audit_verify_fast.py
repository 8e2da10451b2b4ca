"""The officer's verification takes the quick pass and still gives `verify_chain`'s verdicts.

Batches of five records, so that a trail of 40 spans many batches, the process pool is used
and tampering falls on batch edges; each case checks both ways of reading (each worker its
own range, from a SQLite file or over its own PostgreSQL connection, or this process reading
batches, as for an in-memory database).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core import SYSTEM, unit_of_work
from bot.officer import audit_verify
from bot.officer.audit_verify import stored_time_text, verify_audit
from bot.officer.common import Progress
from bot.store import audit as audit_store
from privacy.audit import AuditAction, make_checkpoint, verify_chain, write_checkpoint
from privacy.audit_records import utc_text
from tests.support.chat import Harness
from tests.support.tamper import RawDatabase, raw_database

BATCH = 5
RECORDS = 40


@pytest.fixture(params=["ranges", "batches"])
def reading(
    request: pytest.FixtureRequest, harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> str:
    monkeypatch.setattr(audit_verify, "BATCH", BATCH)
    if request.param == "batches":
        monkeypatch.setattr(audit_verify, "range_reader", lambda database: None)
    elif audit_verify.range_reader(harness.core.database) is None:
        pytest.skip("workers read their own ranges from a SQLite file or PostgreSQL")
    return str(request.param)


async def fill(harness: Harness) -> None:
    async with unit_of_work(harness.core) as work:
        for n in range(RECORDS):
            # Quotes, backslashes and non-ASCII in what the hash covers.
            await work.audit(
                SYSTEM,
                AuditAction.RETENTION,
                object_type="test",
                object_id=f'{n} "ä" \\ ő',
            )


async def expected_and_actual(
    harness: Harness, checkpoint_file: Path
) -> tuple[tuple[object, ...], tuple[object, ...]]:
    from privacy.audit import read_checkpoint

    key = harness.core.keyring.audit_key
    records = await audit_store.read_all(harness.core.database)
    exact = verify_chain(key, records, read_checkpoint(checkpoint_file, key))
    report = await verify_audit(harness.core, checkpoint_file)
    problem = str(exact.problem) if exact.problem is not None else None
    return (
        (exact.ok, exact.checked, len(records), exact.first_bad_seq, problem),
        (report.ok, report.checked, report.records, report.first_bad_seq, report.problem),
    )


async def _shift_up(db: RawDatabase, start: int) -> None:
    await db.execute("UPDATE audit_record SET seq = -seq - 1 WHERE seq >= ?", start)
    await db.execute("UPDATE audit_record SET seq = -seq WHERE seq < 0")


async def edit(db: RawDatabase, k: int) -> None:
    await db.execute("UPDATE audit_record SET purpose = 'nothing to see' WHERE seq = ?", k)


async def delete(db: RawDatabase, k: int) -> None:
    await db.execute("DELETE FROM audit_record WHERE seq = ?", k)


async def delete_a_whole_batch(db: RawDatabase, k: int) -> None:
    await db.execute("DELETE FROM audit_record WHERE seq > ? AND seq <= ?", k, k + BATCH)


async def truncate(db: RawDatabase, k: int) -> None:
    await db.execute("DELETE FROM audit_record WHERE seq > ?", k)


async def insert(db: RawDatabase, k: int) -> None:
    await _shift_up(db, k)
    previous = await db.scalar("SELECT hash FROM audit_record WHERE seq = ?", k - 1)
    await db.execute(
        "INSERT INTO audit_record (seq, at, actor_id, actor_role, unit, subject_ref, "
        "object_type, object_id, action, purpose, outcome, recipient, disclosure_basis, "
        "prev_hash, hash) VALUES (?, '2026-01-01 00:00:00.000000', 'x', 'admin', '', '', "
        "'conversation', '', 'read', 'forged', 'success', '', '', ?, ?)",
        k,
        previous,
        "0" * 64,
    )


async def reorder(db: RawDatabase, k: int) -> None:
    await db.execute("UPDATE audit_record SET seq = -1 WHERE seq = ?", k)
    await db.execute("UPDATE audit_record SET seq = ? WHERE seq = ?", k, k + 1)
    await db.execute("UPDATE audit_record SET seq = ? WHERE seq = -1", k + 1)


async def swap_links(db: RawDatabase, k: int) -> None:
    # Two records exchange their places in storage order by renumbering both.
    await db.execute("UPDATE audit_record SET seq = -1 WHERE seq = ?", k)
    await db.execute("UPDATE audit_record SET seq = ? WHERE seq = ?", k, k + 2)
    await db.execute("UPDATE audit_record SET seq = ? WHERE seq = -1", k + 2)


Tamper = Callable[[RawDatabase, int], Awaitable[None]]


async def test_an_intact_trail_is_confirmed_by_the_quick_pass(
    harness: Harness, settings: Settings, reading: str, tmp_path: Path
) -> None:
    await fill(harness)
    records = await audit_store.read_all(harness.core.database)
    checkpoint_file = tmp_path / "checkpoint.json"
    write_checkpoint(checkpoint_file, make_checkpoint(harness.core.keyring.audit_key, records[-1]))
    assert await audit_verify.quick_check(harness.core, None) == len(records) > 4 * BATCH
    expected, actual = await expected_and_actual(harness, checkpoint_file)
    assert actual == expected
    assert expected[0] is True


@pytest.mark.parametrize(
    ("tamper", "offset"),
    [
        (edit, 0),
        (edit, 1),
        (delete, 0),
        (delete, 1),
        (delete_a_whole_batch, 0),
        (truncate, 0),
        (insert, 0),
        (insert, 1),
        (reorder, 0),  # the last record of a batch swapped with the first of the next
        (reorder, 2),
        (swap_links, -1),
    ],
)
async def test_tampering_gets_the_same_verdict_as_verify_chain(
    harness: Harness,
    settings: Settings,
    reading: str,
    tmp_path: Path,
    tamper: Tamper,
    offset: int,
) -> None:
    await fill(harness)
    records = await audit_store.read_all(harness.core.database)
    checkpoint_file = tmp_path / "checkpoint.json"
    write_checkpoint(checkpoint_file, make_checkpoint(harness.core.keyring.audit_key, records[-1]))
    k = 3 * BATCH + offset  # on or beside the edge between the third and fourth batch
    async with raw_database(settings) as db:
        await tamper(db, k)
    assert await audit_verify.quick_check(harness.core, None) is None or tamper is truncate
    expected, actual = await expected_and_actual(harness, checkpoint_file)
    assert actual == expected
    assert expected[0] is False


async def test_the_newest_records_deleted_are_only_caught_with_a_checkpoint(
    harness: Harness, settings: Settings, reading: str, tmp_path: Path
) -> None:
    await fill(harness)
    async with raw_database(settings) as db:
        await truncate(db, 3 * BATCH)
    expected, actual = await expected_and_actual(harness, tmp_path / "none.json")
    assert actual == expected
    assert expected[0] is True


async def test_stored_times_give_the_canonical_text(harness: Harness, reading: str) -> None:
    await fill(harness)
    records = await audit_store.read_all(harness.core.database)
    rows = [row async for batch in audit_store.iterate_raw(harness.core.database) for row in batch]
    assert [stored_time_text(row[1]) for row in rows] == [utc_text(r.at) for r in records]
    assert [row[2:] for row in rows] == [
        tuple(str(getattr(r, name)) for name in audit_store.RECORD_FIELDS[2:]) for r in records
    ]


async def test_a_workers_own_range_gives_the_canonical_text(harness: Harness) -> None:
    read = audit_verify.range_reader(harness.core.database)
    if read is None:
        pytest.skip("workers read their own ranges from a SQLite file or PostgreSQL")
    await fill(harness)
    records = await audit_store.read_all(harness.core.database)
    # Read the way a worker does, in another process, a range in the middle of the trail.
    rows = await asyncio.to_thread(_in_child, read, 3, 3 + BATCH)
    expected = [r for r in records if 3 < r.seq <= 3 + BATCH]
    assert [row[0] for row in rows] == [r.seq for r in expected] != []
    assert [stored_time_text(row[1]) for row in rows] == [utc_text(r.at) for r in expected]
    assert [row[2:] for row in rows] == [
        tuple(str(getattr(r, name)) for name in audit_store.RECORD_FIELDS[2:]) for r in expected
    ]


def _in_child(read: audit_verify.RangeReader, after: int, upto: int) -> list[tuple[object, ...]]:
    with audit_verify._pool() as pool:
        return pool.submit(read, after, upto).result()


async def test_progress_counts_the_records_checked(harness: Harness, reading: str) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    await fill(harness)
    shown = Terminal()
    progress = Progress("verifying audit records", stream=shown, every=3600.0, rate=True)
    report = await verify_audit(harness.core, None, progress)
    # Redrawn at the start and at the end only (the hour never passes), with the rate.
    first, last = shown.getvalue().split("\r")[1:]
    assert first.startswith(f"verifying audit records: 0/{report.records}")
    assert last.startswith(f"verifying audit records: {report.records}/{report.records}, ")
    assert last.endswith("/s\n")
