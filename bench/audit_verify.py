"""The privacy officer's audit verification, end to end, on a trail of N records (issue 23).

Never prints record content: counts, seconds and records per second only.

usage: python bench/audit_verify.py [--records N] [--database-url URL] [--rounds R] [--json]
Builds a database of the service's own schema (a temporary SQLite file, or the URL given,
which must be an empty database) holding N audit records chained with `AuditChain` and a
signed checkpoint of the head, then times, reading included:

- before: every record read with `read_all` and checked by `verify_chain` on a thread (what
  `bot.officer.audit_verify.verify_audit` did until issue 23);
- after: `verify_audit` itself (the fast pass in batches on a process pool).

Both must find the trail intact; the best of R rounds is reported.

With --healthz, the console instead: the service's web app on loopback, a privacy officer
signed in, and `/healthz` asked back to back while `GET /api/audit/verify` runs (for at
least --seconds, as many verifications as that takes), p50/p99/max in ms:

- before: the console's verification until issue 23 (`read_all_values` in batches on the
  event loop, then `records_of` and `verify_chain` on a thread), put back for the run;
- after: the console as it is (one job, the quick pass in worker processes).

Rounds alternate before/after/before/after... so that both see the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.core import Core  # noqa: E402

INSERT_BATCH = 10_000
ACTIONS = ("read", "reply", "claim", "close", "reveal", "sign_in")


async def build_trail(core: Core, records: int) -> float:
    """Append `records` records after whatever the first start wrote; returns seconds."""
    from sqlalchemy import insert

    from bot.officer.audit_verify import checkpoint_path
    from bot.store import audit as audit_store
    from bot.store.rows import table_of
    from bot.store.tables import AuditRow
    from privacy.audit import (
        AuditAction,
        AuditChain,
        AuditOutcome,
        make_checkpoint,
        write_checkpoint,
    )

    started = time.perf_counter()
    chain = AuditChain(core.keyring.audit_key)
    async with core.database.session() as session:
        head = await audit_store.last_record(session)
    table = table_of(AuditRow)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    written = 0
    while written < records:
        rows: list[dict[str, Any]] = []
        for _ in range(min(INSERT_BATCH, records - written)):
            n = written + len(rows)
            # Quotes, a backslash and non-ASCII letters in some reasons: the encoder's cases.
            purpose = 'käsittely "jono" \\ ärende' if n % 97 == 0 else "handling the conversation"
            head = chain.next_record(
                head,
                at=moment + timedelta(milliseconds=37 * n),
                actor_id=f"staff:{n % 40}",
                actor_role="counsellor",
                unit="helsinki",
                subject_ref=f"c-{n // 25:08x}",
                object_type="conversation",
                object_id=f"c-{n // 25:08x}",
                action=AuditAction(ACTIONS[n % len(ACTIONS)]),
                purpose=purpose,
                outcome=AuditOutcome.SUCCESS,
            )
            rows.append(
                {
                    name: str(value) if name in ("action", "outcome") else value
                    for name, value in vars(head).items()
                }
            )
        async with core.database.session() as session:
            await session.execute(insert(table), rows)
        written += len(rows)
        print(f"\rbuilt {written}/{records}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    if head is not None:
        write_checkpoint(checkpoint_path(core), make_checkpoint(core.keyring.audit_key, head))
    return time.perf_counter() - started


async def verify_before(core: Core) -> tuple[bool, int]:
    from bot.officer.audit_verify import checkpoint_path
    from bot.store import audit as audit_store
    from privacy.audit import read_checkpoint, verify_chain

    key = core.keyring.audit_key
    records = await audit_store.read_all(core.database)
    checkpoint = read_checkpoint(checkpoint_path(core), key)
    result = await asyncio.to_thread(verify_chain, key, records, checkpoint)
    return result.ok, len(records)


async def verify_after(core: Core) -> tuple[bool, int]:
    from bot.officer.audit_verify import verify_audit

    report = await verify_audit(core)
    return report.ok and report.checkpoint == "matched", report.records


async def run(temp: Path, records: int, database_url: str | None, rounds: int) -> dict[str, Any]:
    from bot.app import build_service, prepare_database
    from bot.config import load_settings

    overrides: dict[str, Any] = {"data_dir": temp, "log_level": "WARNING"}
    if database_url:
        overrides["database_url"] = database_url
    service = build_service(load_settings(**overrides))
    core = service.core
    try:
        await prepare_database(service)
        build_seconds = await build_trail(core, records)
        result: dict[str, Any] = {
            "database": "sqlite" if core.database.is_sqlite else "postgresql",
            "build_s": round(build_seconds, 1),
        }
        for name, verify in (("before", verify_before), ("after", verify_after)):
            best = float("inf")
            for _ in range(rounds):
                started = time.perf_counter()
                ok, count = await verify(core)
                best = min(best, time.perf_counter() - started)
                if not ok:
                    raise SystemExit(f"{name}: the trail did not verify")
            result["records"] = count
            result[f"{name}_s"] = round(best, 3)
            result[f"{name}_records_per_s"] = round(count / best)
        return result
    finally:
        await core.database.dispose()


async def old_chain_status(request: Any) -> dict[str, Any]:
    """The console's `chain_status` as it was before issue 23's worker processes."""
    from bot.service import SERVICE
    from bot.store import audit as audit_store
    from privacy.audit import read_checkpoint, verify_chain

    core = request.app[SERVICE].core
    key = core.keyring.audit_key
    checkpoint = None
    if core.checkpoint_path is not None and core.checkpoint_path.exists():
        checkpoint = read_checkpoint(core.checkpoint_path, key)
    values = await audit_store.read_all_values(core.database)
    result = await asyncio.to_thread(
        lambda: verify_chain(key, audit_store.records_of(values), checkpoint)
    )
    return result.as_json()


async def healthz_while_verifying(
    temp: Path, records: int, database_url: str | None, rounds: int, seconds: float
) -> dict[str, Any]:
    from aiohttp.test_utils import TestServer
    from history import PASSWORD, cheap_passwords, percentile_ms, signed_in, timed_gets

    from bot.actions.context import SYSTEM
    from bot.actions.users import create_user
    from bot.app import build_service, build_web_app, prepare_database
    from bot.config import load_settings
    from bot.console import audit_view
    from bot.roles import Role
    from bot.store import audit as audit_store

    cheap_passwords()
    overrides: dict[str, Any] = {"data_dir": temp, "log_level": "WARNING"}
    if database_url:
        overrides["database_url"] = database_url
    service = build_service(load_settings(**overrides))
    core = service.core
    await prepare_database(service)
    await build_trail(core, records)
    await create_user(
        core, SYSTEM, username="officer", role=Role.PRIVACY_OFFICER, password=PASSWORD, queues=()
    )
    app = build_web_app(service)
    app.cleanup_ctx[:] = [ctx for ctx in app.cleanup_ctx if "scheduler" not in ctx.__name__]
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    health: dict[str, list[float]] = {"before": [], "after": []}
    verifications: dict[str, list[float]] = {"before": [], "after": []}
    current = audit_view.chain_status
    officer = await signed_in(server, "officer")
    try:
        for _ in range(rounds):
            for name in ("before", "after"):
                audit_view.chain_status = old_chain_status if name == "before" else current
                until = time.perf_counter() + seconds
                while time.perf_counter() < until:
                    started = time.perf_counter()
                    verify = asyncio.create_task(timed_gets(officer, "/api/audit/verify", 1))
                    while not verify.done():
                        health[name] += await timed_gets(officer, "/healthz", 1)
                    await verify
                    verifications[name].append(time.perf_counter() - started)
        total = await audit_store.count(core.database)
    finally:
        audit_view.chain_status = current
        await officer.close()
        await server.close()
        await core.database.dispose()
    result: dict[str, Any] = {
        "database": "sqlite" if core.database.is_sqlite else "postgresql",
        "records": total,
    }
    for name in ("before", "after"):
        result[f"{name}_verify_s"] = round(statistics.median(verifications[name]), 3)
        result[f"{name}_healthz_p50_ms"] = percentile_ms(health[name], 0.50)
        result[f"{name}_healthz_p99_ms"] = percentile_ms(health[name], 0.99)
        result[f"{name}_healthz_max_ms"] = percentile_ms(health[name], 1.0)
        result[f"{name}_healthz_samples"] = len(health[name])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--database-url", help="an empty database (default: temporary SQLite)")
    parser.add_argument("--rounds", type=int, default=2, help="best of this many runs")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--healthz", action="store_true", help="/healthz while the console verifies instead"
    )
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="with --healthz: per round and side"
    )
    args = parser.parse_args()
    temp = Path(tempfile.mkdtemp(prefix="audit-verify-bench-"))
    try:
        if args.healthz:
            result = asyncio.run(
                healthz_while_verifying(
                    temp, args.records, args.database_url, args.rounds, args.seconds
                )
            )
        else:
            result = asyncio.run(run(temp, args.records, args.database_url, args.rounds))
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    if args.healthz and Path("/proc/loadavg").exists():
        result["load_average_after_run"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    if args.json or args.healthz:
        print(json.dumps(result, indent=None if args.json else 2))
        return
    print(f"database: {result['database']}, {result['records']} records")
    print(f"build: {result['build_s']} s")
    for name in ("before", "after"):
        print(
            f"{name:6}: {result[f'{name}_s']:8.3f} s  "
            f"{result[f'{name}_records_per_s']:>9,} records/s"
        )


if __name__ == "__main__":
    main()
