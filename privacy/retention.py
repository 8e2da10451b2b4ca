"""Retention rules per queue and the pure decision of what is due for deletion at a given time.

Never deletes anything itself and never looks at content: it sees ids, queues and times only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

__all__ = [
    "DueItem",
    "RetentionCandidate",
    "RetentionRule",
    "RetentionSummary",
    "RetentionTarget",
    "due_for_deletion",
    "summarise",
]


def _non_negative_int(value: object, name: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer")


@dataclass(frozen=True)
class RetentionRule:
    """How long a queue keeps things after a conversation closes (0 = delete at closing).

    ``transcript_days``: the sealed messages, reply address and data key of the conversation.
    ``pii_vault_hours``: the originals removed by redaction; never longer than the transcript.
    ``group_transcript_hours``: transcripts of group sessions, applied by the core to group
    conversations (this module does not know which conversations are groups).
    Days are periods of 24 hours in UTC, not calendar days, so daylight saving never
    stretches or shortens a period.
    """

    transcript_days: int = 30
    pii_vault_hours: int = 24
    group_transcript_hours: int = 0

    def __post_init__(self) -> None:
        _non_negative_int(self.transcript_days, "transcript_days")
        _non_negative_int(self.pii_vault_hours, "pii_vault_hours")
        _non_negative_int(self.group_transcript_hours, "group_transcript_hours")
        # The vault holds the most sensitive part of a conversation; keeping it longer than
        # the transcript it belongs to would invert the whole point of a separate vault.
        if self.pii_vault_hours > self.transcript_days * 24:
            raise ValueError("pii_vault_hours must not exceed transcript_days * 24")

    @property
    def transcript_period(self) -> timedelta:
        return timedelta(days=self.transcript_days)

    @property
    def pii_vault_period(self) -> timedelta:
        return timedelta(hours=self.pii_vault_hours)


class RetentionTarget(StrEnum):
    TRANSCRIPT = "transcript"
    """The whole conversation: shredding its data key also makes its PII vault unreadable."""
    PII_VAULT = "pii_vault"
    """Only the redacted originals; the transcript stays."""


@dataclass(frozen=True)
class RetentionCandidate:
    """What the store knows about one conversation, without any of its content."""

    conversation_id: str
    queue: str
    closed_at: datetime | None
    transcript_present: bool
    pii_vault_present: bool


@dataclass(frozen=True)
class DueItem:
    conversation_id: str
    what: RetentionTarget
    due_since: datetime


def _require_aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    # Arithmetic in UTC: adding days to a Europe/Helsinki time would follow the wall clock.
    return moment.astimezone(UTC)


def due_for_deletion(
    candidates: Iterable[RetentionCandidate],
    rules: Mapping[str, RetentionRule],
    default: RetentionRule,
    now: datetime,
) -> list[DueItem]:
    """Everything whose retention period has ended at ``now``, oldest first.

    A period ends exactly ``N`` days (or hours) after closing: at that instant it is due.
    Open conversations are never due. A due transcript stands for the whole conversation, so
    its vault is not listed separately. A queue without its own rule uses ``default``.
    """
    now_utc = _require_aware(now, "now")
    due: list[DueItem] = []
    for candidate in candidates:
        if candidate.closed_at is None:
            continue
        closed_at = _require_aware(candidate.closed_at, "closed_at")
        rule = rules.get(candidate.queue, default)
        transcript_due = closed_at + rule.transcript_period
        vault_due = closed_at + rule.pii_vault_period
        if candidate.transcript_present and now_utc >= transcript_due:
            due.append(
                DueItem(candidate.conversation_id, RetentionTarget.TRANSCRIPT, transcript_due)
            )
        elif candidate.pii_vault_present and now_utc >= vault_due:
            due.append(DueItem(candidate.conversation_id, RetentionTarget.PII_VAULT, vault_due))
    due.sort(key=lambda item: (item.due_since, item.conversation_id, item.what.value))
    return due


@dataclass(frozen=True)
class RetentionSummary:
    """Counts for the retention job's audit record: how many, never which or what."""

    transcripts: int
    pii_vaults: int


def summarise(items: Iterable[DueItem]) -> RetentionSummary:
    listed = list(items)
    return RetentionSummary(
        transcripts=sum(1 for item in listed if item.what is RetentionTarget.TRANSCRIPT),
        pii_vaults=sum(1 for item in listed if item.what is RetentionTarget.PII_VAULT),
    )
