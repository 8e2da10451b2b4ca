"""A gate that holds an audit verification's worker processes mid-trail, for tests.

The workers are other processes, so an asyncio event cannot reach them: they wait for a file
to appear (polled, with a deadline). Module-level, so that a process pool can pickle it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bot.officer.audit_verify import RangeReader

DEADLINE_S = 120.0


def gated_read(
    gate: Path, opens_after: int, read: RangeReader, after: int, upto: int
) -> list[tuple[Any, ...]]:
    """`read(after, upto)`, held until `gate` exists for every range from `opens_after` on."""
    if after >= opens_after:
        deadline = time.monotonic() + DEADLINE_S
        while not gate.exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the test never opened the gate")
            time.sleep(0.005)
    return read(after, upto)
