"""The value types of redaction: kinds of personal data, findings and the redacted result.

Never holds or prints the removed personal data itself: a finding is a kind and two offsets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What sort of personal data a finding is; the values are stable storage keys."""

    HETU = "hetu"
    PHONE = "phone"
    EMAIL = "email"
    IBAN = "iban"
    PAYMENT_CARD = "payment_card"
    STREET_ADDRESS = "street_address"
    PERSON_NAME = "person_name"
    IP_ADDRESS = "ip_address"

    @property
    def placeholder(self) -> str:
        """The typed chip that replaces a finding of this kind in the redacted text."""
        return _PLACEHOLDERS[self]


_PLACEHOLDERS: dict[Kind, str] = {
    Kind.HETU: "[HETU]",
    Kind.PHONE: "[PHONE]",
    Kind.EMAIL: "[EMAIL]",
    Kind.IBAN: "[IBAN]",
    Kind.PAYMENT_CARD: "[CARD]",
    Kind.STREET_ADDRESS: "[ADDRESS]",
    Kind.PERSON_NAME: "[NAME]",
    Kind.IP_ADDRESS: "[IP]",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data: its kind and its [start, end) offsets in the original text.

    The caller slices the original text itself (to seal it into the PII vault); the finding
    never carries the value, so it cannot leak through a repr, a log line or an exception.
    """

    kind: Kind
    start: int
    end: int

    def __repr__(self) -> str:
        return f"Finding(kind={self.kind.value!r}, start={self.start}, end={self.end})"


@dataclass(frozen=True, slots=True)
class Redaction:
    """The redacted text, the findings (sorted, non-overlapping) and where each chip landed.

    `placeholder_spans[i]` is the [start, end) of the placeholder for `findings[i]` in `text`,
    so a console can render chips and reveal the matching original from the vault.
    """

    text: str
    findings: tuple[Finding, ...]
    placeholder_spans: tuple[tuple[int, int], ...]

    def __repr__(self) -> str:
        # The redacted text is safe by construction, but a repr is for debugging shapes:
        # counts and kinds are enough and keep any missed personal data out of logs.
        kinds = ",".join(f.kind.value for f in self.findings)
        return f"Redaction(chars={len(self.text)}, findings=[{kinds}])"


def keep_readable(text: str, redaction: Redaction, keep: Callable[[Finding], bool]) -> Redaction:
    """The same redaction with the findings `keep` accepts put back as readable text.

    For what the caller knows is not a resident's personal data (a counsellor's own chosen
    display name in their reply). `text` must be the text that was redacted.
    """
    parts: list[str] = []
    findings: list[Finding] = []
    spans: list[tuple[int, int]] = []
    cursor = 0
    length = 0
    for finding, (start, end) in zip(redaction.findings, redaction.placeholder_spans, strict=True):
        between = redaction.text[cursor:start]
        parts.append(between)
        length += len(between)
        if keep(finding):
            piece = text[finding.start : finding.end]
        else:
            piece = redaction.text[start:end]
            findings.append(finding)
            spans.append((length, length + len(piece)))
        parts.append(piece)
        length += len(piece)
        cursor = end
    parts.append(redaction.text[cursor:])
    return Redaction("".join(parts), tuple(findings), tuple(spans))
