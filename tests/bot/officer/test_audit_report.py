"""The audit report: filters, and the unusual access it flags."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.hours import OpeningHours
from bot.officer.audit_report import ReportFilter, UnusualRules, audit_report, working_hours
from bot.officer.common import OfficerError
from tests.bot.officer.scenario import build
from tests.support.chat import Harness

ALWAYS = UnusualRules(hours=OpeningHours.always())
HELSINKI = ZoneInfo("Europe/Helsinki")


async def test_a_reveal_in_an_unclaimed_conversation_is_flagged_and_a_claimed_one_is_not(
    harness: Harness,
) -> None:
    scenario = await build(harness)
    report = await audit_report(harness.core, ReportFilter(actions=frozenset({"reveal"})), ALWAYS)
    [reveal] = report.rows
    assert reveal.conversation == scenario.bertta_conversation
    assert reveal.actor == "anna"
    assert reveal.purpose == "tarkistan numeron oikeellisuuden"
    assert reveal.flags == ("reveal_without_claim",)
    claimed_reads = await audit_report(
        harness.core, ReportFilter(conversation=scenario.aino_conversation), ALWAYS
    )
    assert all(not row.flags for row in claimed_reads.rows)


async def test_content_access_outside_working_hours_is_flagged(harness: Harness) -> None:
    await build(harness)
    never = UnusualRules(hours=OpeningHours(weekly={}, exceptions={}, always_open=False))
    report = await audit_report(harness.core, ReportFilter(flagged_only=True), never)
    flagged = {(row.action, flag) for row in report.rows for flag in row.flags}
    assert ("read", "outside_hours") in flagged
    assert ("reveal", "outside_hours") in flagged
    assert not any(row.action == "claim" for row in report.rows)  # not a content access


async def test_many_conversations_read_in_a_short_time_are_flagged(harness: Harness) -> None:
    await build(harness)
    burst = UnusualRules(hours=OpeningHours.always(), burst_count=2)
    report = await audit_report(harness.core, ReportFilter(flagged_only=True), burst)
    assert [row.action for row in report.rows if "many_conversations" in row.flags] == ["read"]
    narrow = UnusualRules(
        hours=OpeningHours.always(), burst_count=2, burst_window=timedelta(microseconds=1)
    )
    report = await audit_report(harness.core, ReportFilter(flagged_only=True), narrow)
    assert not any("many_conversations" in row.flags for row in report.rows)


async def test_filters_by_person_action_and_period(harness: Harness) -> None:
    scenario = await build(harness)
    core = harness.core
    by_name = await audit_report(core, ReportFilter(person="anna"), ALWAYS)
    by_id = await audit_report(core, ReportFilter(person=scenario.counsellor_id), ALWAYS)
    assert by_name.rows == by_id.rows
    assert {row.actor for row in by_name.rows} == {"anna"}
    assert {row.action for row in by_name.rows} >= {"claim", "read", "reply", "close", "reveal"}
    reads = await audit_report(core, ReportFilter(actions=frozenset({"read"})), ALWAYS)
    assert [row.action for row in reads.rows] == ["read", "read"]
    future = core.now() + timedelta(days=1)
    assert not (await audit_report(core, ReportFilter(since=future), ALWAYS)).rows
    assert len((await audit_report(core, ReportFilter(until=future), ALWAYS)).rows) == (
        by_name.total_records
    )
    with pytest.raises(OfficerError):
        await audit_report(core, ReportFilter(actions=frozenset({"peek"})), ALWAYS)


def test_working_hours_are_read_from_a_short_form() -> None:
    hours = working_hours("mon-fri 08:00-16:00", HELSINKI)
    assert hours.weekly["mon"] and not hours.weekly["sat"]
    assert hours.closed_on_public_holidays
    for bad in ("weekdays 8-16", "fri-mon 08:00-16:00", "mon 16:00-08:00"):
        with pytest.raises(OfficerError):
            working_hours(bad, HELSINKI)
