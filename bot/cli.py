"""The `somesossu` command: serve, migrate, user management and key generation.

Every sub-command reads the same settings (environment and `.env`); none prints a secret
except the one-time password of a newly created first admin, once.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import signal
import sqlite3
import sys
from collections.abc import Sequence

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from privacy.errors import PrivacyError
from privacy.keyfile import dump_keyring, encode_key, generate_keyring

from .actions.context import Actor
from .actions.users import UserError, create_user, ensure_first_admin
from .app import build_service, build_web_app, prepare_database
from .config import ConfigError, Settings, load_settings
from .events import StoreUnavailable
from .keys import database_file, shown_database
from .logs import configure_logging
from .officer.common import (
    OfficerError,
    check_data_present,
    check_database_present,
    database_is_set_up,
    innermost,
    new_service_notice,
)
from .passwords import WeakPassword
from .roles import Role
from .service import Service
from .store import users as user_store


def _banner(settings: Settings, first_password: str | None) -> str:
    base = settings.base_url
    lines = [
        "",
        "somesossu is running.",
        f"  resident web chat:  {base}/chat",
        f"  staff console:      {base}/console",
        f"  health:             {base}/healthz",
    ]
    if settings.metrics_port is not None:
        lines.append(
            f"  metrics:            http://{settings.metrics_host}:{settings.metrics_port}/metrics"
        )
    elif settings.metrics_token is not None:
        lines.append(f"  metrics:            {base}/metrics (bearer token SOMESOSSU_METRICS_TOKEN)")
    if first_password is not None:
        lines += [
            "",
            "First sign-in: user 'admin' with the one-time password",
            f"    {first_password}",
            "  (shown only now; you will choose your own password at first sign-in).",
        ]
    else:
        lines += [
            "",
            "Sign in with your staff account. Add more with:",
            "  .venv/bin/somesossu user add NAME --role counsellor --queue general",
        ]
    lines += ["Stop with Ctrl+C.", ""]
    return "\n".join(lines)


def tune_garbage_collector() -> None:
    """Fewer, shorter pauses of the cyclic garbage collector while messages flow.

    What start-up built (modules, tables, catalogs, compiled patterns) lives as long as the
    process: frozen, the full collections no longer walk it (they took up to 110 ms each in
    bench/inbound_pipeline.py). Each message allocates thousands of short-lived objects, so
    the youngest generation is collected every 20,000 allocations instead of every 700
    (about 15 % more messages per second in the same benchmark).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


async def _serve(service: Service) -> None:
    await _check_database(service, may_set_up=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    app = build_web_app(service)
    # Open sockets are closed on shutdown; a request still running after 10 s is cut off.
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=10.0)
    await runner.setup()
    first_password = await ensure_first_admin(service.core)
    settings = service.settings
    site = web.TCPSite(runner, settings.http_host, settings.http_port)
    await site.start()
    tune_garbage_collector()
    print(_banner(settings, first_password), flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


async def _check_database(service: Service, *, may_set_up: bool) -> None:
    """Refuse a database that cannot be opened; one without the schema only where allowed."""
    database = service.core.database
    try:
        if await database_is_set_up(database):
            return
        if not may_set_up:
            await check_database_present(database)  # raises, naming the database
        if database_file(service.settings) is None:  # SQLite's new file was announced already
            shown = shown_database(service.settings)
            print(f"somesossu: setting up the service's tables in {shown}", file=sys.stderr)
    except BaseException:
        await database.dispose()
        raise


async def _with_database(service: Service, body: str, args: argparse.Namespace) -> int:
    await _check_database(service, may_set_up=body != "user-list")
    try:
        await prepare_database(service)
        if body == "migrate":
            print("database is up to date")
            return 0
        if body == "user-add":
            return await _user_add(service, args)
        if body == "user-list":
            async with service.core.database.session() as session:
                for user in await user_store.all_users(session):
                    queues = ",".join(await user_store.queue_ids(session, user.id))
                    state = "active" if user.active else "disabled"
                    print(f"{user.username}\t{user.role}\t{queues or '-'}\t{state}")
            return 0
        raise AssertionError(body)
    finally:
        await service.core.database.dispose()


async def _user_add(service: Service, args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("the passwords differ", file=sys.stderr)
            return 2
    try:
        user = await create_user(
            service.core,
            Actor("system:cli", "system"),
            username=args.name,
            role=Role(args.role),
            password=password,
            queues=args.queue or [],
            display_name=args.display_name,
        )
    except (UserError, WeakPassword) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"created {user.username} ({user.role})")
    if not args.display_name:
        print(
            "no display name: residents see a neutral word (e.g. 'Counsellor') until one is "
            "chosen in Profile"
        )
    return 0


def _keys_generate() -> int:
    ring = generate_keyring()
    print("# Production keys: store them in your secret store, never in git.")
    print(f"SOMESOSSU_KEKS=1:{encode_key(ring.kek(1))}")
    print(f"SOMESOSSU_PEPPER={encode_key(ring.pepper)}")
    print(f"SOMESOSSU_AUDIT_KEY={encode_key(ring.audit_key)}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="somesossu", description="Anonymous chat for social services."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="migrate the database and start the whole service")
    commands.add_parser("migrate", help="bring the database schema up to date")
    user = commands.add_parser("user", help="staff accounts").add_subparsers(
        dest="user_command", required=True
    )
    add = user.add_parser("add", help="create a staff account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--queue", action="append", help="a queue the user works in (repeatable)")
    add.add_argument(
        "--display-name",
        help="the name residents see; never the login (without one residents see the neutral "
        "word for a counsellor in their language until the user chooses a name in Profile)",
    )
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    user.add_parser("list", help="list staff accounts")
    keys = commands.add_parser("keys", help="key material").add_subparsers(
        dest="keys_command", required=True
    )
    keys.add_parser("generate", help="print fresh production keys as environment lines")
    keys.add_parser("dev-file", help="print the development key file format (for tests)")
    return parser


def _check_location(settings: Settings, body: str) -> None:
    """Where the database is missing: refuse, or say which new service is being created.

    `user list` only reads, so it never creates anything. `serve` and `user add` create a
    brand-new service only where no keys exist yet either (a fresh clone's `make run`); keys
    without their database mean a mistyped SOMESOSSU_DATA_DIR. `migrate` is the explicit way
    to create a database for existing keys (a first production start on SQLite).
    """
    if body == "user-list":
        check_data_present(settings)
        return
    notice = new_service_notice(settings, explicit=body == "migrate")
    if notice is not None:
        print(f"somesossu: {notice}", file=sys.stderr, flush=True)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    body = {
        "serve": "serve",
        "migrate": "migrate",
        "user": f"user-{getattr(args, 'user_command', '')}",
    }[args.command]
    _check_location(settings, body)
    service = build_service(settings, serving=body == "serve")
    try:
        if body == "serve":
            asyncio.run(_serve(service))
            return 0
        return asyncio.run(_with_database(service, body, args))
    except (SQLAlchemyError, sqlite3.Error, StoreUnavailable) as error:
        # The error's own text may quote SQL and values: only its type is shown.
        raise OfficerError(
            f"the database {shown_database(settings)} failed ({type(innermost(error)).__name__}):"
            " check SOMESOSSU_DATA_DIR / SOMESOSSU_DATABASE_URL and that it is a somesossu "
            "database"
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 on success, 2 on bad input or configuration: one line on stderr, no traceback."""
    args = _parser().parse_args(argv)
    if args.command == "keys":
        if args.keys_command == "dev-file":
            print(dump_keyring(generate_keyring()))
            return 0
        return _keys_generate()
    try:
        return _run(args)
    except (ConfigError, PrivacyError, OfficerError, OSError) as error:
        # OSError: an unreadable data directory or key file; its text names the path only.
        print(f"somesossu: {_one_line(error)}", file=sys.stderr)
        return 2


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
