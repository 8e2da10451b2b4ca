"""What the Reports page shows: the form's values, the figures, a chart drawn on the server
and a table per measure, every name in the console language.

The chart is inline SVG made here (no script, no third-party host); each bar carries its
number as text, so it reads without colour, and the same numbers are in a table beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from html import escape
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup
from sqlmodel import select

from bot.core import Core
from bot.reports import MEASURES, Cell, Counts
from bot.store import close_tags as close_tag_store
from bot.store.tables import Queue, Topic

from .pages import language_context, name_of

# Every measure but those the figures above the tables already give.
SHOWN_MEASURES = tuple(m for m in MEASURES if m not in ("contacts", "reached_queue", "answered"))
YES_NO_MEASURES = ("crisis", "repeat", "feedback_helped")


def bar_chart(title: str, cells: list[tuple[str, Cell]]) -> Markup:
    """Vertical bars with their number above each; a hidden cell ("<5") is a stub."""
    width, height, left, bottom, top = 720, 240, 10, 40, 24
    peak = max([c for _, c in cells if isinstance(c, int)] + [1])
    step = (width - 2 * left) / max(len(cells), 1)
    bar = max(min(step * 0.7, 60), 3)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">'
    ]
    for index, (label, cell) in enumerate(cells):
        value = cell if isinstance(cell, int) else 0
        bar_height = max((height - bottom - top) * value / peak, 2)
        x = left + index * step + (step - bar) / 2
        y = height - bottom - bar_height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{bar_height:.1f}" '
            f'fill="#1f5fa8"/>'
            f'<text x="{x + bar / 2:.1f}" y="{y - 6:.1f}" text-anchor="middle" '
            f'font-size="13">{escape(str(cell))}</text>'
        )
        if len(cells) <= 16 or index % max(len(cells) // 12, 1) == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                f'font-size="12">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers and escaped labels only


async def _names(
    core: Core, lang: str
) -> tuple[list[dict[str, str]], dict[str, str], dict[str, str]]:
    """Queues (id, name), topic labels and close-tag labels, for showing ids as names."""
    async with core.database.session() as session:
        queues = list((await session.execute(select(Queue).order_by(Queue.name))).scalars())
        topics = list((await session.execute(select(Topic))).scalars())
        tags = await close_tag_store.all_tags(session)
    topic_labels: dict[str, str] = {}
    for topic in topics:
        labels = topic.labels or {}
        label = labels.get(lang) or labels.get("en") or next(iter(labels.values()), topic.id)
        topic_labels[topic.id] = str(label)
    return (
        [{"id": q.id, "name": q.name} for q in queues],
        topic_labels,
        {tag.id: tag.label for tag in tags},
    )


def _value_namer(
    words: Mapping[str, Any], topics: Mapping[str, str], tags: Mapping[str, str]
) -> Callable[[str, str], str]:
    t, lang = words["t"], words["lang"]

    def value_name(measure: str, value: str) -> str:
        if value == "not_chosen":
            return str(t("reports.not_chosen"))
        if measure == "language":
            return str(words["language_name"](value))
        if measure in ("channel", "outcome"):
            return name_of(lang, measure, value)
        if measure == "topic":
            return topics.get(value, value)
        if measure == "tag":
            return tags.get(value, value)
        if measure in YES_NO_MEASURES or measure in ("answered", "reached_queue"):
            return str(t(f"reports.{value}")) if value in ("yes", "no") else value
        if measure in ("wait_minutes", "handled_minutes"):
            if value == "0":
                return str(t("reports.under_a_minute"))
            return str(t("reports.minutes_from", minutes=value))
        return value

    return value_name


async def page_context(
    request: web.Request, core: Core, counts: Counts, figures: Mapping[str, Any]
) -> dict[str, Any]:
    words = language_context(request)
    t = words["t"]
    query = counts.query
    queues, topics, tags = await _names(core, words["lang"])
    value_name = _value_namer(words, topics, tags)
    last_day = query.until - timedelta(days=1)
    chosen = {
        "since": query.since.isoformat(),
        "until": last_day.isoformat(),
        "by": query.by,
        "queue": next(iter(query.queues)) if query.queues else "",
    }
    measures: Mapping[str, Mapping[str, Cell]] = figures["measures"]
    tables = []
    for measure in SHOWN_MEASURES:
        cells = measures.get(measure, {})
        order = sorted(cells, key=int) if measure.endswith("_minutes") else list(cells)
        tables.append(
            {
                "id": measure,
                "title": t(f"reports.measure_{measure}"),
                "rows": [(value_name(measure, value), cells[value]) for value in order],
            }
        )
    periods = [(p["period"], p["contacts"]) for p in figures["periods"]]

    def minutes(value: int | None) -> str:
        return "—" if value is None else str(t("reports.minutes", minutes=value))

    share = figures["answered_share"]
    return {
        "chosen": chosen,
        "queues": queues,
        "csv_href": "/api/reports/counts.csv?" + urlencode(chosen),
        "figures": [
            (t("reports.contacts"), figures["contacts"]),
            (t("reports.answered"), figures["answered"]),
            (t("reports.left_before_answer"), figures["left_before_answer"]),
            (
                t("reports.answered_share"),
                "—" if share is None else f"{words['format_number'](round(share * 100))} %",
            ),
            (t("reports.wait_median"), minutes(figures["wait_median_minutes"])),
            (t("reports.wait_p90"), minutes(figures["wait_p90_minutes"])),
            (t("reports.handled_median"), minutes(figures["handled_median_minutes"])),
        ],
        "periods": figures["periods"],
        "chart": bar_chart(t("reports.chart_contacts"), periods),
        "tables": tables,
        "min_cell": figures["min_cell"],
    }
