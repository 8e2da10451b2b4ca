"""Builds the key ring from settings or the development key file; checks it against the database.

Never logs or prints key material; in production it refuses to invent keys, and in development
it invents them only for a brand-new database (keys made up for an existing one open nothing).
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from privacy.crypto import KeyRing
from privacy.keyfile import generate_keyring, keyring_from_strings, read_key_file, write_key_file

from .config import ConfigError, Environment, Settings
from .logs import log_event
from .store.db import Database
from .store.key_ring import adopt_key_ring, check_key_ring, is_unwritten

log = logging.getLogger("somesossu.keys")

DEV_KEY_WARNING = (
    "USING A DEVELOPMENT KEY FILE ({path}). It is for development only: in production set "
    "SOMESOSSU_KEKS, SOMESOSSU_PEPPER and SOMESOSSU_AUDIT_KEY from a secret store "
    "and SOMESOSSU_ENV=production."
)

DEV_KEY_WARNED = ".development-key-warned"
"""In the data directory: which key file the development-key warning was last shown for."""

FIX_KEY_FILE = (
    "point SOMESOSSU_KEY_FILE at the key file that wrote it (or set SOMESOSSU_KEKS, "
    "SOMESOSSU_PEPPER and SOMESOSSU_AUDIT_KEY)"
)


def database_file(settings: Settings) -> Path | None:
    """The SQLite database file of these settings; None for PostgreSQL or an in-memory one."""
    url = settings.resolved_database_url
    if not url.startswith("sqlite") or ":///" not in url:
        return None
    path = url.split(":///", 1)[1]
    return None if not path or path == ":memory:" or "?" in path else Path(path)


def shown_database(settings: Settings) -> str:
    """The database for a message: the SQLite path, or the URL with any password masked."""
    path = database_file(settings)
    if path is not None:
        return str(path)
    try:
        return make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    except ArgumentError:
        return "SOMESOSSU_DATABASE_URL"


def key_source(settings: Settings) -> str:
    """Where the ring came from, as error messages name it."""
    if settings.keys_configured:
        return "the keys in SOMESOSSU_KEKS, SOMESOSSU_PEPPER and SOMESOSSU_AUDIT_KEY"
    return f"the key file {settings.key_file}"


def load_keyring(settings: Settings, *, always_warn: bool = False) -> KeyRing:
    """The configured ring, the development key file, or new development keys.

    New keys are written at once only beside a SQLite database that does not exist yet; for
    PostgreSQL, which cannot be asked from here, `secure_key_ring` writes them once the
    database has shown itself unwritten. The development-key warning is logged once per data
    directory and key file, and with `always_warn` (`somesossu serve`) at every start.
    """
    if settings.keks is not None:
        if settings.pepper is None or settings.audit_key is None:
            raise ConfigError(
                "SOMESOSSU_KEKS is set, so SOMESOSSU_PEPPER and SOMESOSSU_AUDIT_KEY must be set too"
            )
        return keyring_from_strings(
            settings.keks.get_secret_value(),
            settings.current_kek_version,
            settings.pepper.get_secret_value(),
            settings.audit_key.get_secret_value(),
        )
    if settings.env is Environment.PRODUCTION:
        raise ConfigError(
            "SOMESOSSU_ENV=production needs configured keys: set SOMESOSSU_KEKS, "
            "SOMESOSSU_PEPPER and SOMESOSSU_AUDIT_KEY (see .env.example)"
        )
    path = settings.key_file
    if path.exists():
        ring = read_key_file(path)
    else:
        database = database_file(settings)
        if database is not None and database.exists():
            raise ConfigError(
                f"the database {database} exists but the key file {path} does not; "
                f"development keys are generated only for a new database: {FIX_KEY_FILE}"
            )
        ring = generate_keyring()
        if database is not None:
            write_key_file(path, ring)
            log_event(log, "keys.generated", logging.WARNING, path=str(path))
    if always_warn or _first_warning(settings.data_dir, path):
        log.warning(DEV_KEY_WARNING.format(path=path))
    return ring


def _first_warning(data_dir: Path, key_file: Path) -> bool:
    """True the first time the warning is due for this key file in this data directory.

    Every `user add`, `migrate` or officer script repeated it, drowning what they print;
    `serve` shows it at every start still. Where the mark cannot be written (a read-only data
    directory) the warning is shown every time rather than never.
    """
    mark = data_dir / DEV_KEY_WARNED
    shown_for = str(key_file.resolve())
    try:
        if mark.read_text(encoding="utf-8") == shown_for:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    with contextlib.suppress(OSError):
        mark.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        mark.write_text(shown_for, encoding="utf-8")
    return True


async def secure_key_ring(settings: Settings, database: Database, ring: KeyRing) -> None:
    """At start: refuse a database `ring` did not write, then record `ring` as its writer.

    Writes the development key file still missing (PostgreSQL) only for an unwritten database.
    Raises ConfigError (KeyRingMismatch) with one line naming the missing or different key.
    """
    pending = not settings.keys_configured and not settings.key_file.exists()
    async with database.session() as session:
        if pending and not await is_unwritten(session):
            raise ConfigError(
                f"the database {shown_database(settings)} holds data but the key file "
                f"{settings.key_file} does not exist: {FIX_KEY_FILE}"
            )
        await adopt_key_ring(session, ring, source=key_source(settings))
        if pending:
            # Before the commit: a key file without its record is harmless, the reverse is not.
            write_key_file(settings.key_file, ring)
            log_event(log, "keys.generated", logging.WARNING, path=str(settings.key_file))


async def verify_key_ring(settings: Settings, database: Database, ring: KeyRing) -> None:
    """For tools that must not write: refuse a database `ring` did not write."""
    async with database.session() as session:
        await check_key_ring(session, ring, source=key_source(settings))
