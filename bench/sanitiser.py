"""Making a file safe in a worker process against doing it in the service's process.

Never prints a file: milliseconds only.

usage: python bench/sanitiser.py [--files N] [--width W] [--height H]
Makes a JPEG photo with GPS and camera metadata (tests/support/files.py), then times
`bot.attachments.prepare` (a worker process from `bot.sanitiser_process`) for N files one
after another, the first of which starts the worker, against `privacy.attachments.sanitise`
called directly, N times. Prints the cold start, then the median and the worst of the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.attachments import prepare
from bot.sanitiser_process import SanitiserWorkers
from privacy.attachments import Limits, sanitise
from tests.support.files import photo_with_gps


def milliseconds(started: float) -> float:
    return (time.perf_counter() - started) * 1000


async def isolated(data: bytes, files: int) -> list[float]:
    workers = SanitiserWorkers()
    timings = []
    try:
        for _ in range(files):
            started = time.perf_counter()
            prepared = await prepare(data, Limits(), workers)
            timings.append(milliseconds(started))
            assert prepared.refused is None
    finally:
        workers.close()
    return timings


def in_process(data: bytes, files: int) -> list[float]:
    timings = []
    for _ in range(files):
        started = time.perf_counter()
        sanitise(data, Limits())
        timings.append(milliseconds(started))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=30)
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args()
    data = photo_with_gps(args.width, args.height)
    worker = asyncio.run(isolated(data, args.files))
    direct = in_process(data, args.files)
    print(f"photo {args.width}x{args.height}, {len(data):,} bytes, {args.files} files")
    print(f"worker process: first (starts the worker) {worker[0]:.0f} ms")
    for label, timings in (("worker process", worker[1:]), ("in-process", direct[1:])):
        print(f"{label}: median {statistics.median(timings):.1f} ms, worst {max(timings):.1f} ms")


if __name__ == "__main__":
    main()
