"""Report counts add the anonymous counters up per period, measure and value (issue 23).

The database sums them over queues and they are read as plain rows; these compare the
result with a plain sum in Python of the very rows written, for every period and with a
queue filter. On SQLite the sums are read off the event loop over a read-only connection:
the same rows as through a session, and a report is answered while another unit of work
holds the write lock.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import insert

from bot.reports import Period, ReportQuery, count_queries, gather_counts, period_of
from bot.store import read_only
from bot.store.rows import table_of
from bot.store.tables import FeedbackCount, ImpactCount
from tests.support.chat import Harness
from tests.support.db import sqlite_only

START = date(2025, 12, 20)
DAYS = 50


def impact_rows() -> list[dict[str, object]]:
    return [
        {
            "day": (START + timedelta(days=d)).isoformat(),
            "queue_id": queue,
            "measure": measure,
            "value": str(v),
            "count": 1 + (d * 7 + v + len(queue)) % 5,
        }
        for d in range(DAYS)
        for queue in ("", "housing", "money")
        for measure in ("wait", "outcome")
        for v in range(3)
        if (d + v) % 4 != 0
    ]


def feedback_rows() -> list[dict[str, object]]:
    return [
        {
            "day": (START + timedelta(days=d)).isoformat(),
            "queue_id": queue,
            "question": "helped",
            "answer": answer,
            "count": 1 + d % 3,
        }
        for d in range(0, DAYS, 3)
        for queue in ("housing", "money")
        for answer in ("yes", "no")
    ]


@pytest.mark.parametrize("by", ["day", "week", "month"])
@pytest.mark.parametrize("queues", [None, frozenset({"housing"}), frozenset({"", "money"})])
async def test_counts_are_the_sums_of_the_counters_written(
    harness: Harness, by: Period, queues: frozenset[str] | None
) -> None:
    impact, feedback = impact_rows(), feedback_rows()
    async with harness.core.database.session() as session:
        await session.execute(insert(table_of(ImpactCount)), impact)
        await session.execute(insert(table_of(FeedbackCount)), feedback)
    # A window that cuts the written days at both ends.
    query = ReportQuery(
        since=START + timedelta(days=3), until=START + timedelta(days=40), by=by, queues=queues
    )
    expected: dict[tuple[str, str, str], int] = defaultdict(int)
    inside = (query.since.isoformat(), query.until.isoformat())
    for row in impact:
        day, queue = str(row["day"]), str(row["queue_id"])
        if inside[0] <= day < inside[1] and (queues is None or queue in queues):
            key = (period_of(day, by), str(row["measure"]), str(row["value"]))
            expected[key] += int(str(row["count"]))
    for row in feedback:
        day, queue = str(row["day"]), str(row["queue_id"])
        if inside[0] <= day < inside[1] and (queues is None or queue in queues):
            key = (period_of(day, by), f"feedback_{row['question']}", str(row["answer"]))
            expected[key] += int(str(row["count"]))
    counts = await gather_counts(harness.core, query)
    assert counts.sums == dict(expected)
    assert len(expected) > 10


async def _write_counters(harness: Harness) -> None:
    async with harness.core.database.session() as session:
        await session.execute(insert(table_of(ImpactCount)), impact_rows())
        await session.execute(insert(table_of(FeedbackCount)), feedback_rows())


@sqlite_only
@pytest.mark.parametrize("queues", [None, frozenset({"housing"}), frozenset({"", "money"})])
async def test_counts_read_off_the_loop_are_the_rows_a_session_reads(
    harness: Harness, queues: frozenset[str] | None
) -> None:
    await _write_counters(harness)
    database = harness.core.database
    assert database.sqlite_path is not None  # the worker-thread path is the one taken
    query = ReportQuery(since=START, until=START + timedelta(days=30), queues=queues)
    statements = list(count_queries(query))
    in_session = await read_only.read_in_session(database, statements)
    off_loop = await read_only.read_rows(database, statements)
    assert [sorted(rows) for rows in off_loop] == [sorted(rows) for rows in in_session]
    assert all(len(rows) > 10 for rows in off_loop)


@sqlite_only
async def test_a_report_is_answered_while_another_unit_of_work_holds_the_write_lock(
    harness: Harness,
) -> None:
    await _write_counters(harness)
    query = ReportQuery(since=START, until=START + timedelta(days=DAYS), by="month")
    committed = await gather_counts(harness.core, query)
    holding, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        # Holds the in-process SQLite lock and SQLite's own write lock, uncommitted.
        async with harness.core.database.session() as session:
            await session.execute(
                insert(table_of(ImpactCount)),
                [
                    {
                        "day": START.isoformat(),
                        "queue_id": "",
                        "measure": "wait",
                        "value": "0",
                        "count": 1000,
                    }
                ],
            )
            holding.set()
            await release.wait()

    held = asyncio.create_task(writer())
    await asyncio.wait_for(holding.wait(), timeout=30)
    try:
        # Inline under the lock this would wait for the writer, which waits for the report.
        during = await asyncio.wait_for(gather_counts(harness.core, query), timeout=30)
        assert not held.done()
    finally:
        release.set()
        await held
    assert during.sums == committed.sums  # the committed snapshot, not the open write
    after = await gather_counts(harness.core, query)
    key = (period_of(START.isoformat(), "month"), "wait", "0")
    assert after.sums[key] == committed.sums[key] + 1000
