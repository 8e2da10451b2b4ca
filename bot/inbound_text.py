"""The checks every resident text needs, run once per inbound message whatever route it takes.

The dispatcher makes one `CheckedText` per text before it routes the message to a
conversation or to a group session; both routes read the verdicts from it instead of running
the checks again: the length limit, crisis detection, and the redaction (run on first use,
at most once, and counted in the metrics then: a command that is never stored costs none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from privacy.redaction import Redaction, Redactor

from .crisis import CrisisDetector


@dataclass(slots=True)
class CheckedText:
    """One resident text with its verdicts. `too_long` texts get no crisis check.

    Its repr leaves the text out: a traceback or a log line must never carry it.
    """

    text: str = field(repr=False)
    too_long: bool
    crisis: bool
    _redactor: Redactor = field(repr=False)
    _count: Callable[[str], None] = field(repr=False)
    _redaction: Redaction | None = field(default=None, repr=False)

    def redaction(self) -> Redaction:
        """The text redacted: computed on the first call, the same object afterwards."""
        if self._redaction is None:
            self._redaction = self._redactor.redact(self.text)
            for finding in self._redaction.findings:
                self._count(str(finding.kind))
        return self._redaction


@dataclass(frozen=True, slots=True)
class InboundChecks:
    """The checkers, built once per dispatcher (the crisis phrase lists compile once)."""

    redactor: Redactor
    max_chars: int
    count_finding: Callable[[str], None]
    crisis: CrisisDetector = field(default_factory=CrisisDetector)

    def check(self, text: str) -> CheckedText:
        too_long = len(text) > self.max_chars
        crisis = not too_long and self.crisis.matches(text)
        return CheckedText(text, too_long, crisis, self.redactor, self.count_finding)
