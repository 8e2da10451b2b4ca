"""Anonymous statistics: small cells suppressed, and a self-contained HTML report."""

from __future__ import annotations

from datetime import timedelta

from bot.actions import conversations as actions
from bot.groups.tables import GroupAttendance
from bot.officer.stats import SUPPRESSED, gather_statistics, render_html, suppress
from tests.bot.officer.scenario import build, conversation_of, start
from tests.support.chat import Harness


def test_cells_under_five_are_suppressed_and_a_lone_one_cannot_be_recovered() -> None:
    assert suppress({"a": 10, "b": 7, "c": 0}) == {"a": 10, "b": 7, "c": 0}
    assert suppress({"a": 10, "b": 7, "c": 2}) == {"a": 10, "b": SUPPRESSED, "c": SUPPRESSED}
    assert suppress({"a": 3, "b": 4, "c": 9}) == {"a": SUPPRESSED, "b": SUPPRESSED, "c": 9}


async def test_statistics_of_real_conversations_hide_small_numbers(harness: Harness) -> None:
    await build(harness)
    stats = await gather_statistics(harness.core)
    assert stats.conversations == SUPPRESSED
    assert stats.by_channel == {"test": SUPPRESSED}
    assert stats.feedback_rating["5"] == SUPPRESSED
    assert stats.wait_median_minutes is None


async def test_larger_numbers_are_shown_and_the_html_report_is_self_contained(
    harness: Harness,
) -> None:
    residents = [harness.resident(name) for name in ("a", "b", "c", "d", "e")]
    for resident in residents:
        await start(resident)
    # Counted when they close, from the counters the reports read: not while still open.
    assert (await gather_statistics(harness.core)).conversations == 0
    anna = await harness.staff("anna", max_concurrent=5)
    for resident in residents:
        conversation = await conversation_of(harness, resident)
        await actions.claim(harness.core, anna, conversation)
        await actions.close(harness.core, anna, conversation)
    stats = await gather_statistics(harness.core)
    assert stats.conversations == 5
    assert stats.outcomes == {"advice_given": 5}
    assert stats.wait_median_minutes is not None
    assert stats.by_channel == {"test": 5}
    assert stats.by_topic == {"housing": 5}
    assert sum(v for v in stats.by_week.values() if isinstance(v, int)) == 5
    later = await gather_statistics(harness.core, since=harness.core.now() + timedelta(days=1))
    assert later.conversations == 0
    page = render_html(stats, title="Test report", made_at=harness.core.now())
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 4
    assert "<script" not in page
    for external in ("src=", "href=", "@import", "url("):
        assert external not in page


async def test_group_attendance_is_counted_by_topic_language_and_week_with_small_cells_hidden(
    harness: Harness,
) -> None:
    async with harness.core.database.session() as session:
        for number, (topic, language, joined, stayed) in enumerate(
            [
                ("other", "fi", 8, 6),
                ("other", "fi", 4, 3),
                ("housing", "en", 7, 5),
                ("money", "sv", 2, 1),
            ]
        ):
            session.add(
                GroupAttendance(
                    session_id=f"s{number}",
                    topic_id=topic,
                    language=language,
                    day="2026-03-0" + str(number + 2),
                    joined=joined,
                    stayed=stayed,
                    feedback_useful=5 if number == 0 else 0,
                    feedback_not_useful=1,
                )
            )
        await session.commit()
    stats = await gather_statistics(harness.core)
    assert stats.group_sessions == SUPPRESSED  # four sessions
    by_topic = stats.group_attendance["topic"]
    assert by_topic["other: joined"] == 12
    assert by_topic["other: stayed at least the set minutes"] == 9
    # money's 2 would be hidden alone; the next smallest is hidden with it.
    assert by_topic["money: joined"] == SUPPRESSED
    assert by_topic["housing: joined"] == SUPPRESSED
    assert stats.group_attendance["language"]["fi: joined"] == 12
    assert stats.group_attendance["week"]["2026-W10: feedback: useful"] == 5
    assert stats.group_attendance["week"]["2026-W10: feedback: not useful"] == SUPPRESSED
    page = render_html(stats, title="Report", made_at=harness.core.now())
    assert "Group sessions by topic" in page
    later = await gather_statistics(harness.core, since=harness.core.now())
    assert later.group_sessions == 0 and later.group_attendance["topic"] == {}
