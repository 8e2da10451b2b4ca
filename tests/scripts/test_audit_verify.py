"""scripts/audit_verify.py on a trail written by real conversations, intact and tampered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.config import Settings
from tests.bot.officer.scenario import build, json_of, run_script
from tests.support.chat import Harness
from tests.support.tamper import RawDatabase, raw_database

# Each tampering is plain SQL on the test's database (SQLite file or PostgreSQL), done past
# the service as a database administrator could; it returns the first record it broke.
Tamper = Callable[[RawDatabase, int], Awaitable[int]]


async def _count(db: RawDatabase) -> int:
    return int(await db.scalar("SELECT max(seq) FROM audit_record"))


async def _shift_up(db: RawDatabase, start: int) -> None:
    # Via negative numbers: seq is the primary key, so a plain +1 would collide midway.
    await db.execute("UPDATE audit_record SET seq = -seq - 1 WHERE seq >= ?", start)
    await db.execute("UPDATE audit_record SET seq = -seq WHERE seq < 0")


async def edit(db: RawDatabase, k: int) -> int:
    await db.execute("UPDATE audit_record SET purpose = 'nothing to see' WHERE seq = ?", k)
    return k


async def delete(db: RawDatabase, k: int) -> int:
    await db.execute("DELETE FROM audit_record WHERE seq = ?", k)
    return k


async def insert(db: RawDatabase, k: int) -> int:
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
    return k


async def truncate(db: RawDatabase, k: int) -> int:
    last = await _count(db)
    await db.execute("DELETE FROM audit_record WHERE seq >= ?", last - 1)
    return last - 1


async def reorder(db: RawDatabase, k: int) -> int:
    await db.execute("UPDATE audit_record SET seq = -1 WHERE seq = ?", k)
    await db.execute("UPDATE audit_record SET seq = ? WHERE seq = ?", k, k + 1)
    await db.execute("UPDATE audit_record SET seq = ? WHERE seq = -1", k + 1)
    return k


async def test_an_intact_trail_verifies_with_its_checkpoint(
    harness: Harness, settings: Settings
) -> None:
    await build(harness)
    result = run_script("audit_verify", "--json", settings=settings)
    assert result.returncode == 0, result.stderr
    report = json_of(result)
    assert report["ok"] is True
    assert report["checkpoint"] == "matched"
    assert report["checked"] == report["records"] >= 8
    readable = run_script("audit_verify", settings=settings)
    assert readable.returncode == 0
    assert readable.stdout.startswith("INTACT")


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (edit, "edited"),
        (delete, "removed"),
        (insert, "edited"),  # a forgery without the key looks like an edit at its number
        (truncate, "truncated"),
        (reorder, "reordered"),
    ],
)
async def test_each_kind_of_tampering_is_detected_at_the_first_bad_record(
    harness: Harness,
    settings: Settings,
    tamper: Tamper,
    problem: str,
) -> None:
    await build(harness)
    async with raw_database(settings) as db:
        k = await _count(db) // 2
        first_bad = await tamper(db, k)
    result = run_script("audit_verify", "--json", settings=settings)
    assert result.returncode == 1, result.stdout + result.stderr
    report = json_of(result)
    assert report["ok"] is False
    assert report["first_bad_seq"] == first_bad
    assert report["problem"] == problem
    if tamper is edit:  # the readable form names the record too (once: each run is slow)
        readable = run_script("audit_verify", settings=settings)
        assert readable.returncode == 1
        assert f"BROKEN at record {first_bad}: {problem}" in readable.stdout


async def test_a_forged_checkpoint_is_a_finding(harness: Harness, settings: Settings) -> None:
    await build(harness)
    path = settings.data_dir / "audit-checkpoint.json"
    path.write_text(path.read_text().replace('"seq": ', '"seq": 1'))
    result = run_script("audit_verify", "--json", settings=settings)
    assert result.returncode == 1
    assert json_of(result)["checkpoint"] == "forged"


async def test_a_checkpoint_copy_catches_truncation_even_if_the_live_one_is_rewound(
    harness: Harness, settings: Settings, tmp_path: Path
) -> None:
    await build(harness)
    copy = tmp_path / "offline" / "checkpoint.json"
    made = run_script("audit_verify", "--copy-checkpoint", str(copy), settings=settings)
    assert made.returncode == 0 and copy.exists()
    assert copy.stat().st_mode & 0o077 == 0
    async with raw_database(settings) as db:
        last = await truncate(db, 0)
    (settings.data_dir / "audit-checkpoint.json").unlink()  # the tamperer removes the live one
    without = run_script("audit_verify", "--json", settings=settings)
    assert without.returncode == 0  # a shorter chain is a valid chain ...
    assert json_of(without)["checkpoint"] == "missing"
    result = run_script("audit_verify", "--json", "--checkpoint", str(copy), settings=settings)
    assert result.returncode == 1  # ... but not against the copy kept elsewhere
    assert json_of(result)["first_bad_seq"] == last
