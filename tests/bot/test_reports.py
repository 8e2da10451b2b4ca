"""Report counts add the anonymous counters up per period, measure and value (issue 23).

The database sums them over queues and they are read as plain rows; these compare the
result with a plain sum in Python of the very rows written, for every period and with a
queue filter.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import insert

from bot.reports import Period, ReportQuery, gather_counts, period_of
from bot.store.rows import table_of
from bot.store.tables import FeedbackCount, ImpactCount
from tests.support.chat import Harness

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
