"""The privacy officer's PII scan, end to end, on a database of N stored messages (issue 23).

Never prints message text: counts, seconds and messages per second only.

usage: python bench/pii_scan.py [--messages N] [--database-url URL] [--data-dir DIR]
                                [--rounds R] [--json]
Builds (or, with --data-dir holding one already, reuses) a database whose messages went
through the service's own storage code: `open_conversation` for each conversation (its data
keys, the reply address sealed) and `store_message` for each text (redacted by the real
redactor, sealed, the originals into the PII vault, bulk rows), 50 conversations of about ten
resident and counsellor texts per transaction. The texts (`message_text`) are drawn evenly
from the labelled dev corpus (`../shared/data/pii-dev.jsonl`), the history bench's templates
and the Turku NER dev sentences, a quarter of them two sentences, plus greetings and thanks
that repeat; some carry a long reference number or an @-handle that redaction keeps, and 2 %
of the conversations are crypto-shredded (their messages are unreadable). Then it times,
reading included:

- before: the exact scan (`pii_scan.exact_scan`: ORM reads per conversation, one process);
- after: `pii_scan` itself (its audit record, then the fast scan on a process pool);
- unremembered: the same with no short text remembered (`pii_scan_batch.SHORT_TEXT`), what
  it does where no text repeats (the bench's corpora are small, so its texts repeat more
  than a real history's).

Both must report the same; the best of R rounds (run alternately) is reported, with the
highest load average seen and, for scale, what `scan_text` alone does in one process on
texts of the same mix.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bot.core import Core  # noqa: E402

CORPORA = (
    REPO.parent / "shared" / "data" / "pii-dev.jsonl",
    REPO.parent / "shared" / "data" / "ner" / "fi-turku-dev.jsonl",
)
PER_CONVERSATION = 10
PER_TRANSACTION = 50
SHREDDED_SHARE = 0.02
SHORT = ("hei", "moi", "kiitos", "Kiitos paljon!", "ok", "selvä", "Hej", "tack", "Thanks!", "👍")
SLIPPED = ("viitenumero {n} ja @kaveri{m}", "asiakasnumero {n}", "tilinumero FI{m} {n}")


def sources() -> tuple[list[str], ...]:
    """Chat-like texts (the dev corpus, the history bench's templates filled) and prose."""
    from history import REPLIES, TEXTS, fill  # bench/history.py, beside this file

    rng = random.Random(7)
    dev, turku = ([json.loads(line)["text"] for line in path.open()] for path in CORPORA)
    templates = [text for texts in TEXTS.values() for text in texts] + list(REPLIES)
    return dev, [fill(template, rng) for template in templates for _ in range(20)], turku


def message_text(rng: random.Random, pools: tuple[list[str], ...]) -> str:
    """15 % greetings and thanks, 2 % what redaction keeps, the rest one sentence of a source
    chosen evenly (a quarter of them with a second one)."""
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(SHORT)
    if roll < 0.17:
        slipped = rng.choice(SLIPPED)
        return slipped.format(n=rng.randrange(10**11, 10**12), m=rng.randrange(10, 99))
    text = rng.choice(rng.choice(pools))
    if rng.random() < 0.25:
        text = f"{text} {rng.choice(rng.choice(pools))}"
    return text


def redactor_alone(count: int = 20_000) -> float:
    """Texts of the same mix a second through `scan_text` in this one process (CPU time)."""
    from bot.officer.pii_scan import scan_text
    from privacy.redaction import Redactor

    redactor = Redactor()
    redactor.preload()
    rng = random.Random(99)
    pools = sources()
    texts = [message_text(rng, pools) for _ in range(count)]
    started = time.process_time()
    for text in texts:
        scan_text(redactor, text)
    return count / (time.process_time() - started)


async def stored_messages(core: Core) -> int:
    from bot.officer.pii_scan import count_messages

    return await count_messages(core)


async def build(core: Core, messages: int) -> float:
    """Store `messages` texts through the service's storage code; returns seconds."""
    from bot.conversation_keys import open_conversation
    from bot.core import unit_of_work
    from bot.events import Author
    from bot.messages import store_message
    from bot.sealing import KeyPurpose

    started = time.perf_counter()
    rng = random.Random(2026)
    pools = sources()
    written = 0
    while written < messages:
        async with unit_of_work(core) as work:
            for _ in range(PER_TRANSACTION):
                if written >= messages:
                    break
                conversation = await open_conversation(
                    work, pseudonym=f"p{written}", channel="bench", reply_address=f"a{written}"
                )
                for n in range(min(PER_CONVERSATION, messages - written)):
                    author = Author.RESIDENT if n % 2 == 0 else Author.COUNSELLOR
                    await store_message(work, conversation, author, message_text(rng, pools))
                    written += 1
                if rng.random() < SHREDDED_SHARE:
                    await work.session.flush()
                    purposes = (KeyPurpose.CONVERSATION, KeyPurpose.PII_VAULT)
                    await core.keys.destroy(work.session, conversation.id, purposes)
        print(f"\rbuilt {written}/{messages}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return time.perf_counter() - started


async def scan_before(core: Core) -> Any:
    from bot.officer.pii_scan import exact_scan
    from privacy.redaction import Redactor

    redactor = Redactor()
    redactor.preload()
    return await exact_scan(core, redactor)


async def scan_after(core: Core) -> Any:
    from bot.officer.pii_scan import pii_scan

    return await pii_scan(core)


async def scan_after_unremembered(core: Core) -> Any:
    """The fast scan with no text remembered: what it does for a history of unique texts."""
    from bot.officer import pii_scan_batch

    remembered = pii_scan_batch.SHORT_TEXT
    pii_scan_batch.SHORT_TEXT = -1  # before the pool forks: the workers inherit it
    try:
        return await scan_after(core)
    finally:
        pii_scan_batch.SHORT_TEXT = remembered


SCANS = {"before": scan_before, "after": scan_after, "unremembered": scan_after_unremembered}


async def run(
    data_dir: Path, messages: int, database_url: str | None, rounds: int
) -> dict[str, Any]:
    from bot.app import build_service, prepare_database
    from bot.config import load_settings

    overrides: dict[str, Any] = {"data_dir": data_dir, "log_level": "WARNING"}
    if database_url:
        overrides["database_url"] = database_url
    service = build_service(load_settings(**overrides))
    core = service.core
    try:
        await prepare_database(service)
        result: dict[str, Any] = {"database": "sqlite" if core.database.is_sqlite else "postgresql"}
        have = await stored_messages(core)
        if have < messages:
            result["build_s"] = round(await build(core, messages - have), 1)
        result["messages"] = await stored_messages(core)
        if rounds < 1:  # build only
            return result
        reports: dict[str, Any] = {}
        # Alternately, so that the load of the machine falls on both alike.
        timings: dict[str, list[float]] = {name: [] for name in SCANS}
        loads: list[float] = []
        for _ in range(rounds):
            for name, scan in SCANS.items():
                started = time.perf_counter()
                reports[name] = await scan(core)
                timings[name].append(time.perf_counter() - started)
                loads.append(os.getloadavg()[0])
        if not reports["before"] == reports["after"] == reports["unremembered"]:
            raise SystemExit("the fast scan did not report what the exact scan reports")
        report = reports["after"]
        result["scanned"] = report.messages_scanned
        result["unreadable"] = report.unreadable
        result["affected"] = len(report.affected)
        result["load_average"] = round(max(loads), 2)
        result["redactor_alone_msg_per_s"] = round(redactor_alone())
        for name, seconds in timings.items():
            best = min(seconds)
            result[f"{name}_s"] = round(best, 3)
            result[f"{name}_msg_per_s"] = round(result["messages"] / best)
        return result
    finally:
        await core.database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--database-url", help="an empty database (default: SQLite)")
    parser.add_argument(
        "--data-dir", type=Path, help="keep the database (and keys) here and reuse it next time"
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="best of this many runs each (0: only build)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    temp = None if args.data_dir else Path(tempfile.mkdtemp(prefix="pii-scan-bench-"))
    data_dir = args.data_dir or temp
    assert data_dir is not None
    try:
        result = asyncio.run(run(data_dir, args.messages, args.database_url, args.rounds))
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    if args.json or args.rounds < 1:
        print(json.dumps(result))
        return
    print(
        f"database: {result['database']}, {result['messages']} messages "
        f"({result['unreadable']} unreadable, {result['affected']} with a finding), "
        f"load average up to {result['load_average']}"
    )
    if "build_s" in result:
        print(f"build: {result['build_s']} s")
    print(f"scan_text alone, one process: {result['redactor_alone_msg_per_s']:,} msg/s (CPU)")
    for name in SCANS:
        print(f"{name:12}: {result[f'{name}_s']:8.3f} s  {result[f'{name}_msg_per_s']:>9,} msg/s")


if __name__ == "__main__":
    main()
