"""Opening hours: boundaries, exceptions, Finnish holidays, DST days, JSON and properties."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.hours import (
    WEEKDAYS,
    HoursError,
    Interval,
    OpeningHours,
    finnish_public_holidays,
)

# The zone of a schedule whose JSON names none (and of the schedules below).
HELSINKI = ZoneInfo("Europe/Helsinki")

OFFICE = OpeningHours.from_json(
    {
        "weekly": {
            day: [["09:00", "12:00"], ["13:00", "16:00"]] for day in ("mon", "tue", "wed", "thu")
        }
        | {"fri": [["09:00", "16:00"], ["20:00", "24:00"]], "sat": [["00:00", "02:00"]]},
    }
)
HOLIDAY_OFFICE = OpeningHours.from_json(
    {
        "closed_on_public_holidays": True,
        "weekly": {day: [["09:00", "16:00"]] for day in WEEKDAYS[:5]},
        "exceptions": {"2026-12-31": [["09:00", "12:00"]], "2026-04-06": [["10:00", "14:00"]]},
    }
)


def hki(*parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=HELSINKI, fold=fold)  # type: ignore[misc]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# 2026-03-02 is a Monday, 2026-03-06 a Friday.
@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (hki(2026, 3, 2, 8, 59, 59), False),
        (hki(2026, 3, 2, 9, 0), True),
        (hki(2026, 3, 2, 11, 59, 59, 999999), True),
        (hki(2026, 3, 2, 12, 0), False),
        (hki(2026, 3, 2, 12, 59), False),
        (hki(2026, 3, 2, 13, 0), True),
        (hki(2026, 3, 2, 16, 0), False),
        (hki(2026, 3, 6, 23, 59, 59), True),
        (hki(2026, 3, 7, 0, 0), True),
        (hki(2026, 3, 7, 2, 0), False),
        (hki(2026, 3, 8, 12, 0), False),
        (utc(2026, 3, 2, 7, 0), True),  # 09:00 in Helsinki (EET, +02:00)
        (utc(2026, 3, 2, 6, 59), False),
    ],
)
def test_start_is_inclusive_and_end_is_exclusive_for_each_interval(
    at: datetime, expected: bool
) -> None:
    assert OFFICE.is_open(at) is expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (hki(2026, 12, 24, 10, 0), False),  # exception closes a Thursday
        (hki(2026, 12, 27, 11, 0), True),  # exception opens a Sunday
        (hki(2026, 12, 27, 14, 0), False),
        (hki(2026, 12, 20, 11, 0), False),  # an ordinary Sunday stays closed
        (hki(2026, 12, 17, 10, 0), True),  # an ordinary Thursday stays open
    ],
)
def test_exceptions_replace_the_weekly_schedule_for_their_date(
    at: datetime, expected: bool
) -> None:
    hours = OpeningHours.from_json(
        {
            "weekly": {"thu": [["09:00", "16:00"]]},
            "exceptions": {"2026-12-24": [], "2026-12-27": [["10:00", "13:00"]]},
        }
    )
    assert hours.is_open(at) is expected


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter_follows_the_gregorian_computus(year: int, easter: date) -> None:
    holidays = finnish_public_holidays(year)
    assert holidays[easter] == "Easter Sunday"
    assert holidays[easter - timedelta(days=2)] == "Good Friday"
    assert holidays[easter + timedelta(days=1)] == "Easter Monday"


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 1, 6), "Epiphany"),
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 5, 1), "May Day"),
        (date(2026, 5, 14), "Ascension Day"),
        (date(2026, 5, 24), "Whitsun"),
        (date(2026, 6, 19), "Midsummer Eve"),
        (date(2026, 6, 20), "Midsummer Day"),
        (date(2026, 10, 31), "All Saints' Day"),
        (date(2026, 12, 6), "Independence Day"),
        (date(2026, 12, 24), "Christmas Eve"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 26), "Boxing Day"),
        (date(2025, 6, 20), "Midsummer Eve"),
        (date(2025, 11, 1), "All Saints' Day"),
        (date(2027, 6, 25), "Midsummer Eve"),
        (date(2027, 11, 6), "All Saints' Day"),
        (date(2008, 5, 1), "Ascension Day and May Day"),  # Easter 2008 was 23 March
    ],
)
def test_finnish_public_holidays_fall_on_known_dates(day: date, name: str) -> None:
    assert finnish_public_holidays(day.year)[day] == name


def test_a_year_has_fifteen_holiday_dates_unless_two_coincide() -> None:
    assert len(finnish_public_holidays(2026)) == 15
    assert len(finnish_public_holidays(2008)) == 14


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (hki(2026, 4, 2, 10, 0), True),  # Maundy Thursday is a working day
        (hki(2026, 4, 3, 10, 0), False),  # Good Friday
        (hki(2026, 4, 6, 9, 30), False),  # Easter Monday: the exception opens only at 10
        (hki(2026, 4, 6, 10, 0), True),  # ...and it beats the holiday
        (hki(2026, 6, 19, 10, 0), False),  # Midsummer Eve
        (hki(2026, 12, 24, 10, 0), False),  # Christmas Eve
        (hki(2026, 12, 31, 11, 0), True),  # exception on an ordinary Thursday
        (hki(2026, 12, 31, 13, 0), False),
    ],
)
def test_public_holidays_close_unless_an_exception_says_otherwise(
    at: datetime, expected: bool
) -> None:
    assert HOLIDAY_OFFICE.is_open(at) is expected


def test_holidays_are_ordinary_days_when_the_flag_is_off() -> None:
    hours = OpeningHours(weekly={"fri": (Interval(time(9), time(16)),)}, exceptions={})
    assert hours.is_open(hki(2026, 4, 3, 10, 0))


@pytest.mark.parametrize(
    "at", [hki(2026, 12, 24, 3, 0), hki(2026, 4, 3, 23, 59), utc(2026, 7, 4, 12, 0)]
)
def test_always_open_beats_exceptions_and_holidays(at: datetime) -> None:
    hours = OpeningHours(
        weekly={},
        exceptions={date(2026, 12, 24): ()},
        always_open=True,
        closed_on_public_holidays=True,
    )
    assert hours.is_open(at)
    assert hours.next_opening(at) == at
    assert hours.next_closing(at) is None
    assert OpeningHours.always().is_open(at)


@pytest.mark.parametrize(
    ("hours", "at", "expected"),
    [
        # Friday afternoon to Monday morning over the weekend.
        (HOLIDAY_OFFICE, hki(2026, 3, 6, 16, 0), hki(2026, 3, 9, 9, 0)),
        (HOLIDAY_OFFICE, hki(2026, 3, 7, 12, 0), hki(2026, 3, 9, 9, 0)),
        (HOLIDAY_OFFICE, hki(2026, 3, 9, 8, 59, 59), hki(2026, 3, 9, 9, 0)),
        # Over Christmas: 24-26 Dec 2026 are Thu-Sat holidays, then a Sunday.
        (HOLIDAY_OFFICE, hki(2026, 12, 23, 16, 0), hki(2026, 12, 28, 9, 0)),
        # Over Easter: Good Friday to Easter Monday's exception.
        (HOLIDAY_OFFICE, hki(2026, 4, 2, 17, 0), hki(2026, 4, 6, 10, 0)),
        # Between two intervals of the same day.
        (OFFICE, hki(2026, 3, 2, 12, 0), hki(2026, 3, 2, 13, 0)),
        # Asked in UTC, answered in the schedule's zone.
        (OFFICE, utc(2026, 3, 2, 10, 30), hki(2026, 3, 2, 13, 0)),
    ],
)
def test_next_opening_skips_closed_days(
    hours: OpeningHours, at: datetime, expected: datetime
) -> None:
    opening = hours.next_opening(at)
    assert opening == expected
    assert opening is not None and opening.tzinfo == HELSINKI


def test_next_opening_returns_the_same_moment_when_already_open() -> None:
    at = hki(2026, 3, 2, 10, 15, 30)
    assert OFFICE.next_opening(at) == at


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # The Friday interval ending at 24:00 joins Saturday's 00:00-02:00.
        (hki(2026, 3, 6, 21, 0), hki(2026, 3, 7, 2, 0)),
        (hki(2026, 3, 7, 1, 0), hki(2026, 3, 7, 2, 0)),
        (hki(2026, 3, 6, 10, 0), hki(2026, 3, 6, 16, 0)),
        (hki(2026, 3, 2, 9, 0), hki(2026, 3, 2, 12, 0)),
        (hki(2026, 3, 2, 12, 0), None),  # closed now
    ],
)
def test_next_closing_joins_intervals_across_midnight(
    at: datetime, expected: datetime | None
) -> None:
    assert OFFICE.next_closing(at) == expected


def test_next_closing_joins_adjacent_intervals_and_reports_none_around_the_clock() -> None:
    adjacent = OpeningHours.from_json({"weekly": {"mon": [["09:00", "12:00"], ["12:00", "15:00"]]}})
    assert adjacent.next_closing(hki(2026, 3, 2, 10, 0)) == hki(2026, 3, 2, 15, 0)
    every_hour = OpeningHours.from_json({"weekly": {day: [["00:00", "24:00"]] for day in WEEKDAYS}})
    assert every_hour.next_closing(hki(2026, 3, 2, 10, 0)) is None


# Helsinki: EET (+02:00) -> EEST (+03:00) at 03:00 local on the last Sunday of March
# (29 March 2026, 01:00 UTC) and back at 04:00 local on the last Sunday of October (25 October
# 2026, 01:00 UTC).
SPRING = "2026-03-29"
AUTUMN = "2026-10-25"


@pytest.mark.parametrize(
    ("interval", "at", "expected"),
    [
        # 02:00-05:00 on the short day: open two real hours, 00:00-02:00 UTC.
        (["02:00", "05:00"], utc(2026, 3, 28, 23, 59), False),
        (["02:00", "05:00"], utc(2026, 3, 29, 0, 0), True),
        (["02:00", "05:00"], utc(2026, 3, 29, 0, 59), True),
        (["02:00", "05:00"], utc(2026, 3, 29, 1, 0), True),  # 04:00 EEST
        (["02:00", "05:00"], utc(2026, 3, 29, 2, 0), False),  # 05:00 EEST
        # Starting inside the skipped hour: opens when the clocks jump to 04:00.
        (["03:15", "06:00"], utc(2026, 3, 29, 0, 59), False),
        (["03:15", "06:00"], utc(2026, 3, 29, 1, 0), True),
    ],
)
def test_spring_forward_day_matches_local_wall_clock(
    interval: list[str], at: datetime, expected: bool
) -> None:
    hours = OpeningHours.from_json({"exceptions": {SPRING: [interval]}})
    assert hours.is_open(at) is expected


@pytest.mark.parametrize(
    ("interval", "at", "opening", "closing"),
    [
        (
            ["02:00", "05:00"],
            hki(2026, 3, 28, 12, 0),
            utc(2026, 3, 29, 0, 0),
            utc(2026, 3, 29, 2, 0),
        ),
        (
            ["03:15", "06:00"],
            hki(2026, 3, 28, 12, 0),
            utc(2026, 3, 29, 1, 0),
            utc(2026, 3, 29, 3, 0),
        ),
        (["03:10", "03:50"], hki(2026, 3, 28, 12, 0), None, None),  # never happens that day
        # 02:00-05:00 on the long day: open four real hours, 23:00-03:00 UTC.
        (
            ["02:00", "05:00"],
            hki(2026, 10, 24, 12, 0),
            utc(2026, 10, 24, 23, 0),
            utc(2026, 10, 25, 3, 0),
        ),
    ],
)
def test_dst_days_give_exact_openings_and_closings(
    interval: list[str],
    at: datetime,
    opening: datetime | None,
    closing: datetime | None,
) -> None:
    day = SPRING if at.month == 3 else AUTUMN
    hours = OpeningHours.from_json({"exceptions": {day: [interval]}})
    assert hours.next_opening(at) == opening
    if opening is not None:
        assert hours.next_closing(opening) == closing


def as_utc(moment: datetime | None) -> datetime | None:
    # Python's == between zones is False for a moment in a repeated hour; compare in UTC.
    return None if moment is None else moment.astimezone(UTC)


def test_repeated_autumn_hour_is_matched_on_both_passes() -> None:
    # 03:30-05:00 on 25 Oct 2026: open 03:30-04:00 EEST, closed while the clocks show
    # 03:00-03:30 for the second time, then open again from 03:30 EET.
    hours = OpeningHours.from_json({"exceptions": {AUTUMN: [["03:30", "05:00"]]}})
    first = hours.next_opening(hki(2026, 10, 25, 2, 0))
    assert as_utc(first) == utc(2026, 10, 25, 0, 30)
    assert first is not None and first.fold == 0 and first.time() == time(3, 30)
    assert as_utc(hours.next_closing(first)) == utc(2026, 10, 25, 1, 0)
    assert not hours.is_open(utc(2026, 10, 25, 1, 15))  # 03:15 EET
    second = hours.next_opening(utc(2026, 10, 25, 1, 0))
    assert as_utc(second) == utc(2026, 10, 25, 1, 30)
    assert second is not None and second.fold == 1 and second.time() == time(3, 30)
    assert as_utc(hours.next_closing(second)) == utc(2026, 10, 25, 3, 0)


def test_a_schedule_that_is_never_open_has_no_next_opening() -> None:
    never = OpeningHours(weekly={}, exceptions={})
    assert never.next_opening(hki(2026, 3, 2, 9, 0)) is None
    assert never.next_closing(hki(2026, 3, 2, 9, 0)) is None
    assert not never.is_open(hki(2026, 3, 2, 9, 0))


def test_next_opening_looks_400_days_ahead_and_no_further() -> None:
    hours = OpeningHours.from_json(
        {"exceptions": {"2027-02-01": [["10:00", "11:00"]], "2028-06-01": [["10:00", "11:00"]]}}
    )
    assert hours.next_opening(hki(2026, 3, 2, 9, 0)) == hki(2027, 2, 1, 10, 0)
    assert hours.next_opening(hki(2027, 2, 1, 11, 0)) is None


@pytest.mark.parametrize("method", ["is_open", "next_opening", "next_closing"])
def test_naive_datetimes_are_rejected(method: str) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        getattr(OFFICE, method)(datetime(2026, 3, 2, 10, 0))


def test_to_json_has_the_documented_shape() -> None:
    assert HOLIDAY_OFFICE.to_json() == {
        "always_open": False,
        "timezone": "Europe/Helsinki",
        "closed_on_public_holidays": True,
        "weekly": {day: [["09:00", "16:00"]] if day in WEEKDAYS[:5] else [] for day in WEEKDAYS},
        "exceptions": {"2026-04-06": [["10:00", "14:00"]], "2026-12-31": [["09:00", "12:00"]]},
    }
    assert OFFICE.to_json()["weekly"]["fri"] == [["09:00", "16:00"], ["20:00", "24:00"]]  # type: ignore[index]


@pytest.mark.parametrize("hours", [OFFICE, HOLIDAY_OFFICE, OpeningHours.always()])
def test_json_round_trip_preserves_the_schedule(hours: OpeningHours) -> None:
    assert OpeningHours.from_json(hours.to_json()) == hours


def test_midnight_may_be_written_as_00_00_or_24_00_at_the_end() -> None:
    a = OpeningHours.from_json({"weekly": {"fri": [["20:00", "24:00"]]}})
    b = OpeningHours.from_json({"weekly": {"fri": [["20:00", "00:00"]]}})
    assert a == b
    assert a.weekly["fri"] == (Interval(time(20), time(0)),)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weekly": {"mon": [["16:00", "09:00"]]}}, "weekly.mon[0]: start must be before end"),
        ({"weekly": {"mon": [["09:00", "09:00"]]}}, "weekly.mon[0]: start must be before end"),
        ({"weekly": {"tue": [["9:00", "16:00"]]}}, "weekly.tue[0]: start must be"),
        ({"weekly": {"tue": [["09:00", "16:60"]]}}, "weekly.tue[0]: end must be"),
        ({"weekly": {"wed": [["24:00", "24:00"]]}}, "weekly.wed[0]: start must be"),
        ({"weekly": {"wed": [["09:00"]]}}, "weekly.wed[0]: must be a pai"),
        ({"weekly": {"wed": "09:00-16:00"}}, "weekly.wed: must be a list"),
        (
            {"weekly": {"thu": [["09:00", "12:00"], ["11:00", "16:00"]]}},
            "weekly.thu[1]: must start at or after the end of weekly.thu[0]",
        ),
        (
            {"weekly": {"thu": [["13:00", "16:00"], ["09:00", "12:00"]]}},
            "weekly.thu[1]: must start",
        ),
        ({"weekly": {"monday": []}}, "weekly.monday: unknown weekday"),
        ({"weekly": []}, "weekly: must be an object"),
        ({"exceptions": {"24.12.2026": []}}, "exceptions.24.12.2026: key must be a date"),
        ({"exceptions": {"2026-02-30": []}}, "exceptions.2026-02-30: not a calendar date"),
        (
            {"exceptions": {"2026-12-31": [["12:00", "09:00"]]}},
            "exceptions.2026-12-31[0]: start must be before end",
        ),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone: unknown zone"),
        # A directory of the zone database: zoneinfo raises IsADirectoryError, not KeyError.
        ({"timezone": "Europe"}, "timezone: unknown zone"),
        ({"timezone": 2}, "timezone: must be an IANA zone name"),
        ({"always_open": "yes"}, "always_open: must be true or false"),
        ({"closed_on_public_holidays": 1}, "closed_on_public_holidays: must be true or false"),
        ({"weekdays": {}}, "weekdays: unknown field"),
    ],
)
def test_invalid_json_is_rejected_naming_the_field(data: dict[str, object], message: str) -> None:
    with pytest.raises(HoursError, match=re.escape(message)):
        OpeningHours.from_json(data)


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(HoursError, match="start must be before end"):
        Interval(time(16), time(9))
    with pytest.raises(HoursError, match="whole minute"):
        Interval(time(9, 0, 30), time(10))
    overlapping = (Interval(time(9), time(12)), Interval(time(11), time(13)))
    with pytest.raises(HoursError, match=r"weekly.fri\[1\]"):
        OpeningHours(weekly={"fri": overlapping}, exceptions={})
    with pytest.raises(HoursError, match=r"exceptions\..*: key must be a calendar date"):
        OpeningHours(weekly={}, exceptions={datetime(2026, 1, 1, tzinfo=UTC): ()})


def test_describe_lists_weekdays_then_exceptions_then_holidays() -> None:
    assert OFFICE.describe() == [
        ("mon", "09:00–12:00, 13:00–16:00"),
        ("tue", "09:00–12:00, 13:00–16:00"),
        ("wed", "09:00–12:00, 13:00–16:00"),
        ("thu", "09:00–12:00, 13:00–16:00"),
        ("fri", "09:00–16:00, 20:00–24:00"),
        ("sat", "00:00–02:00"),
        ("sun", "closed"),
    ]
    assert HOLIDAY_OFFICE.describe()[7:] == [
        ("2026-04-06", "10:00–14:00"),
        ("2026-12-31", "09:00–12:00"),
        ("public_holidays", "closed"),
    ]
    assert OpeningHours.always().describe() == [(day, "00:00–24:00") for day in WEEKDAYS]


# -- properties ------------------------------------------------------------------------------

# Minutes of the day; the DST edges (02:00-05:00) are drawn often on purpose.
MINUTE = st.one_of(st.integers(0, 1440), st.sampled_from([0, 120, 180, 195, 210, 240, 300, 1440]))


@st.composite
def day_intervals(draw: st.DrawFn) -> tuple[Interval, ...]:
    points = sorted(draw(st.sets(MINUTE, max_size=6)))
    pairs = zip(points[0::2], points[1::2], strict=False)
    return tuple(Interval(_clock(start), _clock(end)) for start, end in pairs)


def _clock(minute: int) -> time:
    return time(0, 0) if minute == 1440 else time(minute // 60, minute % 60)


DST_DAYS = [date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28), date(2027, 10, 31)]


@st.composite
def schedules(draw: st.DrawFn) -> OpeningHours:
    weekly = {day: draw(day_intervals()) for day in WEEKDAYS if draw(st.booleans())}
    exception_days = st.one_of(
        st.sampled_from([*DST_DAYS, date(2026, 12, 24)]),
        st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    )
    exceptions = draw(st.dictionaries(exception_days, day_intervals(), max_size=4))
    return OpeningHours(
        weekly=weekly,
        exceptions=exceptions,
        always_open=draw(st.booleans()) and draw(st.booleans()),
        closed_on_public_holidays=draw(st.booleans()),
        timezone=draw(st.sampled_from(["Europe/Helsinki", "Europe/Helsinki", "America/New_York"])),
    )


ZONES = st.sampled_from([HELSINKI, UTC, ZoneInfo("America/New_York")])
ANY_MOMENT = st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=ZONES)
NEAR_DST = st.builds(
    lambda day, seconds: datetime.combine(day, time(0), tzinfo=UTC) + timedelta(seconds=seconds),
    st.sampled_from(DST_DAYS),
    st.integers(-6 * 3600, 8 * 3600),
)
MOMENTS = st.one_of(ANY_MOMENT, NEAR_DST)


@settings(max_examples=300, deadline=None)
@given(hours=schedules(), at=MOMENTS)
def test_next_opening_is_open_and_not_before_at(hours: OpeningHours, at: datetime) -> None:
    opening = hours.next_opening(at)
    if opening is not None:
        assert opening >= at
        assert hours.is_open(opening)
        assert (opening == at) is hours.is_open(at)


@settings(max_examples=200, deadline=None)
@given(hours=schedules(), at=MOMENTS)
def test_next_closing_is_closed_and_after_at(hours: OpeningHours, at: datetime) -> None:
    closing = hours.next_closing(at)
    if closing is not None:
        assert closing > at
        assert not hours.is_open(closing)
        # Still open just before: the period really lasted until `closing`. (Subtract in UTC:
        # arithmetic on a zoned datetime is wall-clock arithmetic and could land in a DST gap.)
        assert hours.is_open(closing.astimezone(UTC) - timedelta(microseconds=1))


@settings(max_examples=60, deadline=None)
@given(hours=schedules(), at=MOMENTS)
def test_no_open_minute_is_skipped_before_next_opening(hours: OpeningHours, at: datetime) -> None:
    opening = hours.next_opening(at)
    limit = at + timedelta(days=2) if opening is None else min(opening, at + timedelta(days=2))
    moment = at.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    while moment < limit:
        assert not hours.is_open(moment), moment
        moment += timedelta(minutes=1)


@settings(max_examples=200, deadline=None)
@given(hours=schedules())
def test_json_round_trip_holds_for_any_schedule(hours: OpeningHours) -> None:
    assert OpeningHours.from_json(hours.to_json()) == hours


def test_a_wall_time_skipped_by_the_spring_change_is_read_as_the_instant_it_names() -> None:
    # 03:00 on 29 March 2026 never happens in Helsinki (03:00 -> 04:00): as written it is
    # 01:00 UTC, the same instant as 04:00, when a 03:00-04:00 period has already ended
    # (found by the property test below).
    hours = OpeningHours(weekly={"sun": (Interval(time(3), time(4)),)})
    skipped = datetime(2026, 3, 29, 3, 0, tzinfo=HELSINKI)
    assert not hours.is_open(skipped)
    assert hours.next_closing(skipped) is None
