"""Outbox delivery: how fast the worker sends what is waiting, many conversations at once.

Never prints message text. Cleans up its temp data (and the PostgreSQL database it creates).

usage: python bench/outbox_delivery.py [--residents 400] [--database sqlite|postgres|both]
                                       [--rounds 2]

Per round and database: `--residents` residents go through the triage (greeting, language,
topic, description) on a fresh database through the service's own dispatcher, with the
outbox worker stopped, which leaves about four of the bot's messages each waiting. Then
`OutboxWorker.deliver_due` sweeps until nothing is due, sending to an in-process platform,
and the script prints messages delivered per second (wall and process CPU time). It
measures the worker's own cost: reading, unsealing, leasing, marking delivered.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from history import database_url, open_bench  # noqa: E402


async def one_round(database: str, residents: int) -> tuple[int, float, float]:
    """Messages delivered, wall seconds and CPU seconds of sweeping them."""
    temp = Path(tempfile.mkdtemp(prefix="somesossu-outbox-"))
    try:
        async with (
            database_url(database, temp) as url,
            open_bench(temp / "data", url, span=timedelta(days=1), outbox_worker=False) as (
                bench,
                _server,
            ),
        ):
            await bench.queue_up(residents)
            started, cpu = time.perf_counter(), time.process_time()
            sent = 0
            while delivered := await bench.service.outbox.deliver_due():
                sent += delivered
            return sent, time.perf_counter() - started, time.process_time() - cpu
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/outbox_delivery.py", description=__doc__)
    parser.add_argument("--residents", type=int, default=400)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=2)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    databases = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    for round_number in range(1, args.rounds + 1):
        for database in databases:
            sent, wall, cpu = asyncio.run(one_round(database, args.residents))
            print(
                f"{database} round {round_number}: {sent} messages delivered in {wall:.2f} s "
                f"(CPU {cpu:.2f} s): {sent / wall:.0f} msg/s",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
