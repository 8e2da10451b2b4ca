"""What the PII re-scan counts as a finding in one stored text, and the report it adds up to.

Shared by the exact scan and the fast one (`pii_scan_fast`), so both judge a text the same
way. Never keeps or returns a value found: kinds and counts only.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bot.message_body import MessageBody
from privacy.redaction import Redactor

SCANNED_AUTHORS = ("resident", "counsellor")
"""Service texts are templates, not personal data; only what people wrote was redacted."""

# Stricter than the redactor on purpose: false alarms cost the officer a look, misses do not.
STRICT_PATTERNS: dict[str, re.Pattern[str]] = {
    "strict:long_number": re.compile(r"(?<!\d)\d(?:[ -]?\d){8,}(?!\d)"),
    "strict:at_word": re.compile(r"@[\w.-]+", re.UNICODE),
    "strict:hetu_like": re.compile(r"(?<![\w])\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y](?![\w])"),
    "strict:iban_like": re.compile(r"(?<![A-Za-z])FI\s?\d{2}(?:\s?\d){8,}", re.IGNORECASE),
}
_NEEDS_AT = frozenset({"strict:at_word"})
"""The one strict pattern without a digit; each of the others matches only where one is."""
_DIGIT = re.compile(r"\d")
# A letter or digit (str.isalnum, as \w without the underscore), or an at sign.
_WORTH_SCANNING = re.compile(r"[^\W_]|@")


@dataclass(frozen=True, slots=True)
class ScanReport:
    messages_scanned: int
    unreadable: int
    counts: dict[str, int]
    message_ids: dict[str, tuple[str, ...]]
    affected: tuple[str, ...] = field(default=())
    # Stored files by kind (photo, document, voice): rebuilt without metadata when they came
    # in (privacy.attachments), but their content (a face, a letter, a voice) is not scanned.
    files_not_scanned: dict[str, int] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return bool(self.counts)

    def as_json(self) -> dict[str, object]:
        return {
            "messages_scanned": self.messages_scanned,
            "unreadable": self.unreadable,
            "counts": self.counts,
            "message_ids": {kind: list(ids) for kind, ids in self.message_ids.items()},
            "affected_messages": list(self.affected),
            "files_not_scanned": self.files_not_scanned,
        }


def report_of(
    scanned: int, unreadable: int, counts: Counter[str], ids: dict[str, list[str]]
) -> ScanReport:
    """The report of a whole scan; `ids` per kind in scan order, one entry per message."""
    affected = sorted({message_id for found in ids.values() for message_id in found})
    return ScanReport(
        messages_scanned=scanned,
        unreadable=unreadable,
        counts=dict(sorted(counts.items())),
        message_ids={kind: tuple(found) for kind, found in sorted(ids.items())},
        affected=tuple(affected),
    )


def without_placeholders(body: MessageBody) -> str:
    """The stored text with each placeholder blanked, so "[PHONE]" itself is not a finding."""
    text = body.text
    for placeholder in sorted(body.placeholders, key=lambda p: p.start, reverse=True):
        text = text[: placeholder.start] + " " + text[placeholder.end :]
    return text


def scan_text(redactor: Redactor, text: str) -> Counter[str]:
    kinds: Counter[str] = Counter(str(finding.kind) for finding in redactor.redact(text).findings)
    for kind, pattern in STRICT_PATTERNS.items():
        hits = len(pattern.findall(text))
        if hits:
            kinds[kind] += hits
    return kinds


def cannot_hold_findings(text: str) -> bool:
    """True only for a text in which neither the redactor nor a strict pattern finds anything.

    Such a text has no letter, no digit (of any script) and no "@": blank, punctuation,
    emoji, what is left of a placeholder-only message. Every detector of the redactor needs
    a letter or a digit in the folded text (typography.fold turns only letters and digits
    into letters and digits: full-width ones and other scripts' decimals, all alphanumeric
    before folding), and every strict pattern a digit or an "@".
    `tests/bot/officer/test_pii_scan_fast.py` checks this on generated texts.
    """
    return _WORTH_SCANNING.search(text) is None


def scan_text_quickly(redactor: Redactor, text: str) -> tuple[tuple[str, int], ...]:
    """`scan_text`'s result as (kind, hits) pairs in the same order, skipping proven-empty work.

    The same answer as `scan_text` for every text: a text that `cannot_hold_findings` is not
    redacted, and a strict pattern whose required character (a digit, or "@") is absent is
    not run.
    """
    if cannot_hold_findings(text):
        return ()
    kinds: Counter[str] = Counter(str(finding.kind) for finding in redactor.redact(text).findings)
    has_digit = _DIGIT.search(text) is not None
    has_at = "@" in text
    for kind, pattern in STRICT_PATTERNS.items():
        if not (has_at if kind in _NEEDS_AT else has_digit):
            continue
        hits = len(pattern.findall(text))
        if hits:
            kinds[kind] += hits
    return tuple(kinds.items())
