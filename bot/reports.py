"""Impact reports from the anonymous counters (`bot/impact.py`, `bot/feedback.py`).

Counters are added up by day, ISO week or month and queue; every cell under the threshold
(`SOMESOSSU_REPORT_MIN_CELL`, as in `scripts/stats.py`) is shown as "<N", and when a group
of cells that add up to a total hides only one, the next smallest is hidden too, so that no
hidden cell can be worked out by subtraction. The figures do not depend on transcripts: they
stay the same after retention has deleted the conversations they came from.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sqlmodel import col, func, select

from .core import Core
from .store.read_only import Query, read_rows
from .store.tables import FeedbackCount, ImpactCount

Period = Literal["day", "week", "month"]
Cell = int | str
MEASURES = (
    "contacts",
    "reached_queue",
    "answered",
    "channel",
    "language",
    "topic",
    "outcome",
    "tag",
    "wait_minutes",
    "handled_minutes",
    "hour",
    "crisis",
    "transfers",
    "repeat",
    "feedback_rating",
    "feedback_helped",
)


@dataclass(frozen=True, slots=True)
class ReportQuery:
    since: date
    until: date  # exclusive
    by: Period = "week"
    queues: frozenset[str] | None = None  # None: every queue


def period_of(day: str, by: Period) -> str:
    """The period a local day belongs to: the day, its ISO week ("2026-W49") or month."""
    if by == "day":
        return day
    if by == "month":
        return day[:7]
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def suppressed(counts: Mapping[str, int], min_cell: int) -> dict[str, Cell]:
    """Cells of 1 to min_cell-1 become "<min_cell"; a lone hidden cell takes the next
    smallest with it (the group adds up to a total shown elsewhere)."""
    hidden_text = f"<{min_cell}"
    cells: dict[str, Cell] = dict(counts)
    hidden = [key for key, n in counts.items() if 0 < n < min_cell]
    for key in hidden:
        cells[key] = hidden_text
    if len(hidden) == 1:
        others = sorted((n, key) for key, n in counts.items() if n >= min_cell)
        if others:
            cells[others[0][1]] = hidden_text
    return cells


def _total(count: int, min_cell: int) -> Cell:
    return count if count == 0 or count >= min_cell else f"<{min_cell}"


@dataclass(frozen=True, slots=True)
class Counts:
    """Raw sums: (period, measure, value) -> count, over the chosen queues."""

    query: ReportQuery
    sums: dict[tuple[str, str, str], int]

    def measure(self, measure: str, period: str | None = None) -> Counter[str]:
        found: Counter[str] = Counter()
        for (p, m, value), count in self.sums.items():
            if m == measure and (period is None or p == period):
                found[value] += count
        return found

    def periods(self) -> list[str]:
        return sorted({p for p, _, _ in self.sums})


def count_queries(query: ReportQuery) -> tuple[Query, Query]:
    """The impact and feedback counters of the query's days, summed by the database over
    queues: (day, measure, value, count) and (day, question, answer, count)."""
    since, until = query.since.isoformat(), query.until.isoformat()
    impact = (
        select(ImpactCount.day, ImpactCount.measure, ImpactCount.value, func.sum(ImpactCount.count))
        .where(col(ImpactCount.day) >= since, col(ImpactCount.day) < until)
        .group_by(ImpactCount.day, ImpactCount.measure, ImpactCount.value)
    )
    feedback = (
        select(
            FeedbackCount.day,
            FeedbackCount.question,
            FeedbackCount.answer,
            func.sum(FeedbackCount.count),
        )
        .where(col(FeedbackCount.day) >= since, col(FeedbackCount.day) < until)
        .group_by(FeedbackCount.day, FeedbackCount.question, FeedbackCount.answer)
    )
    if query.queues is not None:
        impact = impact.where(col(ImpactCount.queue_id).in_(sorted(query.queues)))
        feedback = feedback.where(col(FeedbackCount.queue_id).in_(sorted(query.queues)))
    return impact, feedback


async def gather_counts(core: Core, query: ReportQuery) -> Counts:
    """The counters of the query's days added up per period, measure and value.

    Summed over queues by the database and read as plain rows (issue 23): as ORM objects, a
    three-year report of a busy service held the event loop for seconds. On SQLite the sums
    run on a worker thread over a read-only connection, so the aggregation itself (about half
    a second for three years) neither holds the loop nor waits for the write lock.
    """
    impact, feedback = count_queries(query)
    sums: dict[tuple[str, str, str], int] = defaultdict(int)
    periods: dict[str, str] = {}
    impact_rows, feedback_rows = await read_rows(core.database, [impact, feedback])
    for day, measure, value, count in impact_rows:
        period = periods.get(day) or periods.setdefault(day, period_of(day, query.by))
        sums[(period, measure, value)] += int(count)
    for day, question, answer, count in feedback_rows:
        period = periods.get(day) or periods.setdefault(day, period_of(day, query.by))
        sums[(period, f"feedback_{question}", answer)] += int(count)
    return Counts(query, dict(sums))


def quantile_minutes(steps: Counter[str], share: float) -> int | None:
    """The minute step at which `share` of the counted waits (or handling times) were over."""
    total = sum(steps.values())
    if total == 0:
        return None
    seen = 0
    for step in sorted(steps, key=int):
        seen += steps[step]
        if seen >= share * total:
            return int(step)
    return None


def within(steps: Counter[str], minutes: int) -> int:
    """How many of the counted times were under `minutes` (steps are exact below an hour)."""
    return sum(n for step, n in steps.items() if int(step) < minutes)


def summary(counts: Counts, min_cell: int) -> dict[str, object]:
    """The report as JSON: totals, figures per period, each measure's cells (suppressed)."""
    query = counts.query
    periods = []
    for period in counts.periods():
        contacts = counts.measure("contacts", period)[""]
        answered = counts.measure("answered", period)
        periods.append(
            {
                "period": period,
                "contacts": _total(contacts, min_cell),
                "answered": _total(answered["yes"], min_cell),
                "left_before_answer": _total(answered["no"], min_cell),
            }
        )
    contacts = counts.measure("contacts")[""]
    answered = counts.measure("answered")
    queued = answered["yes"] + answered["no"]
    waits = counts.measure("wait_minutes")
    handled = counts.measure("handled_minutes")
    enough_waits = sum(waits.values()) >= min_cell
    enough_handled = sum(handled.values()) >= min_cell
    return {
        "since": query.since.isoformat(),
        "until": query.until.isoformat(),
        "by": query.by,
        "queues": sorted(query.queues) if query.queues is not None else None,
        "min_cell": min_cell,
        "contacts": _total(contacts, min_cell),
        "answered": _total(answered["yes"], min_cell),
        "left_before_answer": _total(answered["no"], min_cell),
        # Shares only from enough contacts: a share of three describes three people.
        "answered_share": round(answered["yes"] / queued, 3) if queued >= min_cell else None,
        "wait_median_minutes": quantile_minutes(waits, 0.5) if enough_waits else None,
        "wait_p90_minutes": quantile_minutes(waits, 0.9) if enough_waits else None,
        "handled_median_minutes": quantile_minutes(handled, 0.5) if enough_handled else None,
        "periods": periods,
        "measures": {
            measure: suppressed(dict(sorted(counts.measure(measure).items())), min_cell)
            for measure in MEASURES
            if measure != "contacts"
        },
    }


def rows(counts: Counts, min_cell: int) -> list[dict[str, object]]:
    """Every (period, measure, value) cell, suppressed within its period and measure."""
    found: list[dict[str, object]] = []
    for period in counts.periods():
        for measure in MEASURES:
            values = counts.measure(measure, period)
            if not values:
                continue
            if measure == "contacts":  # a total, not a group of cells
                cells: dict[str, Cell] = {"": _total(values[""], min_cell)}
            else:
                cells = suppressed(dict(sorted(values.items())), min_cell)
            found.extend(
                {"period": period, "measure": measure, "value": value, "count": cell}
                for value, cell in cells.items()
            )
    return found


def as_csv(found: Collection[Mapping[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["period", "measure", "value", "count"])
    writer.writeheader()
    for row in found:
        writer.writerow(row)
    return buffer.getvalue()


def default_period(today: date, days: int = 30) -> tuple[date, date]:
    """The last `days` days up to and including today."""
    return today - timedelta(days=days - 1), today + timedelta(days=1)


TARGET_DAYS = 7


@dataclass(frozen=True, slots=True)
class TargetStatus:
    """A queue's service target over the last `TARGET_DAYS` days and right now."""

    minutes: int
    percent: int
    reached: int  # closed conversations that reached the queue in those days
    share: float | None  # of them, answered within the minutes (None: none reached)
    waiting_over: bool  # someone waits longer than the minutes now

    @property
    def missed(self) -> bool:
        return self.waiting_over or (self.share is not None and self.share * 100 < self.percent)


async def target_status(
    core: Core, targets: Mapping[str, tuple[int, int]], longest_wait: Mapping[str, int]
) -> dict[str, TargetStatus]:
    """Each queue with a target (minutes, percent): the share of the last days' contacts who
    were answered within the minutes, from the counters, and whether anyone waits longer."""
    if not targets:
        return {}
    today = core.now().astimezone(core.settings.zone).date()
    since = (today - timedelta(days=TARGET_DAYS - 1)).isoformat()
    query = (
        select(
            ImpactCount.queue_id,
            ImpactCount.measure,
            ImpactCount.value,
            func.sum(ImpactCount.count),
        )
        .where(
            col(ImpactCount.day) >= since,
            col(ImpactCount.queue_id).in_(sorted(targets)),
            col(ImpactCount.measure).in_(("answered", "wait_minutes")),
        )
        .group_by(ImpactCount.queue_id, ImpactCount.measure, ImpactCount.value)
    )
    answered: dict[str, Counter[str]] = defaultdict(Counter)
    waits: dict[str, Counter[str]] = defaultdict(Counter)
    (found_rows,) = await read_rows(core.database, [query])
    for queue_id, measure, value, count in found_rows:
        found = answered if measure == "answered" else waits
        found[queue_id][value] += int(count)
    status: dict[str, TargetStatus] = {}
    for queue_id, (minutes, percent) in targets.items():
        reached = answered[queue_id]["yes"] + answered[queue_id]["no"]
        in_time = within(waits[queue_id], minutes)
        status[queue_id] = TargetStatus(
            minutes=minutes,
            percent=percent,
            reached=reached,
            share=round(in_time / reached, 3) if reached else None,
            waiting_over=longest_wait.get(queue_id, 0) > minutes * 60,
        )
    return status
