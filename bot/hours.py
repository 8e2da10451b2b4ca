"""Opening hours of counsellor queues: weekly schedule, dated exceptions, Finnish holidays.

Pure calculations only: never reads a clock, a file of our own or the database; callers pass `at`.

Time model: intervals are local wall-clock times in the schedule's zone, and an instant is open
when its local date and local wall-clock time fall in one of that date's intervals. So on the
spring-forward day an interval 02:00-05:00 lasts two real hours (03:00-04:00 never happens), an
interval that starts inside the skipped hour opens when the clocks jump (04:00), and on the
fall-back day the repeated hour 03:00-04:00 is matched twice. We chose wall-clock matching
because that is how staff write rotas ("we answer until 20:00") and how residents read them.
Returned moments are in the schedule's zone; compare them with < and > or in UTC, since
Python's == across zones is False for a moment inside a repeated hour. Each schedule names its
own zone (`timezone`, Europe/Helsinki when the JSON leaves it out, a stored-data contract);
the service's own zone is `Settings.zone` (SOMESOSSU_TIME_ZONE), never a constant here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# An interval end of 00:00 means the end of the day (24:00): `time` cannot hold 24:00.
MIDNIGHT = time(0, 0)
MINUTES_PER_DAY = 24 * 60
# How far ahead next_opening/next_closing look before giving up (the documented contract).
HORIZON_DAYS = 400

_CLOCK = re.compile(r"(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_JSON_FIELDS = ("always_open", "timezone", "closed_on_public_holidays", "weekly", "exceptions")


class HoursError(ValueError):
    """An opening-hours schedule is invalid; the message starts with the path of the bad field."""


@dataclass(frozen=True)
class Interval:
    """An open period within one local day; `end == time(0, 0)` means until midnight (24:00)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        for name, value in (("start", self.start), ("end", self.end)):
            if not isinstance(value, time) or value.tzinfo is not None:
                raise HoursError(f"{name} must be a local time without a zone")
            # JSON carries "HH:MM"; finer times would not survive a round trip.
            if value.second or value.microsecond:
                raise HoursError(f"{name} must be a whole minute")
        if self.end != MIDNIGHT and self.start >= self.end:
            raise HoursError("start must be before end")

    def covers(self, wall: time) -> bool:
        """Start inclusive, end exclusive, compared as local wall-clock times."""
        return self.start <= wall and (self.end == MIDNIGHT or wall < self.end)

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        return MINUTES_PER_DAY if self.end == MIDNIGHT else self.end.hour * 60 + self.end.minute

    def label(self) -> str:
        return f"{_format_clock(self.start, False)}–{_format_clock(self.end, True)}"


@dataclass(frozen=True)
class OpeningHours:
    """When a queue is staffed. Exceptions beat holidays, holidays beat the weekly schedule."""

    weekly: Mapping[str, tuple[Interval, ...]] = field(default_factory=dict)
    exceptions: Mapping[date, tuple[Interval, ...]] = field(default_factory=dict)
    always_open: bool = False
    closed_on_public_holidays: bool = False
    timezone: str = "Europe/Helsinki"

    def __post_init__(self) -> None:
        if not isinstance(self.always_open, bool):
            raise HoursError("always_open: must be true or false")
        if not isinstance(self.closed_on_public_holidays, bool):
            raise HoursError("closed_on_public_holidays: must be true or false")
        _load_zone(self.timezone)
        unknown_days = sorted(set(self.weekly) - set(WEEKDAYS), key=str)
        if unknown_days:
            raise HoursError(
                f"weekly.{unknown_days[0]}: unknown weekday, expected one of {', '.join(WEEKDAYS)}"
            )
        # Normalised to all seven days and read-only views, so equal schedules compare equal
        # and a shared schedule cannot be changed under the conversation engine's feet.
        weekly = {
            day: _checked_intervals(self.weekly.get(day, ()), f"weekly.{day}") for day in WEEKDAYS
        }
        exceptions: dict[date, tuple[Interval, ...]] = {}
        for day in sorted(self.exceptions, key=_sort_key_for_date):
            # datetime is a date subclass; a datetime key would never match a calendar day.
            if not isinstance(day, date) or isinstance(day, datetime):
                raise HoursError(f"exceptions.{day}: key must be a calendar date")
            exceptions[day] = _checked_intervals(self.exceptions[day], f"exceptions.{day}")
        object.__setattr__(self, "weekly", MappingProxyType(weekly))
        object.__setattr__(self, "exceptions", MappingProxyType(exceptions))

    @classmethod
    def always(cls) -> OpeningHours:
        return cls(weekly={}, exceptions={}, always_open=True)

    @property
    def zone(self) -> ZoneInfo:
        return _load_zone(self.timezone)

    # -- JSON ---------------------------------------------------------------------------------

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> OpeningHours:
        """Parse the stored JSON shape; missing fields take their defaults, unknown ones fail."""
        if not isinstance(data, Mapping):
            raise HoursError("opening_hours: must be a JSON object")
        unknown = sorted(str(key) for key in data if key not in _JSON_FIELDS)
        if unknown:
            raise HoursError(
                f"{unknown[0]}: unknown field, expected one of {', '.join(_JSON_FIELDS)}"
            )
        always_open = _json_bool(data, "always_open")
        closed_on_public_holidays = _json_bool(data, "closed_on_public_holidays")
        timezone = data.get("timezone", "Europe/Helsinki")
        if not isinstance(timezone, str):
            raise HoursError("timezone: must be an IANA zone name such as Europe/Helsinki")

        weekly_json = data.get("weekly", {})
        if not isinstance(weekly_json, Mapping):
            raise HoursError("weekly: must be an object mapping weekdays to lists of intervals")
        weekly: dict[str, tuple[Interval, ...]] = {}
        for key, value in weekly_json.items():
            if key not in WEEKDAYS:
                raise HoursError(
                    f"weekly.{key}: unknown weekday, expected one of {', '.join(WEEKDAYS)}"
                )
            weekly[key] = _json_intervals(value, f"weekly.{key}")

        exceptions_json = data.get("exceptions", {})
        if not isinstance(exceptions_json, Mapping):
            raise HoursError("exceptions: must be an object mapping dates to lists of intervals")
        exceptions: dict[date, tuple[Interval, ...]] = {}
        for key, value in exceptions_json.items():
            path = f"exceptions.{key}"
            exceptions[_json_date(key, path)] = _json_intervals(value, path)

        return cls(
            weekly=weekly,
            exceptions=exceptions,
            always_open=always_open,
            closed_on_public_holidays=closed_on_public_holidays,
            timezone=timezone,
        )

    def to_json(self) -> dict[str, object]:
        def pairs(intervals: tuple[Interval, ...]) -> list[list[str]]:
            return [[_format_clock(i.start, False), _format_clock(i.end, True)] for i in intervals]

        return {
            "always_open": self.always_open,
            "timezone": self.timezone,
            "closed_on_public_holidays": self.closed_on_public_holidays,
            "weekly": {day: pairs(self.weekly[day]) for day in WEEKDAYS},
            "exceptions": {day.isoformat(): pairs(ivs) for day, ivs in self.exceptions.items()},
        }

    # -- queries --------------------------------------------------------------------------------

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        """The intervals that apply on a local calendar date (ignores `always_open`)."""
        if day in self.exceptions:
            return self.exceptions[day]
        if self.closed_on_public_holidays and day in _holidays(day.year):
            return ()
        return self.weekly[WEEKDAYS[day.weekday()]]

    def is_open(self, at: datetime) -> bool:
        _require_aware(at)
        if self.always_open:
            return True
        # Through UTC: a wall time already in the zone is kept as written by astimezone, and
        # one that a DST change skipped (03:30 on the spring-forward day) would then read as
        # inside an interval though the instant is an hour later.
        local = at.astimezone(UTC).astimezone(self.zone)
        wall = local.time()
        return any(interval.covers(wall) for interval in self.intervals_on(local.date()))

    def next_opening(self, at: datetime) -> datetime | None:
        """`at` itself when open, else the first later open instant; None if none in 400 days."""
        _require_aware(at)
        if self.is_open(at):
            # `at` itself, not converted: Python's == between zones is False for a moment in
            # a repeated DST hour, so a converted copy could compare unequal to `at`.
            return at
        zone = self.zone

        def openings_on(day: date) -> Iterator[datetime]:
            # The open state only switches on when the wall clock reaches an interval start or
            # jumps at a DST change (into an interval that starts in the skipped hour, or back
            # into one on the fall-back day).
            for interval in self.intervals_on(day):
                yield from _instants_at(zone, day, interval.start)
            yield from _transitions_on(zone, day)

        return self._first_after(at, openings_on, self.is_open)

    def next_closing(self, at: datetime) -> datetime | None:
        """When the period open at `at` ends, across midnight joins; None if closed or 24/7."""
        _require_aware(at)
        if self.always_open or not self.is_open(at):
            return None
        zone = self.zone

        def closings_on(day: date) -> Iterator[datetime]:
            for interval in self.intervals_on(day):
                if interval.end == MIDNIGHT:
                    continue  # the start of the next day is yielded below
                yield from _instants_at(zone, day, interval.end)
            # A new date may bring other intervals (or a holiday); a 24:00 end joins a 00:00
            # start here because the next day's midnight is checked with is_open, not assumed.
            yield from _instants_at(zone, day + timedelta(days=1), MIDNIGHT)
            yield from _transitions_on(zone, day)

        return self._first_after(at, closings_on, lambda moment: not self.is_open(moment))

    def describe(self) -> list[tuple[str, str]]:
        """Rows for admin pages: seven weekday rows, then one per exception date (ISO key),
        then ("public_holidays", "closed") when holidays close the queue."""
        if self.always_open:
            return [(day, "00:00–24:00") for day in WEEKDAYS]
        rows = [(day, _describe_intervals(self.weekly[day])) for day in WEEKDAYS]
        rows.extend(
            (day.isoformat(), _describe_intervals(ivs)) for day, ivs in self.exceptions.items()
        )
        if self.closed_on_public_holidays:
            rows.append(("public_holidays", "closed"))
        return rows

    def _first_after(
        self,
        at: datetime,
        candidates_on: Callable[[date], Iterable[datetime]],
        accept: Callable[[datetime], bool],
    ) -> datetime | None:
        """Earliest accepted candidate strictly after `at`, searching local days in order."""
        zone = self.zone
        first_day = at.astimezone(zone).date()
        best: datetime | None = None
        best_day: date | None = None
        # Start a day early and look one day past the first hit: a zone whose clocks fall back
        # across midnight makes local dates non-monotonic, and the search must still be exact.
        for day in _days(first_day - timedelta(days=1) if first_day > date.min else first_day):
            if day > first_day + timedelta(days=HORIZON_DAYS):
                break
            if best_day is not None and day > best_day + timedelta(days=1):
                break
            for candidate in candidates_on(day):
                if candidate > at and (best is None or candidate < best) and accept(candidate):
                    best = candidate
                    if best_day is None:
                        best_day = day
        return None if best is None else best.astimezone(zone)


def finnish_public_holidays(year: int) -> dict[date, str]:
    """Finnish public holidays plus the de facto Midsummer Eve and Christmas Eve, in English."""
    return dict(_holidays(year))


@functools.lru_cache(maxsize=32)
def _holidays(year: int) -> Mapping[date, str]:
    easter = _easter_sunday(year)
    midsummer_day = _next_weekday(date(year, 6, 20), 5)
    entries = [
        (date(year, 1, 1), "New Year's Day"),
        (date(year, 1, 6), "Epiphany"),
        (easter - timedelta(days=2), "Good Friday"),
        (easter, "Easter Sunday"),
        (easter + timedelta(days=1), "Easter Monday"),
        (date(year, 5, 1), "May Day"),
        (easter + timedelta(days=39), "Ascension Day"),
        (easter + timedelta(days=49), "Whitsun"),
        (midsummer_day - timedelta(days=1), "Midsummer Eve"),
        (midsummer_day, "Midsummer Day"),
        (_next_weekday(date(year, 10, 31), 5), "All Saints' Day"),
        (date(year, 12, 6), "Independence Day"),
        (date(year, 12, 24), "Christmas Eve"),
        (date(year, 12, 25), "Christmas Day"),
        (date(year, 12, 26), "Boxing Day"),
    ]
    holidays: dict[date, str] = {}
    for day, name in sorted(entries):
        # Ascension Day falls on May Day when Easter is on 23 March (2008); keep both names.
        holidays[day] = f"{holidays[day]} and {name}" if day in holidays else name
    return MappingProxyType(holidays)


def _easter_sunday(year: int) -> date:
    """Gregorian computus (the anonymous Meeus/Jones/Butcher algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _next_weekday(start: date, weekday: int) -> date:
    """The first date on or after `start` falling on `weekday` (Monday = 0)."""
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def _load_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        # ValueError: malformed keys such as "../x"; TypeError: not a string at all;
        # OSError: a directory of the zone database ("Europe" is IsADirectoryError).
        raise HoursError(
            f"timezone: unknown zone {name!r}, expected an IANA name such as Europe/Helsinki"
        ) from None


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("opening hours need a timezone-aware datetime")


def _checked_intervals(intervals: Iterable[Interval], path: str) -> tuple[Interval, ...]:
    checked = tuple(intervals)
    for index, interval in enumerate(checked):
        if not isinstance(interval, Interval):
            raise HoursError(f"{path}[{index}]: must be an Interval")
        if index and interval.start_minute < checked[index - 1].end_minute:
            raise HoursError(
                f"{path}[{index}]: must start at or after the end of {path}[{index - 1}] "
                "(intervals are sorted and must not overlap)"
            )
    return checked


def _sort_key_for_date(day: object) -> tuple[int, str]:
    # Sorting must not fail before validation can name a bad key.
    return (0, day.isoformat()) if isinstance(day, date) else (1, str(day))


def _json_bool(data: Mapping[str, object], name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise HoursError(f"{name}: must be true or false")
    return value


def _json_date(key: object, path: str) -> date:
    if not isinstance(key, str) or not _ISO_DATE.fullmatch(key):
        raise HoursError(f"{path}: key must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(key)
    except ValueError:
        raise HoursError(f"{path}: not a calendar date") from None


def _json_intervals(value: object, path: str) -> tuple[Interval, ...]:
    if not isinstance(value, list | tuple):
        raise HoursError(f'{path}: must be a list of ["HH:MM", "HH:MM"] pairs')
    intervals = []
    for index, pair in enumerate(value):
        where = f"{path}[{index}]"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise HoursError(f'{where}: must be a pair ["HH:MM", "HH:MM"]')
        start = _json_clock(pair[0], where, "start")
        end = _json_clock(pair[1], where, "end")
        try:
            intervals.append(Interval(start, end))
        except HoursError as error:
            raise HoursError(f"{where}: {error}") from None
    return tuple(intervals)


def _json_clock(value: object, where: str, name: str) -> time:
    if name == "end" and value == "24:00":
        return MIDNIGHT
    match = _CLOCK.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        latest = '"24:00"' if name == "end" else '"23:59"'
        raise HoursError(f'{where}: {name} must be "HH:MM" between "00:00" and {latest}')
    return time(int(match["hour"]), int(match["minute"]))


def _format_clock(value: time, is_end: bool) -> str:
    return "24:00" if is_end and value == MIDNIGHT else value.strftime("%H:%M")


def _describe_intervals(intervals: tuple[Interval, ...]) -> str:
    return ", ".join(interval.label() for interval in intervals) if intervals else "closed"


def _instants_at(zone: ZoneInfo, day: date, wall: time) -> list[datetime]:
    """The real instants (in UTC) whose local wall-clock reading is `day` `wall`: none inside a
    spring-forward gap, two inside the repeated fall-back hour, one otherwise."""
    naive = datetime.combine(day, wall)
    found: list[datetime] = []
    for fold in (0, 1):
        instant = naive.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == naive and instant not in found:
            found.append(instant)
    return found


def _transitions_on(zone: ZoneInfo, day: date) -> list[datetime]:
    """The UTC-offset change during a local day, found by bisection (zoneinfo exposes no list).

    Assumes at most one change per day, which holds for every zone in use today.
    """
    start = int(datetime.combine(day, MIDNIGHT, tzinfo=zone).timestamp())
    end = int(datetime.combine(day + timedelta(days=1), MIDNIGHT, tzinfo=zone).timestamp())

    def offset(moment: int) -> timedelta | None:
        return datetime.fromtimestamp(moment, zone).utcoffset()

    if offset(start) == offset(end):
        return []
    before = offset(start)
    while end - start > 1:
        middle = (start + end) // 2
        if offset(middle) == before:
            start = middle
        else:
            end = middle
    return [datetime.fromtimestamp(end, UTC)]


def _days(first: date) -> Iterator[date]:
    """Consecutive dates from `first`, stopping quietly short of the end of the calendar."""
    day = first
    while day < date.max - timedelta(days=2):
        yield day
        day += timedelta(days=1)
