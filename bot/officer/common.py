"""Opening the service's context for an officer script, exit codes, tables and progress output.

Never creates keys, a database or a first admin: a script run in the wrong place must fail,
not quietly produce an empty, "intact" result.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.actions.context import Actor, Core
from bot.app import build_core, configured_channels
from bot.config import ConfigError, Settings, load_settings
from bot.events import ChannelName
from bot.keys import database_file, key_source, verify_key_ring
from bot.logs import configure_logging
from bot.store.db import Database
from privacy.errors import PrivacyError

EXIT_OK = 0
EXIT_FINDING = 1
EXIT_USAGE = 2

EXIT_CODES_EPILOG = """exit codes:
  0  success, nothing to report
  1  a finding or problem (see the output)
  2  wrong usage or configuration (nothing was changed)

Settings are read like the service reads them: SOMESOSSU_* environment variables and .env
in the current directory."""

OFFICER = Actor("privacy_officer:cli", "privacy_officer")
"""Who the audit trail names for a script run: the privacy officer at the command line."""


class OfficerError(Exception):
    """Wrong usage or configuration; the message is safe to print (no data, no secrets)."""


def script_parser(doc: str | None, epilog: str = EXIT_CODES_EPILOG) -> argparse.ArgumentParser:
    """A parser whose description is the script's docstring, with --json and the exit codes."""
    parser = argparse.ArgumentParser(
        description=(doc or "").strip(),
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--json", action="store_true", help="machine-readable JSON on standard output"
    )
    return parser


def exit_codes_epilog(finding: str) -> str:
    """The exit codes, with what exit code 1 (a finding) means for this script."""
    return EXIT_CODES_EPILOG.replace("1  a finding or problem (see the output)", f"1  {finding}")


def run_script(body: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Run an async script body; configuration and usage errors become exit code 2."""
    try:
        return asyncio.run(body())
    except (OfficerError, ConfigError, PrivacyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE


def script_main(
    parser: argparse.ArgumentParser,
    run: Callable[[argparse.Namespace], Coroutine[Any, Any, int]],
    argv: Sequence[str] | None,
) -> int:
    """A script's main(): parse its arguments, then run its async body as run_script does."""
    args = parser.parse_args(argv)
    return run_script(lambda: run(args))


def officer_settings() -> Settings:
    settings = load_settings()
    configure_logging("WARNING", "text")
    return settings


def check_data_present(settings: Settings) -> None:
    """Refuse to run where there is no service data (instead of creating an empty one)."""
    path = database_file(settings)
    if path is not None and not path.exists():
        raise OfficerError(
            f"no database at {path}: run the script where the service runs, or set "
            "SOMESOSSU_DATA_DIR / SOMESOSSU_DATABASE_URL"
        )
    if not settings.keys_configured and not settings.key_file.exists():
        raise OfficerError(
            f"no keys: neither SOMESOSSU_KEKS nor the key file {settings.key_file} exists; "
            "point SOMESOSSU_KEY_FILE at the key file that wrote this database"
        )


def new_service_notice(settings: Settings, *, explicit: bool) -> str | None:
    """For a command that may set up a new service: None if its SQLite file exists already.

    Otherwise the line to print about what is being created, or OfficerError where the keys
    at hand belong to an existing service (SOMESOSSU_KEKS, or a key file that exists): then
    a missing database means a mistyped SOMESOSSU_DATA_DIR, unless the command is the
    explicit `somesossu migrate`.
    """
    path = database_file(settings)
    if path is None or path.exists():
        return None
    keys_exist = settings.keys_configured or settings.key_file.exists()
    if keys_exist and not explicit:
        raise OfficerError(
            f"no database at {path}, but {key_source(settings)} belong to an existing "
            "service: check SOMESOSSU_DATA_DIR / SOMESOSSU_DATABASE_URL, or run "
            "`somesossu migrate` to create a new database for these keys"
        )
    made = "a new database" if keys_exist else "a new database and development key file"
    return f"no database at {path}: creating a new service there ({made})"


SERVICE_MARKER_TABLE = "alembic_version"
"""Present once the service has migrated the database; never created by a script on its own."""


def _shown_url(url: str) -> str:
    """The database URL for an error message, with any password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "SOMESOSSU_DATABASE_URL"


def innermost(error: BaseException) -> BaseException:
    seen = {id(error)}
    while error.__cause__ is not None and id(error.__cause__) not in seen:
        error = error.__cause__
        seen.add(id(error))
    return error


async def database_is_set_up(database: Database) -> bool:
    """Whether the service's schema is there; OfficerError if the database cannot be opened.

    A PostgreSQL database always "exists" in the sense of the SQLite file check above once
    the administrator has created it: what shows that the service ran there is its schema.
    Without this, a script run against a wrong (empty) database would create the schema and
    report an empty, "intact" trail; one against a database that does not exist, cannot be
    reached or is not a database at all would end in a traceback with exit code 1, which
    means "a finding".
    """
    shown = _shown_url(database.url)
    try:
        async with database.engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: inspect(sync).has_table(SERVICE_MARKER_TABLE)
            )
    except (SQLAlchemyError, OSError) as error:
        reason = type(innermost(error)).__name__
        raise OfficerError(
            f"cannot open the database {shown} ({reason}): check SOMESOSSU_DATABASE_URL / "
            "SOMESOSSU_DATA_DIR, that it is a somesossu database and that its server is running"
        ) from None


async def check_database_present(database: Database) -> None:
    """Refuse a database that cannot be opened or that the service never set up."""
    if not await database_is_set_up(database):
        raise OfficerError(
            f"no database of the service at {_shown_url(database.url)} (it has no somesossu "
            "tables): run the script where the service runs, or set SOMESOSSU_DATA_DIR / "
            "SOMESOSSU_DATABASE_URL"
        )


@dataclass(frozen=True, slots=True)
class OfficerService:
    """What an officer script works with: the core, and the channels the settings enable."""

    settings: Settings
    core: Core
    channels: tuple[ChannelName, ...]


@asynccontextmanager
async def open_service(
    settings: Settings | None = None, *, migrate: bool = True
) -> AsyncIterator[OfficerService]:
    """The service's core (store, keys, audit chain): no adapter is built, no job started.

    Refuses (OfficerError, ConfigError) a missing or foreign database and keys that did not
    write it; never records keys, so a read-only script stays read-only.
    """
    settings = settings if settings is not None else officer_settings()
    check_data_present(settings)
    core = build_core(settings)
    try:
        await check_database_present(core.database)
        if migrate:
            await core.database.migrate()
        # Before anything is read: with keys that did not write this database a scan finds
        # "nothing" and a verification "edits"; the error names the key that is missing.
        await verify_key_ring(settings, core.database, core.keyring)
        yield OfficerService(settings, core, configured_channels(settings))
    finally:
        await core.database.dispose()


class Progress:
    """A one-line counter on stderr, shown only on a terminal and never with --json.

    With `every`, the line is redrawn at most that often (seconds): a counter advanced for
    each batch of a fast loop would otherwise spend its time writing to the terminal.
    With `rate`, it also shows how many a second have been done so far.
    """

    def __init__(
        self,
        label: str,
        *,
        enabled: bool | None = None,
        stream: TextIO | None = None,
        every: float = 0.0,
        rate: bool = False,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.label = label
        self.total: int | None = None
        self.done = 0
        self.every = every
        self.rate = rate
        self._started = monotonic()
        self._shown_at: float | None = None

    @classmethod
    def for_args(
        cls, label: str, as_json: bool, *, every: float = 0.0, rate: bool = False
    ) -> Progress:
        return cls(label, enabled=False if as_json else None, every=every, rate=rate)

    def start(self, total: int) -> None:
        self.total = total
        self._started = monotonic()
        self._show()

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._show()

    def finish(self) -> None:
        if self.enabled:
            if self.every:
                self._show(force=True)
            self.stream.write("\n")
            self.stream.flush()

    def _show(self, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = monotonic()
        if not force and self._shown_at is not None and now - self._shown_at < self.every:
            return
        self._shown_at = now
        of = f"/{self.total}" if self.total is not None else ""
        elapsed = now - self._started
        per_second = f", {self.done / elapsed:,.0f}/s" if self.rate and elapsed > 0 else ""
        self.stream.write(f"\r{self.label}: {self.done}{of}{per_second}")
        self.stream.flush()


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=_json_default))


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with aligned columns, for reading on a terminal or printing."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for index, row in enumerate(cells):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def local_text(moment: datetime | None, zone: ZoneInfo) -> str:
    """A moment as wall-clock time in the service's zone, how staff and the officer read times."""
    if moment is None:
        return ""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def parse_moment(text: str, zone: ZoneInfo, *, end_of_day: bool = False) -> datetime:
    """A date (YYYY-MM-DD, a day in `zone`) or an ISO date-time; naive times are in `zone`.

    `zone` is the service's (`Settings.zone`), so that "--since 2026-03-01" means the day the
    service's staff call the first of March.

    With ``end_of_day`` a plain date means the end of that day, so "--until 2026-03-31"
    includes the 31st.
    """
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time(0), zone)
            return moment + timedelta(days=1) if end_of_day else moment
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise OfficerError(f"not a date or date-time: {text!r} (use YYYY-MM-DD)") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
