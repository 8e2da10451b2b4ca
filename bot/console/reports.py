"""Impact reports for supervisors and admins: the Reports page, and GET /api/reports/* as
JSON or CSV.

Anonymous counters only (`bot/reports.py`): nothing here reads a conversation, so nothing is
audited as a read; small cells are hidden before anything leaves the service.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from aiohttp import web

from bot.errors import ServiceError
from bot.reports import Period, ReportQuery, as_csv, default_period, gather_counts, rows, summary
from bot.roles import Capability
from bot.service import SERVICE

from .auth import staff_of
from .pages import render
from .report_page import page_context

routes = web.RouteTableDef()

PERIODS = ("day", "week", "month")
LONGEST_DAYS = 3 * 366


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ServiceError("invalid_input", f"{name} is a date (YYYY-MM-DD)") from None


def report_query(request: web.Request) -> ReportQuery:
    """since (first day), until (last day, included), by (day, week, month), queue."""
    core = request.app[SERVICE].core
    today = core.now().astimezone(core.settings.zone).date()
    first, end = default_period(today)
    query = request.query
    if query.get("since"):
        first = _day(query["since"], "since")
    if query.get("until"):
        end = _day(query["until"], "until") + timedelta(days=1)
    if end <= first:
        raise ServiceError("invalid_input", "until is on or after since")
    if (end - first).days > LONGEST_DAYS:
        raise ServiceError("invalid_input", "a report covers at most three years")
    by = query.get("by", "week")
    if by not in PERIODS:
        raise ServiceError("invalid_input", "by is day, week or month")
    queue = query.get("queue", "")
    return ReportQuery(
        since=first,
        until=end,
        by=cast(Period, by),
        queues=frozenset({queue}) if queue else None,
    )


async def _counts(request: web.Request) -> tuple[Any, int]:
    staff_of(request, Capability.DASHBOARD)
    core = request.app[SERVICE].core
    return await gather_counts(core, report_query(request)), core.settings.report_min_cell


@routes.get("/api/reports/summary")
async def report_summary(request: web.Request) -> web.Response:
    counts, min_cell = await _counts(request)
    return web.json_response(summary(counts, min_cell))


@routes.get("/api/reports/counts")
async def report_counts(request: web.Request) -> web.Response:
    counts, min_cell = await _counts(request)
    return web.json_response(rows(counts, min_cell))


@routes.get("/api/reports/counts.csv")
async def report_counts_csv(request: web.Request) -> web.Response:
    counts, min_cell = await _counts(request)
    query = counts.query
    name = f"somesossu-report-{query.since.isoformat()}-{(query.until - timedelta(days=1))}.csv"
    return web.Response(
        text=as_csv(rows(counts, min_cell)),
        content_type="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@routes.get("/console/reports")
async def reports_page(request: web.Request) -> web.Response:
    counts, min_cell = await _counts(request)
    core = request.app[SERVICE].core
    context = await page_context(request, core, counts, summary(counts, min_cell))
    return render(request, "reports.html", page="reports", **context)
