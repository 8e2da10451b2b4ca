"""The service's one time zone (SOMESOSSU_TIME_ZONE): every local day and time follows it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.actions.context import unit_of_work
from bot.app import build_service
from bot.config import Environment, Settings
from bot.defaults import ensure_defaults
from bot.feedback import record_feedback
from bot.groups.sessions import SessionDraft, create_session
from bot.hours import OpeningHours
from bot.local_time import zone_label
from bot.officer.common import local_text, parse_moment
from bot.officer.processing_record import processing_record, render_markdown
from bot.store.tables import FeedbackCount, Queue
from tests.support.chat import Harness

HELSINKI = ZoneInfo("Europe/Helsinki")
STOCKHOLM = ZoneInfo("Europe/Stockholm")
# 22:30 UTC in winter: already the next day in Helsinki (UTC+2), still this day in UTC.
LATE_EVENING = datetime(2030, 1, 10, 22, 30, tzinfo=UTC)


def use_zone(harness: Harness, name: str) -> None:
    harness.core.settings = harness.core.settings.model_copy(update={"time_zone": name})


def test_zone_label_names_helsinki_as_finnish_time_and_others_by_their_name() -> None:
    assert zone_label(HELSINKI) == "Finnish time"
    assert zone_label(STOCKHOLM) == "Europe/Stockholm time"


@pytest.mark.parametrize(
    ("zone", "day"), [("Europe/Helsinki", "2030-01-11"), ("UTC", "2030-01-10")]
)
async def test_feedback_is_counted_on_the_services_local_day(
    harness: Harness, zone: str, day: str
) -> None:
    use_zone(harness, zone)
    harness.core.clock = lambda: LATE_EVENING
    async with unit_of_work(harness.core) as work:
        await record_feedback(work, "general", "rating", "5")
    async with harness.core.database.session() as session:
        counts = list((await session.execute(select(FeedbackCount))).scalars())
    assert [(c.day, c.count) for c in counts] == [(day, 1)]


def test_officer_times_are_read_and_shown_in_the_zone_given() -> None:
    assert local_text(LATE_EVENING, HELSINKI) == "2030-01-11 00:30"
    assert local_text(LATE_EVENING, ZoneInfo("UTC")) == "2030-01-10 22:30"
    assert parse_moment("2030-01-10", HELSINKI) == datetime(2030, 1, 9, 22, 0, tzinfo=UTC)
    assert parse_moment("2030-01-10", STOCKHOLM) == datetime(2030, 1, 9, 23, 0, tzinfo=UTC)
    until = parse_moment("2030-01-10", STOCKHOLM, end_of_day=True)
    assert until == datetime(2030, 1, 10, 23, 0, tzinfo=UTC)
    assert parse_moment("2030-01-10T12:00", STOCKHOLM) == datetime(2030, 1, 10, 11, tzinfo=UTC)


async def test_processing_record_shows_when_it_was_made_in_the_services_zone(
    harness: Harness,
) -> None:
    use_zone(harness, "UTC")
    harness.core.clock = lambda: LATE_EVENING
    text = render_markdown(await processing_record(harness.core))
    assert "on 2030-01-10 22:30 (UTC time)" in text


async def test_a_group_session_typed_without_a_zone_is_in_the_services_zone(
    harness: Harness,
) -> None:
    use_zone(harness, "Europe/Stockholm")
    moderator = await harness.staff("mod")
    group = await create_session(
        harness.core,
        moderator,
        SessionDraft(
            title="Kahvila",
            description="",
            language="fi",
            topic_id="other",
            starts_at=datetime(2030, 1, 10, 12, 0),
            ends_at=datetime(2030, 1, 10, 13, 0),
            capacity=5,
            channels=("test",),
        ),
    )
    assert group.starts_at == datetime(2030, 1, 10, 11, 0, tzinfo=UTC)
    assert group.ends_at == datetime(2030, 1, 10, 12, 0, tzinfo=UTC)


async def test_the_next_opening_is_told_in_the_services_zone(harness: Harness) -> None:
    async with harness.core.database.session() as session:
        queue = await session.get(Queue, "general")
        assert queue is not None
        queue.opening_hours = {
            "always_open": False,
            "timezone": "Europe/Helsinki",
            "weekly": {"mon": [["09:00", "16:00"]]},
            "exceptions": {},
        }
        session.add(queue)
    harness.core.flow.invalidate()
    use_zone(harness, "UTC")
    # Ahead of the real clock (Core.now never goes back), on a Tuesday night.
    today = datetime.now(UTC).date()
    next_tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    harness.core.clock = lambda: datetime.combine(next_tuesday, time(22, 0), tzinfo=UTC)
    resident = harness.resident("night")
    await resident.write("hei")
    await resident.press("lang:en")
    await resident.press("topic:housing")
    opening = datetime.combine(next_tuesday + timedelta(days=6), time(9, 0), tzinfo=HELSINKI)
    texts = harness.core.texts
    in_utc = texts.format_when("en", opening, zone=ZoneInfo("UTC"))
    assert in_utc != texts.format_when("en", opening, zone=HELSINKI)
    assert texts.text("en", "closed_now", when=in_utc) in resident.texts()


async def test_the_first_queue_is_open_in_the_services_zone(settings: Settings) -> None:
    service = build_service(settings)
    try:
        await service.core.database.migrate()
        core = service.core
        core.settings = core.settings.model_copy(
            update={"env": Environment.PRODUCTION, "time_zone": "Europe/Stockholm"}
        )
        assert await ensure_defaults(core)
        async with core.database.session() as session:
            queue = await session.get(Queue, "general")
        assert queue is not None
        hours = OpeningHours.from_json(queue.opening_hours)
    finally:
        await service.core.database.dispose()
    assert hours.timezone == "Europe/Stockholm"
    # Monday 7 January 2030, 07:30 UTC: 09:30 in Helsinki (open there), 08:30 in Stockholm.
    assert date(2030, 1, 7).weekday() == 0
    assert not hours.is_open(datetime(2030, 1, 7, 7, 30, tzinfo=UTC))
    assert hours.is_open(datetime(2030, 1, 7, 8, 0, tzinfo=UTC))
