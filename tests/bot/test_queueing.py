"""Queue position and wait per route (issue 21): a resident's place and wait count only the
residents of their queue in their language, whom the same counsellors serve first."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.actions import conversations as actions
from bot.queueing import MIN_LANGUAGE_WAITS, route_positions
from bot.store import conversations as conversation_store
from bot.store.queue_waits import WINDOW, QueueWait
from bot.store.tables import Conversation
from privacy.crypto import Sealed
from tests.bot.test_language_routing import waiting_in, with_languages
from tests.support.chat import Harness, Resident


async def claimed_earlier(harness: Harness, language: str, waited: float, count: int) -> None:
    """`count` conversations of the general queue in `language`, claimed half an hour ago
    after waiting `waited` minutes: the recent waits an estimate reads."""
    claimed = harness.core.now() - timedelta(minutes=30)
    async with harness.core.database.session() as session:
        for n in range(count):
            session.add(
                Conversation(
                    pseudonym=f"earlier-{language}-{waited}-{n}",
                    channel="test",
                    state="closed",
                    language=language,
                    queue_id="general",
                    sealed_reply_address=Sealed(b"\x01" + b"\x00" * 40),
                    queued_at=claimed - timedelta(minutes=waited),
                    claimed_at=claimed,
                )
            )


def told(harness: Harness, language: str, key: str, **values: int) -> str:
    return str(harness.core.texts.text(language, key, **values))


async def test_a_resident_is_placed_among_those_of_their_language(harness: Harness) -> None:
    anna = await harness.staff("anna")
    olga = await harness.staff("olga")
    await with_languages(harness, anna, "fi")
    await with_languages(harness, olga, "ru")
    for name in ("aino", "eero", "ilona"):
        await waiting_in(harness, name, "fi")
    ivan, _ = await waiting_in(harness, "ivan", "ru")
    ville, _ = await waiting_in(harness, "ville", "fi")
    # No history yet: five minutes a place.
    assert ivan.last().text == told(harness, "ru", "queued", position=1, minutes=5)
    assert ville.last().text == told(harness, "fi", "queued", position=4, minutes=20)


async def test_the_wait_is_the_languages_own_when_it_has_enough_recent_waits(
    harness: Harness,
) -> None:
    await claimed_earlier(harness, "ru", waited=10, count=MIN_LANGUAGE_WAITS)
    await claimed_earlier(harness, "fi", waited=2, count=MIN_LANGUAGE_WAITS)
    ivan, _ = await waiting_in(harness, "ivan", "ru")
    aino, _ = await waiting_in(harness, "aino", "fi")
    # The whole queue's median would promise both six minutes.
    assert ivan.last().text == told(harness, "ru", "queued", position=1, minutes=10)
    assert aino.last().text == told(harness, "fi", "queued", position=1, minutes=2)


async def test_too_few_recent_waits_in_a_language_give_the_whole_queues_pace(
    harness: Harness,
) -> None:
    await claimed_earlier(harness, "ru", waited=10, count=MIN_LANGUAGE_WAITS - 1)
    await claimed_earlier(harness, "fi", waited=2, count=MIN_LANGUAGE_WAITS)
    ivan, _ = await waiting_in(harness, "ivan", "ru")
    # The queue's median of 10, 10, 2, 2, 2, not the two Russian waits of ten minutes.
    assert ivan.last().text == told(harness, "ru", "queued", position=1, minutes=2)


async def test_after_a_claim_each_route_is_told_its_own_places(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna = await harness.staff("anna")
    olga = await harness.staff("olga")
    await with_languages(harness, anna, "fi")
    await with_languages(harness, olga, "ru")
    finnish: list[tuple[Resident, str]] = []
    russian: list[tuple[Resident, str]] = []
    for n in range(4):  # arriving in turns: fi, ru, fi, ru, ...
        finnish.append(await waiting_in(harness, f"fi{n}", "fi"))
        russian.append(await waiting_in(harness, f"ru{n}", "ru"))
    assert [r.last().text for r, _ in russian] == [
        told(harness, "ru", "queued", position=n, minutes=5 * n) for n in range(1, 5)
    ]

    asked: list[str | None] = []
    ask = conversation_store.recent_waits_minutes

    async def counted(
        session: AsyncSession, queue_id: str, since: datetime, *, language: str | None = None
    ) -> list[float]:
        asked.append(language)
        return await ask(session, queue_id, since, language=language)

    monkeypatch.setattr(conversation_store, "recent_waits_minutes", counted)
    before = {r.sender_id: len(r.texts()) for r, _ in finnish + russian}
    await actions.claim(harness.core, olga, russian[0][1])
    await harness.deliver()
    # Asked once for the language and once for the queue it fell back to, not per resident.
    assert asked == ["ru", None]
    # The first waited almost no time, and one Russian wait is too few: the queue's pace of
    # one minute a place.
    assert [r.new_since(before[r.sender_id]) for r, _ in russian[1:]] == [
        [told(harness, "ru", "queue_next")],
        [told(harness, "ru", "queue_position", position=2, minutes=2)],
        [told(harness, "ru", "queue_position", position=3, minutes=3)],
    ]
    # The Finnish line did not move, though each of them moved up in the whole queue.
    assert [r.new_since(before[r.sender_id]) for r, _ in finnish] == [[], [], [], []]

    before = {r.sender_id: len(r.texts()) for r, _ in finnish + russian}
    await actions.claim(harness.core, anna, finnish[0][1])
    await harness.deliver()
    assert [r.new_since(before[r.sender_id]) for r, _ in finnish[1:]] == [
        [told(harness, "fi", "queue_next")],
        [told(harness, "fi", "queue_position", position=2, minutes=2)],
        [told(harness, "fi", "queue_position", position=3, minutes=3)],
    ]
    assert [r.new_since(before[r.sender_id]) for r, _ in russian[1:]] == [[], [], []]


async def test_one_pass_places_match_the_stored_query_with_and_without_a_language(
    harness: Harness,
) -> None:
    """The announcement's one pass and the query told on arrival count the same, and a
    resident who chose no language is placed in the whole queue."""
    start = harness.core.now() - timedelta(minutes=20)
    waiting = [
        ("fi", False),
        (None, False),
        ("ru", False),
        ("fi", True),  # urgent: ahead of everyone not urgent
        ("ru", False),
        (None, True),
        ("fi", False),
    ]
    async with harness.core.database.session() as session:
        for n, (language, urgent) in enumerate(waiting):
            session.add(
                Conversation(
                    id=f"w{n}",
                    pseudonym=f"waiting-{n}",
                    channel="test",
                    state="queued",
                    language=language,
                    urgent=urgent,
                    queue_id="general",
                    sealed_reply_address=Sealed(b"\x01" + b"\x00" * 40),
                    queued_at=start + timedelta(minutes=n),
                )
            )
    async with harness.core.database.session() as session:
        ordered = await conversation_store.waiting_in_queue(session, "general")
        stored = [await conversation_store.position_in_queue(session, c) for c in ordered]
    assert [c.id for c in ordered] == ["w3", "w5", "w0", "w1", "w2", "w4", "w6"]
    assert route_positions(ordered) == stored == [1, 2, 2, 4, 1, 2, 3]


async def aggregated(harness: Harness, language: str, waited: float, ago: timedelta) -> None:
    """Waits in the rolling aggregate alone, with no conversation behind them."""
    claimed = harness.core.now() - ago
    async with harness.core.database.session() as session:
        for _ in range(MIN_LANGUAGE_WAITS):
            session.add(
                QueueWait(
                    queue_id="general",
                    language=language,
                    claimed_at=claimed,
                    waited_seconds=waited * 60,
                )
            )


async def test_the_estimate_reads_the_rolling_aggregate_not_the_conversations(
    harness: Harness,
) -> None:
    await aggregated(harness, "fi", waited=8, ago=timedelta(minutes=30))
    aino, _ = await waiting_in(harness, "aino", "fi")
    assert aino.last().text == told(harness, "fi", "queued", position=1, minutes=8)


async def test_waits_older_than_the_window_are_not_read_even_before_pruning(
    harness: Harness,
) -> None:
    await aggregated(harness, "fi", waited=8, ago=WINDOW + timedelta(minutes=1))
    aino, _ = await waiting_in(harness, "aino", "fi")
    assert aino.last().text == told(harness, "fi", "queued", position=1, minutes=5)
