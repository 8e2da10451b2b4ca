"""Tests of retention rules and of deciding what is due for deletion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from privacy.retention import (
    DueItem,
    RetentionCandidate,
    RetentionRule,
    RetentionTarget,
    due_for_deletion,
    summarise,
)

CLOSED = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DEFAULT = RetentionRule()
MICROSECOND = timedelta(microseconds=1)


def closed(
    conversation_id: str = "c1",
    *,
    queue: str = "general",
    at: datetime | None = CLOSED,
    transcript: bool = True,
    vault: bool = True,
) -> RetentionCandidate:
    return RetentionCandidate(
        conversation_id=conversation_id,
        queue=queue,
        closed_at=at,
        transcript_present=transcript,
        pii_vault_present=vault,
    )


def due(candidate: RetentionCandidate, now: datetime, **rules: RetentionRule) -> list[DueItem]:
    return due_for_deletion([candidate], rules, DEFAULT, now)


def test_defaults_are_30_days_and_24_hours() -> None:
    assert (DEFAULT.transcript_days, DEFAULT.pii_vault_hours, DEFAULT.group_transcript_hours) == (
        30,
        24,
        0,
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"transcript_days": -1},
        {"pii_vault_hours": -1},
        {"group_transcript_hours": -1},
        {"transcript_days": 1, "pii_vault_hours": 25},
        {"transcript_days": 0, "pii_vault_hours": 1},
    ],
)
def test_invalid_rules_are_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        RetentionRule(**kwargs)


def test_vault_as_long_as_the_transcript_is_allowed() -> None:
    assert RetentionRule(transcript_days=1, pii_vault_hours=24).pii_vault_hours == 24


def test_open_conversation_is_never_due() -> None:
    far_future = CLOSED + timedelta(days=10_000)
    assert due(closed(at=None), far_future) == []
    assert due(closed(at=None), far_future, general=RetentionRule(0, 0)) == []


def test_nothing_is_due_just_before_the_vault_period_ends() -> None:
    assert due(closed(), CLOSED + timedelta(hours=24) - MICROSECOND) == []


def test_vault_is_due_exactly_24_hours_after_closing() -> None:
    assert due(closed(), CLOSED + timedelta(hours=24)) == [
        DueItem("c1", RetentionTarget.PII_VAULT, CLOSED + timedelta(hours=24))
    ]


def test_only_the_vault_is_due_just_before_30_days() -> None:
    items = due(closed(), CLOSED + timedelta(days=30) - MICROSECOND)
    assert [item.what for item in items] == [RetentionTarget.PII_VAULT]


def test_transcript_is_due_exactly_30_days_after_closing_without_listing_its_vault() -> None:
    assert due(closed(), CLOSED + timedelta(days=30)) == [
        DueItem("c1", RetentionTarget.TRANSCRIPT, CLOSED + timedelta(days=30))
    ]


def test_vault_already_deleted_leaves_only_the_transcript_to_come() -> None:
    assert due(closed(vault=False), CLOSED + timedelta(days=29)) == []
    items = due(closed(vault=False), CLOSED + timedelta(days=30))
    assert [item.what for item in items] == [RetentionTarget.TRANSCRIPT]


def test_leftover_vault_without_transcript_is_still_due() -> None:
    items = due(closed(transcript=False), CLOSED + timedelta(days=60))
    assert items == [DueItem("c1", RetentionTarget.PII_VAULT, CLOSED + timedelta(hours=24))]


def test_already_shredded_conversation_is_not_due_again() -> None:
    assert due(closed(transcript=False, vault=False), CLOSED + timedelta(days=60)) == []


def test_queue_rule_overrides_the_default() -> None:
    rule = RetentionRule(transcript_days=7, pii_vault_hours=1)
    candidate = closed(queue="youth")
    assert [i.what for i in due(candidate, CLOSED + timedelta(hours=1), youth=rule)] == [
        RetentionTarget.PII_VAULT
    ]
    assert [i.what for i in due(candidate, CLOSED + timedelta(days=7), youth=rule)] == [
        RetentionTarget.TRANSCRIPT
    ]
    # A rule for another queue does not apply.
    assert due(closed(queue="adults"), CLOSED + timedelta(days=7), youth=rule) == [
        DueItem("c1", RetentionTarget.PII_VAULT, CLOSED + timedelta(hours=24))
    ]


def test_zero_periods_make_everything_due_at_closing() -> None:
    items = due(closed(), CLOSED, general=RetentionRule(0, 0))
    assert items == [DueItem("c1", RetentionTarget.TRANSCRIPT, CLOSED)]


def test_days_are_24_hour_periods_across_daylight_saving() -> None:
    helsinki = ZoneInfo("Europe/Helsinki")
    # Closed the day before clocks go forward (30 March 2025). Wall-clock arithmetic in
    # Helsinki time would end the period an hour early; retention counts real hours.
    closed_at = datetime(2025, 3, 29, 12, 0, tzinfo=helsinki)
    exactly_30_days = closed_at.astimezone(UTC) + timedelta(hours=30 * 24)
    wall_clock_30_days = closed_at + timedelta(days=30)
    assert wall_clock_30_days < exactly_30_days
    candidate = closed(at=closed_at, vault=False)
    assert due(candidate, wall_clock_30_days) == []
    assert due(candidate, exactly_30_days) == [
        DueItem("c1", RetentionTarget.TRANSCRIPT, exactly_30_days)
    ]


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2025, 3, 1, 12, 0)  # naive on purpose
    with pytest.raises(ValueError):
        due(closed(), naive)
    with pytest.raises(ValueError):
        due(closed(at=naive), CLOSED)


def test_results_are_ordered_oldest_first_and_counted() -> None:
    candidates = [
        closed("b", at=CLOSED),
        closed("a", at=CLOSED - timedelta(days=40)),
        closed("c", at=None),
        closed("d", at=CLOSED - timedelta(hours=5)),
    ]
    items = due_for_deletion(candidates, {}, DEFAULT, CLOSED + timedelta(days=2))
    assert [(i.conversation_id, i.what) for i in items] == [
        ("a", RetentionTarget.TRANSCRIPT),
        ("d", RetentionTarget.PII_VAULT),
        ("b", RetentionTarget.PII_VAULT),
    ]
    summary = summarise(items)
    assert (summary.transcripts, summary.pii_vaults) == (1, 2)
