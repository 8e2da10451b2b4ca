"""bench/outbox_delivery.py and bench/history_inbound.py run and count what they measure."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


def bench_module(name: str = "outbox_delivery") -> ModuleType:
    """bench/ is not a package: load the script by its path."""
    path = REPO / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


async def test_a_round_sweeps_the_triage_replies_of_every_resident() -> None:
    bench = bench_module()
    sent, wall, cpu = await bench.one_round("sqlite", 6)
    # The bot answers each step of the triage: four messages per resident.
    assert sent == 6 * 4
    assert wall > 0 and cpu > 0


async def test_history_inbound_alternates_both_databases_every_round() -> None:
    bench = bench_module("history_inbound")
    args = bench.parse_args(["--conversations", "12", "--rounds", "2", "--inbound", "40"])
    args.residents = 5
    rates = await bench.run(args)
    assert len(rates["history"]) == len(rates["empty"]) == 2
    assert all(rate > 0 for rate in rates["history"] + rates["empty"])
