"""Redaction of personal data from chat messages before they are stored.

Never imports from `bot` or `adapters`, and never logs or raises with message text.
"""

from __future__ import annotations

from privacy.redaction.findings import Finding, Kind, Redaction, keep_readable
from privacy.redaction.redactor import Redactor

__all__ = ["Finding", "Kind", "Redaction", "Redactor", "keep_readable"]
