"""The Redactor: runs every detector over a message and replaces findings with typed chips.

Never logs, raises with, or keeps the text it redacts; it returns offsets and the caller seals
the originals into the PII vault.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable

from privacy.redaction.addresses import find_addresses
from privacy.redaction.allowlist import Allowlist
from privacy.redaction.bare_streets import find_bare_streets
from privacy.redaction.findings import Finding, Kind, Redaction
from privacy.redaction.handles import find_handles
from privacy.redaction.names import find_names, preload_names
from privacy.redaction.phones import find_phones
from privacy.redaction.structured import find_cards, find_emails, find_hetus, find_ibans, find_ips
from privacy.redaction.typography import fold, original_span

# When two findings overlap, the more specific kind wins (a HETU's digits also look like a
# phone number; a street named after a person is an address, not a name).
_PRIORITY = {
    Kind.HETU: 0,
    Kind.IBAN: 1,
    Kind.PAYMENT_CARD: 2,
    Kind.EMAIL: 3,
    Kind.IP_ADDRESS: 4,
    Kind.PHONE: 5,
    Kind.STREET_ADDRESS: 6,
    Kind.PERSON_NAME: 7,
}
_DIGIT = re.compile(r"\d")
# Detectors see folded text (typography.fold): dash and space variants are "-" and " ", and
# every digit is 0-9. Up to three of them may join digits ("4532 - 0151", "FI33  4021").
# Dots and slashes too: a HETU copied with dots in its date or a slash for its sign.
_LONG_NUMBER = re.compile(r"\d(?:[ \-./]{0,3}\d){5}")
_CHIPS = {kind: kind.placeholder for kind in Kind}
_EMPTY = Redaction(text="", findings=(), placeholder_spans=())


class Redactor:
    """Finds personal data in chat messages and replaces it with placeholders.

    Instances hold only immutable state, so one may be shared by all threads and tasks.
    """

    __slots__ = ("_allowlist",)

    def __init__(self, extra_allowed: Iterable[str] = ()) -> None:
        self._allowlist = Allowlist(extra_allowed)

    def __repr__(self) -> str:
        return "Redactor()"

    def preload(self) -> None:
        """Read the name lists and the model now (about half a second of CPU), rather than
        on the first message: call it at service start, off the event loop."""
        preload_names()

    def redact(self, text: str) -> Redaction:
        """Return `text` with every finding replaced by its kind's placeholder."""
        if not text:
            return _EMPTY if text == "" else Redaction(text, (), ())
        # Every detector runs on the folded text ("131052–308T", Persian digits, a zero-width
        # space inside a number); findings are mapped back so chips replace original characters.
        folded, index = fold(text)
        findings = _resolve(folded, self._candidates(folded))
        if not findings:
            return Redaction(text=text, findings=(), placeholder_spans=())
        if index is not None:
            findings = tuple(
                Finding(f.kind, *original_span(index, f.start, f.end)) for f in findings
            )
        parts: list[str] = []
        spans: list[tuple[int, int]] = []
        pos = 0
        out_len = 0
        for f in findings:
            keep = text[pos : f.start]
            parts.append(keep)
            out_len += len(keep)
            chip = _CHIPS[f.kind]
            parts.append(chip)
            spans.append((out_len, out_len + len(chip)))
            out_len += len(chip)
            pos = f.end
        parts.append(text[pos:])
        return Redaction(text="".join(parts), findings=findings, placeholder_spans=tuple(spans))

    def _candidates(self, text: str) -> list[tuple[int, int, Kind]]:
        # Plain loops rather than comprehensions: most lists are empty, and a comprehension
        # costs a function call even then (this runs once per message, 25 000 times a second).
        found: list[tuple[int, int, Kind]] = []
        add = found.append
        has_digit = _DIGIT.search(text) is not None
        if has_digit and _LONG_NUMBER.search(text):
            # Only text with six or more digits in a row (spaces, dashes, dots allowed) can hold
            # a HETU, IBAN, card or phone number: most messages skip all four detectors.
            ibans = find_ibans(text)
            # A run of an IBAN's digits may pass the HETU check by chance ("SE06 0148-6235
            # ..." holds "060148-6235"): the IBAN, checked over all its digits, is the finding.
            taken = [
                (s, e)
                for s, e in find_hetus(text)
                if not any(i_s <= s and e <= i_e for i_s, i_e in ibans)
            ]
            for s, e in taken:
                add((s, e, Kind.HETU))
            for s, e in ibans:
                add((s, e, Kind.IBAN))
                taken.append((s, e))
            for s, e in find_cards(text):
                add((s, e, Kind.PAYMENT_CARD))
                taken.append((s, e))
            for s, e in find_phones(text, self._allowlist, taken):
                add((s, e, Kind.PHONE))
        if text.count(".") >= 3 or text.count(":") >= 2:
            for s, e in find_ips(text):
                add((s, e, Kind.IP_ADDRESS))
        name_text = text
        if "@" in text or "(at)" in text or "[at]" in text:
            emails = find_emails(text)
            pieces, pos = [], 0
            for s, e in emails:
                add((s, e, Kind.EMAIL))
                # The words of an address are not names to look up again: blank them out.
                pieces += [text[pos:s], " " * (e - s)]
                pos = e
            if emails:
                name_text = "".join([*pieces, text[pos:]])
        if has_digit:  # an address has a house number ...
            for s, e in find_addresses(text):
                add((s, e, Kind.STREET_ADDRESS))
        for s, e in find_bare_streets(text):  # ... a street alone is named without one
            add((s, e, Kind.STREET_ADDRESS))
        for s, e in find_names(name_text):
            add((s, e, Kind.PERSON_NAME))
        for s, e in find_handles(text):
            add((s, e, Kind.PERSON_NAME))
        if found and self._allowlist.has_strings:
            allow = self._allowlist
            found = [c for c in found if not allow.allows_string(text[c[0] : c[1]])]
        return found


_TRIMMABLE = frozenset({Kind.PERSON_NAME, Kind.STREET_ADDRESS})


def _resolve(text: str, candidates: list[tuple[int, int, Kind]]) -> tuple[Finding, ...]:
    """Keep the most specific, then longest, of overlapping candidates; sort by position."""
    if not candidates:
        return ()
    if len(candidates) == 1:
        s, e, k = candidates[0]
        return (Finding(k, s, e),)
    # Chosen spans never overlap, so kept sorted by start only the nearest one that starts
    # before a candidate ends can overlap it: a bisect per candidate, not a scan.
    starts: list[int] = []
    chosen: list[tuple[int, int, Kind]] = []
    for s, e, k in sorted(candidates, key=lambda c: (_PRIORITY[c[2]], c[0] - c[1], c[0])):
        i = bisect_left(starts, e)
        if i and chosen[i - 1][1] > s:
            # A name or an address that runs into a stronger finding ("Leena Virtanen
            # Hämeentie 5", "Liisankatu 12 A 101 00100" read as a phone number from "101")
            # keeps the words before it rather than being dropped and left readable.
            if k not in _TRIMMABLE or chosen[i - 1][0] <= s:
                continue
            e = chosen[i - 1][0]
            while e > s and not text[e - 1].isalnum():
                e -= 1
            i = bisect_left(starts, e)
            if e - s < 2 or (i and chosen[i - 1][1] > s):
                continue
        starts.insert(i, s)
        chosen.insert(i, (s, e, k))
    return tuple(Finding(k, s, e) for s, e, k in chosen)
