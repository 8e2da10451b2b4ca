"""Bodies and query of GET /api/reports/* (impact reports, bot/reports.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Cell = int | str
"""A count, or "<N" when it is under the report threshold (SOMESOSSU_REPORT_MIN_CELL)."""


class ReportQuery(BaseModel):
    """Query of GET /api/reports/*: days in the service's time zone, `until` included;
    without them the last 30 days; `queue` limits the report to one queue."""

    since: str = ""
    until: str = ""
    by: Literal["day", "week", "month"] = "week"
    queue: str = ""


class ReportPeriod(BaseModel):
    """One day, ISO week (2026-W49) or month (2026-12)."""

    period: str
    contacts: Cell
    answered: Cell
    left_before_answer: Cell


class ReportSummary(BaseModel):
    """Closed conversations counted by the day they began: totals, each period, and every
    measure's cells (channel, language, topic, outcome, tag, wait_minutes, handled_minutes,
    hour, crisis, transfers, repeat, reached_queue, answered, feedback_rating,
    feedback_helped). Shares and minutes are null below the threshold."""

    since: str
    until: str
    by: str
    queues: list[str] | None
    min_cell: int
    contacts: Cell
    answered: Cell
    left_before_answer: Cell
    answered_share: float | None
    wait_median_minutes: int | None
    wait_p90_minutes: int | None
    handled_median_minutes: int | None
    periods: list[ReportPeriod]
    measures: dict[str, dict[str, Cell]]


class ReportCount(BaseModel):
    """One cell: in `period`, `count` closed conversations had `value` for `measure`."""

    period: str
    measure: str
    value: str
    count: Cell


MODELS: tuple[type[BaseModel], ...] = (ReportPeriod, ReportSummary, ReportCount)
PARAMETER_MODELS: tuple[type[BaseModel], ...] = (ReportQuery,)
