"""Inbound msg/s on a database with history against an empty one, alternated (issue 23).

A single inbound figure per database moves by a third from one run to the next on this shared
machine, more than history could. This script holds both databases open in one process and
measures them in turn, round after round, so both see the same load.

Never prints message text. Cleans up its temp data and the PostgreSQL databases it creates.

usage: python bench/history_inbound.py [--database sqlite|postgres] [--conversations 10000]
                                       [--rounds 4] [--inbound 2000] [--residents 200]

1. Builds `--conversations` conversations through the service's own code, as
   `bench/history.py` does (same builder, same defaults), and opens an empty database beside it.
2. Per round and database, in turn (the built one first in odd rounds, the empty one first in
   even ones): queues `--residents` new residents, then sends `--inbound` messages from them
   through `Dispatcher.receive`, 50 in flight, and prints msg/s; the residents then leave.
3. Prints the median of each database's rounds and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import signal
import statistics
import sys
import tempfile
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from history import Bench, database_url, inbound_rate, open_bench  # noqa: E402


async def one_round(bench: Bench, residents: int, messages: int) -> float:
    fresh = await bench.queue_up(residents)
    await bench.settle_outbox()
    rate = await inbound_rate(bench, fresh, messages)
    await bench.leave(fresh)
    await bench.settle_outbox()
    return rate


async def run(args: argparse.Namespace) -> dict[str, list[float]]:
    temp = Path(tempfile.mkdtemp(prefix="somesossu-history-inbound-"))
    try:
        async with contextlib.AsyncExitStack() as stack:
            built_url = await stack.enter_async_context(database_url(args.database, temp / "a"))
            empty_url = await stack.enter_async_context(database_url(args.database, temp / "b"))
            span = timedelta(days=args.conversations / 300)
            built, _ = await stack.enter_async_context(open_bench(temp / "a", built_url, span=span))
            empty, _ = await stack.enter_async_context(
                open_bench(temp / "b", empty_url, span=timedelta(days=1))
            )
            report = await built.build(args.conversations)
            print(
                f"built {report.conversations} conversations in {report.seconds:.0f} s",
                flush=True,
            )
            for bench in (built, empty):
                await bench.make_staff(2)
                bench.clock.real = True
            rates: dict[str, list[float]] = {"history": [], "empty": []}
            for number in range(1, args.rounds + 1):
                order = [("history", built), ("empty", empty)]
                for name, bench in order if number % 2 else order[::-1]:
                    rate = await one_round(bench, args.residents, args.inbound)
                    rates[name].append(rate)
                    print(f"round {number} {name}: {rate} msg/s", flush=True)
            return rates
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/history_inbound.py", description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--conversations", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--inbound", type=int, default=2000)
    parser.add_argument("--residents", type=int, default=200)
    args = parser.parse_args(argv)
    if min(args.conversations, args.rounds, args.inbound, args.residents) < 1:
        parser.error("every count must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    rates = asyncio.run(run(args))
    history = round(statistics.median(rates["history"]), 1)
    empty = round(statistics.median(rates["empty"]), 1)
    print(
        f"{args.database} {args.conversations} conversations: median {history} msg/s with "
        f"history, {empty} empty ({history / empty:.2f}x)",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
