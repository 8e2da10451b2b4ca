"""Anonymous statistics of the service: volumes, waiting times, feedback, outcomes, tags, groups.

Counts only, from the anonymous counters the console's reports read too (`bot/impact.py`),
with cells under five suppressed; never a pseudonym, a conversation id or text.
The HTML report is self-contained (inline SVG, no scripts, no external requests).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.actions.context import Core
from bot.groups.tables import GroupAttendance
from bot.local_time import zone_label
from bot.reports import quantile_minutes, suppressed
from bot.store import close_tags as close_tag_store
from bot.store.tables import FeedbackCount, ImpactCount

from .common import local_text

MIN_CELL = 5
SUPPRESSED = "<5"

Cell = int | str
"""A count, or "<5" when it was suppressed."""

WAIT_BUCKETS: tuple[tuple[str, float], ...] = (
    ("under 1 min", 1),
    ("1-5 min", 5),
    ("5-15 min", 15),
    ("15-30 min", 30),
    ("30-60 min", 60),
    ("over 1 h", float("inf")),
)


def suppress(counts: Mapping[str, int]) -> dict[str, Cell]:
    """Cells of 1-4 become "<5"; if only one cell is hidden, the next smallest is hidden too
    (the rule of the console's reports, `bot.reports.suppressed`)."""
    return suppressed(counts, MIN_CELL)


def suppress_total(total: int) -> Cell:
    return total if total == 0 or total >= MIN_CELL else SUPPRESSED


@dataclass(frozen=True, slots=True)
class Statistics:
    period: tuple[datetime | None, datetime | None]
    conversations: Cell
    by_channel: dict[str, Cell]
    by_language: dict[str, Cell]
    by_topic: dict[str, Cell]
    by_hour: dict[str, Cell]
    by_week: dict[str, Cell]
    week_by_channel: dict[str, dict[str, Cell]]
    wait_buckets: dict[str, Cell]
    wait_median_minutes: float | None
    wait_p90_minutes: float | None
    outcomes: dict[str, Cell]
    feedback_rating: dict[str, Cell]
    feedback_helped: dict[str, Cell]
    zone: ZoneInfo
    """The service's zone (`Settings.zone`): hours, weeks and days are counted in it."""
    group_sessions: Cell = 0
    group_attendance: dict[str, dict[str, Cell]] = field(default_factory=dict)
    """Attendance of ended group sessions by "topic", "language" and "week"; keys
    "<value>: <measure>" (measures in `GROUP_MEASURES`), each measure suppressed on its own."""
    close_tags: dict[str, Cell] = field(default_factory=dict)
    """Closed conversations per close tag, keyed "<queue>/<tag id>" (retired tags included)."""
    close_tag_labels: dict[str, str] = field(default_factory=dict)
    """The label of each key of `close_tags`, marked "(retired)" when no longer offered."""

    def close_tag_table(self) -> dict[str, Cell]:
        return {
            f"{self.close_tag_labels.get(key, key)} [{key}]": cell
            for key, cell in self.close_tags.items()
        }

    def tables(self) -> list[tuple[str, dict[str, Cell]]]:
        groups = [
            (f"Group sessions by {dimension}", cells)
            for dimension, cells in self.group_attendance.items()
        ]
        return [
            ("Conversations by channel", self.by_channel),
            ("Conversations by language", self.by_language),
            ("Conversations by topic", self.by_topic),
            (f"Conversations by hour of day ({zone_label(self.zone)})", self.by_hour),
            ("Conversations by week", self.by_week),
            ("Waiting time until a counsellor answered", self.wait_buckets),
            ("Outcomes of closed conversations", self.outcomes),
            ("Close tags of closed conversations", self.close_tag_table()),
            ("Feedback: rating (1-5)", self.feedback_rating),
            ("Feedback: did you get help?", self.feedback_helped),
            *groups,
        ]

    def as_json(self) -> dict[str, object]:
        since, until = self.period
        return {
            "period": {
                "since": since.isoformat() if since else None,
                "until": until.isoformat() if until else None,
            },
            "min_cell": MIN_CELL,
            "conversations": self.conversations,
            "by_channel": self.by_channel,
            "by_language": self.by_language,
            "by_topic": self.by_topic,
            "by_hour": self.by_hour,
            "by_week": self.by_week,
            "week_by_channel": self.week_by_channel,
            "wait_buckets": self.wait_buckets,
            "wait_median_minutes": self.wait_median_minutes,
            "wait_p90_minutes": self.wait_p90_minutes,
            "outcomes": self.outcomes,
            "feedback_rating": self.feedback_rating,
            "feedback_helped": self.feedback_helped,
            "group_sessions": self.group_sessions,
            "group_attendance": self.group_attendance,
            "close_tags": self.close_tags,
            "close_tag_labels": self.close_tag_labels,
        }


GROUP_MEASURES = (
    ("joined", "joined"),
    ("stayed", "stayed at least the set minutes"),
    ("feedback_useful", "feedback: useful"),
    ("feedback_not_useful", "feedback: not useful"),
)


def group_attendance(rows: Sequence[GroupAttendance]) -> dict[str, dict[str, Cell]]:
    """Counts of ended sessions by topic, language and week; each measure suppressed across the
    values of a dimension (they add up to a total, so one hidden cell alone could be recovered).
    """
    dimensions: dict[str, dict[str, Counter[str]]] = {
        "topic": {measure: Counter() for measure, _ in GROUP_MEASURES},
        "language": {measure: Counter() for measure, _ in GROUP_MEASURES},
        "week": {measure: Counter() for measure, _ in GROUP_MEASURES},
    }
    for row in rows:
        year, week, _ = date.fromisoformat(row.day).isocalendar()
        keys = {"topic": row.topic_id, "language": row.language, "week": f"{year}-W{week:02d}"}
        for dimension, value in keys.items():
            counts = dimensions[dimension]
            counts["joined"][value] += row.joined
            counts["stayed"][value] += row.stayed
            counts["feedback_useful"][value] += row.feedback_useful
            counts["feedback_not_useful"][value] += row.feedback_not_useful
    result: dict[str, dict[str, Cell]] = {}
    for dimension, measures in dimensions.items():
        cells: dict[str, Cell] = {}
        values = sorted({v for counts in measures.values() for v in counts})
        for measure, label in GROUP_MEASURES:
            suppressed = suppress({v: measures[measure][v] for v in values})
            cells.update({f"{v}: {label}": suppressed[v] for v in values})
        result[dimension] = dict(sorted(cells.items()))
    return result


def _week_of(day: str) -> str:
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def _bucket(minutes: float) -> str:
    for label, upper in WAIT_BUCKETS:
        if minutes < upper:
            return label
    return WAIT_BUCKETS[-1][0]


async def gather_statistics(
    core: Core, *, since: datetime | None = None, until: datetime | None = None
) -> Statistics:
    """Statistics of closed conversations that began on the local days of [since, until),
    and of feedback and group attendance on those days.

    Read from the anonymous counters a conversation adds to when it closes (`bot/impact.py`),
    the same ones the console's reports read: the figures outlive the transcripts' retention,
    and a conversation still open is counted once it closes. Hours, weeks and days are the
    service's local ones.
    """
    zone = core.settings.zone
    first_day = since.astimezone(zone).date().isoformat() if since else None
    end_day = until.astimezone(zone).date().isoformat() if until else None

    def in_period(day: str) -> bool:
        return not ((first_day and day < first_day) or (end_day and day >= end_day))

    query = select(ImpactCount)
    if first_day is not None:
        query = query.where(col(ImpactCount.day) >= first_day)
    if end_day is not None:
        query = query.where(col(ImpactCount.day) < end_day)
    async with core.database.session() as session:
        counters = list((await session.execute(query)).scalars())
        feedback = list((await session.execute(select(FeedbackCount))).scalars())
        attendance = list((await session.execute(select(GroupAttendance))).scalars())
        defined_tags = await close_tag_store.all_tags(session)
    measures: dict[str, Counter[str]] = {}
    weeks: Counter[str] = Counter()
    week_channel: dict[str, Counter[str]] = {}
    tags: Counter[str] = Counter()
    for counter in counters:
        measure, value, count = counter.measure, counter.value, counter.count
        if measure == "contacts":
            weeks[_week_of(counter.day)] += count
        elif measure == "channel":
            week_channel.setdefault(_week_of(counter.day), Counter())[value] += count
        elif measure == "tag":
            # Counted by id: a corrected label still counts the same tag, a retired one too.
            tags[f"{counter.queue_id}/{value}"] += count
        measures.setdefault(measure, Counter())[value.replace("not_chosen", "not chosen")] += count

    def measure_of(name: str) -> Counter[str]:
        return measures.get(name, Counter())

    hours: Counter[str] = Counter({f"{h:02d}": 0 for h in range(24)})
    hours.update(measure_of("hour"))
    outcomes = Counter({k: n for k, n in measure_of("outcome").items() if k != "none"})
    waits = measure_of("wait_minutes")
    buckets: Counter[str] = Counter({label: 0 for label, _ in WAIT_BUCKETS})
    for step, count in waits.items():
        buckets[_bucket(int(step))] += count
    rating: Counter[str] = Counter({str(v): 0 for v in range(1, 6)})
    helped: Counter[str] = Counter({"yes": 0, "no": 0})
    for answer in feedback:
        if not in_period(answer.day):
            continue
        if answer.question == "rating":
            rating[answer.answer] += answer.count
        elif answer.question == "helped":
            helped[answer.answer] += answer.count
    attendance = [a for a in attendance if in_period(a.day)]
    # A median of fewer than five waits would describe a handful of identifiable chats.
    enough = sum(waits.values()) >= MIN_CELL
    median = quantile_minutes(waits, 0.5) if enough else None
    p90 = quantile_minutes(waits, 0.9) if enough else None
    return Statistics(
        period=(since, until),
        conversations=suppress_total(measure_of("contacts")[""]),
        by_channel=suppress(dict(sorted(measure_of("channel").items()))),
        by_language=suppress(dict(sorted(measure_of("language").items()))),
        by_topic=suppress(dict(sorted(measure_of("topic").items()))),
        by_hour=suppress(dict(sorted(hours.items()))),
        by_week=suppress(dict(sorted(weeks.items()))),
        week_by_channel={
            week: suppress(dict(sorted(counts.items())))
            for week, counts in sorted(week_channel.items())
        },
        wait_buckets=suppress(dict(buckets)),
        wait_median_minutes=float(median) if median is not None else None,
        wait_p90_minutes=float(p90) if p90 is not None else None,
        outcomes=suppress(dict(sorted(outcomes.items()))),
        feedback_rating=suppress(dict(rating)),
        feedback_helped=suppress(dict(helped)),
        zone=zone,
        group_sessions=suppress_total(len(attendance)),
        group_attendance=group_attendance(attendance),
        close_tags=suppress(dict(sorted(tags.items()))),
        close_tag_labels={
            f"{tag.queue_id}/{tag.id}": tag.label + (" (retired)" if tag.retired_at else "")
            for tag in defined_tags
            if f"{tag.queue_id}/{tag.id}" in tags
        },
    )


# ---- HTML ------------------------------------------------------------------------------------

PALETTE = ("#1f5fa8", "#d9822b", "#3a8f4b", "#8a4baf", "#b23b3b", "#5a6b7a")

CSS = """
body { font-family: system-ui, sans-serif; color: #1b1b1b; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; break-after: avoid; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #999; padding: .2rem .6rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; break-inside: avoid; } figcaption { font-size: .9rem; color: #444; }
.legend span { display: inline-block; margin-right: 1rem; font-size: .9rem; }
.legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; }
.note { font-size: .9rem; color: #444; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""


def _value(cell: Cell) -> int:
    # A suppressed cell is drawn as a stub and labelled "<5", never as its true height.
    return cell if isinstance(cell, int) else 0


def _bar_chart(title: str, cells: Mapping[str, Cell], colour: str = PALETTE[0]) -> str:
    labels = list(cells)
    width, height, left, bottom, top = 640, 260, 40, 60, 20
    plot_h = height - bottom - top
    peak = max([_value(c) for c in cells.values()] + [1])
    step = (width - left - 10) / max(len(labels), 1)
    bar = max(step * 0.7, 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{html.escape(title)}">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
        'stroke="#333"/>',
    ]
    for index, label in enumerate(labels):
        cell = cells[label]
        value = _value(cell)
        bar_h = plot_h * value / peak if value else 3.0
        x = left + index * step + (step - bar) / 2
        y = top + plot_h - bar_h
        fill = colour if value else "#bbb"
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{bar_h:.1f}" '
            f'fill="{fill}"><title>{html.escape(label)}: {cell}</title></rect>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" font-size="11" '
            f'text-anchor="middle">{html.escape(str(cell))}</text>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 14}" font-size="11" '
            f'text-anchor="end" transform="rotate(-35 {x + bar / 2:.1f} {top + plot_h + 14})">'
            f"{html.escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _stacked_weeks(week_by_channel: Mapping[str, Mapping[str, Cell]]) -> str:
    channels = sorted({c for counts in week_by_channel.values() for c in counts})
    colours = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(channels)}
    weeks = list(week_by_channel)
    width, height, left, bottom, top = 640, 280, 40, 60, 20
    plot_h = height - bottom - top
    peak = max(
        [sum(_value(c) for c in counts.values()) for counts in week_by_channel.values()] + [1]
    )
    step = (width - left - 10) / max(len(weeks), 1)
    bar = max(step * 0.7, 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        'role="img" aria-label="Weekly volume of conversations by channel">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
        'stroke="#333"/>',
    ]
    for index, week in enumerate(weeks):
        x = left + index * step + (step - bar) / 2
        y: float = top + plot_h
        labels = []
        for channel in channels:
            cell = week_by_channel[week].get(channel, 0)
            value = _value(cell)
            if cell == SUPPRESSED:
                labels.append(f"{channel} <5")
            if not value:
                continue
            bar_h = plot_h * value / peak
            y -= bar_h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{bar_h:.1f}" '
                f'fill="{colours[channel]}"><title>{html.escape(week)} {html.escape(channel)}: '
                f"{value}</title></rect>"
            )
        if labels:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" font-size="10" '
                f'text-anchor="middle">{html.escape(", ".join(labels))}</text>'
            )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 14}" font-size="11" '
            f'text-anchor="end" transform="rotate(-35 {x + bar / 2:.1f} {top + plot_h + 14})">'
            f"{html.escape(week)}</text>"
        )
    parts.append("</svg>")
    legend = "".join(
        f'<span><i style="background:{colours[c]}"></i>{html.escape(c)}</span>' for c in channels
    )
    return "".join(parts) + f'<div class="legend">{legend}</div>'


def _table(cells: Mapping[str, Cell], heading: str) -> str:
    rows = "".join(
        f'<tr><td>{html.escape(label)}</td><td class="n">{html.escape(str(cell))}</td></tr>'
        for label, cell in cells.items()
    )
    return (
        f'<table><thead><tr><th scope="col">{html.escape(heading)}</th>'
        f'<th scope="col">Conversations</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def render_html(stats: Statistics, *, title: str, made_at: datetime) -> str:
    since, until = stats.period
    zone = stats.zone
    period = f"{local_text(since, zone) or 'the first stored conversation'} – " + (
        local_text(until, zone) or local_text(made_at, zone)
    )
    median = (
        f"Median wait {stats.wait_median_minutes} min, 90% within {stats.wait_p90_minutes} min."
        if stats.wait_median_minutes is not None
        else "Too few answered conversations to give a median."
    )
    sections = [
        "<h2>Weekly volume by channel</h2>",
        f"<figure>{_stacked_weeks(stats.week_by_channel)}"
        "<figcaption>Conversations started per week (Monday to Sunday, "
        f"{html.escape(zone_label(zone))}), by channel.</figcaption></figure>",
        "<h2>Waiting time</h2>",
        f"<figure>{_bar_chart('Waiting time until a counsellor answered', stats.wait_buckets)}"
        f"<figcaption>{html.escape(median)}</figcaption></figure>",
        "<h2>Feedback</h2>",
        f"<figure>{_bar_chart('Feedback rating 1 to 5', stats.feedback_rating, PALETTE[2])}"
        "<figcaption>Ratings given after the chat (1 = poor, 5 = very good).</figcaption>"
        "</figure>",
        f"<figure>{_bar_chart('Did you get help?', stats.feedback_helped, PALETTE[1])}"
        "<figcaption>Answers to “Did you get help?”.</figcaption></figure>",
        "<h2>Tables</h2>",
    ]
    for heading, cells in stats.tables():
        sections.append(f"<h3>{html.escape(heading)}</h3>{_table(cells, heading.split(':')[0])}")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>Period: {html.escape(period)}. Conversations: {stats.conversations}. "
        f"Made {html.escape(local_text(made_at, zone))} ({html.escape(zone_label(zone))}).</p>"
        f'<p class="note">Anonymous counts only. Numbers under {MIN_CELL} are shown as “&lt;5”, '
        "and where only one number in a table would be hidden, the next smallest is hidden "
        "too. Conversations deleted under the retention rules are no longer counted; feedback "
        "is kept as counts and is counted for the whole period.</p>"
        + "".join(sections)
        + "</body></html>\n"
    )


def table_rows(cells: Mapping[str, Cell]) -> Sequence[tuple[str, Cell]]:
    return list(cells.items())
