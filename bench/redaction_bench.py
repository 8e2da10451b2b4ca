"""Benchmark of the PII redactor against Presidio and scrubadub: throughput and quality.

Never prints message text: only counts, rates and the scorer's figures.

usage: python bench/redaction_bench.py [CORPUS.jsonl] [--messages N] [--rounds R] [--cpu C]
Quality uses the repository's scorer (../shared/tools/pii_score.py, same computation as
`pii_score.py CORPUS FINDINGS`); throughput is single-threaded CPU time, pinned to one core
where the OS allows, after a warm-up pass, best and median of several rounds. A comparator
that is not installed is skipped.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "pii-dev.jsonl"
DEFAULT_SCORER = REPO.parent / "shared" / "tools" / "pii_score.py"

Span = tuple[int, int]
Detector = Callable[[str], list[Span]]


class _Ours:
    """Our Redactor; timed through `redact` itself, as the service calls it."""

    def __init__(self) -> None:
        from privacy.redaction import Redactor

        self.redact = Redactor().redact

    def __call__(self, text: str) -> list[Span]:
        return [(f.start, f.end) for f in self.redact(text).findings]


def _ours() -> Detector:
    return _Ours()


def _presidio() -> Detector | None:
    """Presidio's pattern recognizers only: no spaCy model can be downloaded here."""
    try:
        from presidio_analyzer.predefined_recognizers import (
            CreditCardRecognizer,
            EmailRecognizer,
            FiPersonalIdentityCodeRecognizer,
            IbanRecognizer,
            IpRecognizer,
            PhoneRecognizer,
        )
    except ImportError:
        return None
    try:  # keep tldextract (used by the e-mail recognizer) from fetching the suffix list
        import tldextract.tldextract as tld

        tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=())
    except ImportError:
        pass
    # Every recognizer is told the message language is its own: the corpus mixes fi/sv/en/ru
    # and Presidio's pattern recognizers do not depend on the language anyway.
    recognizers: list[Any] = [
        FiPersonalIdentityCodeRecognizer(),
        IbanRecognizer(),
        CreditCardRecognizer(),
        EmailRecognizer(),
        IpRecognizer(),
        PhoneRecognizer(supported_regions=("FI", "SE", "GB", "US", "DE", "RU", "UA", "IQ", "SO")),
    ]

    def detect(text: str) -> list[Span]:
        spans: list[Span] = []
        for recognizer in recognizers:
            results = recognizer.analyze(text, recognizer.supported_entities, None)
            spans.extend((r.start, r.end) for r in results or () if r.score > 0)
        return spans

    return detect


def _scrubadub() -> Detector | None:
    try:
        import scrubadub
    except ImportError:
        return None
    scrubber = scrubadub.Scrubber(locale="fi_FI")

    def detect(text: str) -> list[Span]:
        return [(f.beg, f.end) for f in scrubber.iter_filth(text)]

    return detect


def _load_scorer(path: Path) -> ModuleType | None:
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("pii_score", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _quality(scorer: ModuleType, corpus: Path, texts: list[str], detect: Detector) -> Any:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as out:
        for text in texts:
            found = [{"kind": "pii", "start": s, "end": e} for s, e in detect(text)]
            out.write(json.dumps({"findings": found}) + "\n")
    try:
        return scorer.score(str(corpus), out.name)
    finally:
        os.unlink(out.name)


def _messages(texts: list[str], count: int) -> Iterator[str]:
    for i in range(count):
        yield texts[i % len(texts)]


def _throughput(
    texts: list[str], detect: Callable[[str], object], count: int, rounds: int
) -> tuple[float, float]:
    """Best and median messages per CPU-second over `rounds` rounds of `count` messages.

    CPU time of this thread, not wall-clock time: on a shared machine the wall clock also
    counts the moments another process held the core. The best round is the least disturbed
    one (the `timeit` convention); the median shows the spread.
    """
    for text in texts:  # warm-up: caches, lazy imports, compiled patterns
        detect(text)
    rates = []
    for _ in range(rounds):
        start = time.thread_time()
        for text in _messages(texts, count):
            detect(text)
        rates.append(count / (time.thread_time() - start))
    return max(rates), statistics.median(rates)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    parser.add_argument(
        "--messages", type=int, default=10000, help="messages per timed round (corpus repeated)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per tool")
    parser.add_argument("--cpu", type=int, default=0, help="core to pin to (Linux)")
    args = parser.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {args.cpu})
        except OSError:
            pass  # not allowed here: measure unpinned rather than fail
    with args.corpus.open(encoding="utf-8") as corpus:
        texts = [json.loads(line)["text"] for line in corpus]
    scorer = _load_scorer(args.scorer)
    print(f"corpus: {args.corpus} ({len(texts)} messages, repeated to {args.messages} per round)")
    print(f"python {sys.version.split()[0]}, single thread")
    columns = [
        ("best msg/s", "rate"),
        ("median msg/s", "median"),
        ("struct", "structured_recall"),
        ("addr", "address_recall"),
        ("names", "name_recall"),
        ("prec", "char_precision"),
        ("clean", "clean_messages_touched"),
        ("leak", "messages_leaking"),
    ]
    print(
        f"{'tool':22s}" + "".join(f"{name:>{13 if 'msg' in name else 9}s}" for name, _ in columns)
    )
    tools: list[tuple[str, Callable[[], Detector | None]]] = [
        ("somesossu Redactor", _ours),
        ("presidio (patterns)", _presidio),
        ("scrubadub", _scrubadub),
    ]
    for name, build in tools:
        detect = build()
        if detect is None:
            print(f"{name:22s}   skipped: not installed")
            continue
        figures: dict[str, float] = {}
        if scorer is not None:
            figures.update(_quality(scorer, args.corpus, texts, detect))
        timed: Callable[[str], object] = detect.redact if isinstance(detect, _Ours) else detect
        figures["rate"], figures["median"] = _throughput(texts, timed, args.messages, args.rounds)
        cells = []
        for _, key in columns:
            value = figures.get(key)
            if value is None:
                cells.append(f"{'n/a':>{13 if key in ('rate', 'median') else 9}s}")
            elif key in ("rate", "median"):
                cells.append(f"{value:13.0f}")
            else:
                cells.append(f"{value:9.3f}")
        print(f"{name:22s}" + "".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
