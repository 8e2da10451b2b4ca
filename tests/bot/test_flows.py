"""Whole conversations through the real dispatcher, store, outbox and staff actions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.actions import conversations as actions
from bot.conversation import State
from bot.errors import ActionError
from bot.jobs import hours_sweep, idle_sweep
from bot.store import conversations as conversation_store
from bot.store.tables import Conversation, FeedbackCount, Message, Queue
from bot.texts import LANGUAGES
from privacy.crypto import Sealed
from privacy.pseudonym import pseudonymise
from tests.support.chat import Harness, Resident

HELSINKI = ZoneInfo("Europe/Helsinki")


async def conversation_of(harness: Harness, resident: Resident) -> Conversation:
    pseudonym = pseudonymise(harness.core.keyring.pepper, "test", resident.sender_id)
    async with harness.core.database.session() as session:
        rows = await session.execute(
            select(Conversation)
            .where(Conversation.pseudonym == pseudonym)
            .order_by(Conversation.created_at.desc())  # type: ignore[attr-defined]
        )
        found = rows.scalars().first()
    assert found is not None
    return found


async def triage(resident: Resident, language: str = "fi", topic: str = "housing") -> None:
    await resident.write("hei")
    await resident.press(f"lang:{language}")
    await resident.press(f"topic:{topic}")


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_whole_conversation_in_every_language(harness: Harness, language: str) -> None:
    texts = harness.core.texts
    resident = harness.resident(f"r-{language}")
    await resident.write("hello")
    assert resident.choices() == [f"lang:{code}" for code in LANGUAGES]
    await resident.press(f"lang:{language}")
    assert texts.text(language, "privacy_notice", days=30) in resident.texts()
    assert resident.choices()[0] == "topic:housing"
    topic_labels = [choice.label for choice in resident.last().choices]
    assert topic_labels[0] == texts.text(language, "topic_housing")
    await resident.press("topic:money")
    assert resident.last().text == texts.text(language, "queued", position=1, minutes=5)

    counsellor = await harness.staff("tiina", display_name="Tiina")
    conversation = await conversation_of(harness, resident)
    assert conversation.state == State.QUEUED
    await actions.claim(harness.core, counsellor, conversation.id)
    await harness.deliver()
    assert resident.last().text == texts.text(language, "counsellor_joined", name="Tiina")

    await actions.reply(harness.core, counsellor, conversation.id, "Kerro lisää, autan mielelläni.")
    await harness.deliver()
    assert resident.last().text == "Kerro lisää, autan mielelläni."
    assert resident.last().display_name == "Tiina"

    await resident.write("Vuokra on myöhässä, soita 040 123 4567")
    transcript = await actions.read(harness.core, counsellor, conversation.id)
    resident_lines = [m.text for m in transcript.messages if m.author == "resident"]
    assert "Vuokra on myöhässä, soita [PHONE]" in resident_lines
    assert "040 123 4567" not in " ".join(m.text for m in transcript.messages)

    await actions.close(
        harness.core, counsellor, conversation.id, outcome="advice_given", tags=["housing"]
    )
    await harness.deliver()
    assert texts.text(language, "chat_ended") in resident.texts()
    assert resident.choices()[:5] == [f"rating:{n}" for n in range(1, 6)]
    await resident.press("rating:5")
    assert resident.choices()[:2] == ["helped:yes", "helped:no"]
    await resident.press("helped:yes")
    assert resident.last().text == texts.text(language, "feedback_thanks")

    async with harness.core.database.session() as session:
        counts = {
            (row.question, row.answer): row.count
            for row in (await session.execute(select(FeedbackCount))).scalars()
        }
    assert counts == {("rating", "5"): 1, ("helped", "yes"): 1}


async def test_a_transfer_to_another_counsellor_keeps_the_resident_informed(
    harness: Harness,
) -> None:
    resident = harness.resident("t")
    await triage(resident)
    first = await harness.staff("anna")
    second = await harness.staff("bertta", display_name="Bertta")
    conversation = await conversation_of(harness, resident)
    await actions.claim(harness.core, first, conversation.id)
    await actions.transfer(
        harness.core,
        first,
        conversation.id,
        to_user=second.user_id,
        note="asunto-asia, jatka tästä",
    )
    await harness.deliver()
    assert resident.last().text == harness.core.texts.text("fi", "transferred")
    with pytest.raises(ActionError) as refused:
        await actions.reply(harness.core, first, conversation.id, "still me")
    assert refused.value.code == "forbidden"
    await actions.reply(harness.core, second, conversation.id, "Hei, Bertta tässä.")
    await harness.deliver()
    assert resident.last().display_name == "Bertta"
    transcript = await actions.read(harness.core, second, conversation.id)
    assert [n.text for n in transcript.notes] == ["asunto-asia, jatka tästä"]


async def test_a_transfer_to_another_queue_puts_it_back_in_line(harness: Harness) -> None:
    async with harness.core.database.session() as session:
        session.add(Queue(id="money", name="Money", languages=["fi"], opening_hours={}))
    resident = harness.resident("q")
    await triage(resident)
    counsellor = await harness.staff("anna", queues=("general", "money"))
    conversation = await conversation_of(harness, resident)
    await actions.claim(harness.core, counsellor, conversation.id)
    moved = await actions.transfer(harness.core, counsellor, conversation.id, to_queue="money")
    assert (moved.state, moved.queue_id, moved.assigned_to) == ("queued", "money", None)


async def test_two_counsellors_claiming_at_once_exactly_one_wins(harness: Harness) -> None:
    resident = harness.resident("c")
    await triage(resident)
    conversation = await conversation_of(harness, resident)
    staff = [await harness.staff(f"s{n}") for n in range(5)]
    results = await asyncio.gather(
        *(actions.claim(harness.core, s, conversation.id) for s in staff), return_exceptions=True
    )
    winners = [r for r in results if isinstance(r, Conversation)]
    losers = [r for r in results if isinstance(r, ActionError)]
    assert len(winners) == 1
    assert len(losers) == 4 and {e.code for e in losers} == {"already_claimed"}
    await harness.deliver()
    joined = {
        harness.core.texts.text("fi", "counsellor_joined", name=s.display_name) for s in staff
    }
    assert len([t for t in resident.texts() if t in joined]) == 1


async def test_counsellors_claiming_different_conversations_of_one_queue_at_once_all_win(
    harness: Harness,
) -> None:
    """Each claim tells the others waiting their new place. Done inside the claim, two claims
    in one queue on PostgreSQL each held its own row while writing to the other's: deadlock."""
    residents = [harness.resident(f"w{n}") for n in range(10)]
    for resident in residents:
        await triage(resident)
    conversations = [await conversation_of(harness, resident) for resident in residents]
    staff = [await harness.staff(f"c{n}") for n in range(4)]
    for _ in range(2):  # two rounds: the second claims while the first round's places settle
        results = await asyncio.gather(
            *(actions.claim(harness.core, s, conversations.pop(0).id) for s in staff),
            return_exceptions=True,
        )
        assert all(isinstance(r, Conversation) for r in results), results
    await harness.deliver()
    async with harness.core.database.session() as session:
        states = (await session.execute(select(Conversation.state))).scalars().all()
    assert sorted(states) == ["active"] * 8 + ["queued"] * 2
    # The two still waiting were told where they now are, once the claims had committed.
    assert residents[-2].texts()[-1] == harness.core.texts.text("fi", "queue_next")
    assert (
        residents[-1]
        .texts()[-1]
        .startswith(harness.core.texts.text("fi", "queue_position", position=2, minutes=2)[:25])
    )


async def test_max_concurrent_chats_per_counsellor_is_enforced(harness: Harness) -> None:
    counsellor = await harness.staff("anna", max_concurrent=1)
    first, second = harness.resident("1"), harness.resident("2")
    await triage(first)
    await triage(second)
    await actions.claim(harness.core, counsellor, (await conversation_of(harness, first)).id)
    with pytest.raises(ActionError) as refused:
        await actions.claim(harness.core, counsellor, (await conversation_of(harness, second)).id)
    assert refused.value.code == "too_many_active"


async def test_a_transfer_to_a_colleague_at_their_limit_is_refused(harness: Harness) -> None:
    busy = await harness.staff("bea", max_concurrent=1)
    sender = await harness.staff("sam")
    first, second = harness.resident("t1"), harness.resident("t2")
    await triage(first)
    await triage(second)
    await actions.claim(harness.core, busy, (await conversation_of(harness, first)).id)
    handed = await actions.claim(harness.core, sender, (await conversation_of(harness, second)).id)
    with pytest.raises(ActionError) as refused:
        await actions.transfer(harness.core, sender, handed.id, to_user=busy.user_id)
    assert refused.value.code == "too_many_active" and refused.value.status == 409
    async with harness.core.database.session() as session:
        kept = await session.get(Conversation, handed.id)
    assert kept is not None and kept.assigned_to == sender.user_id
    # Once the colleague has room, the same transfer goes through.
    await actions.close(harness.core, busy, (await conversation_of(harness, first)).id)
    moved = await actions.transfer(harness.core, sender, handed.id, to_user=busy.user_id)
    assert moved.assigned_to == busy.user_id


async def test_claims_and_transfers_to_one_counsellor_at_once_respect_the_limit(
    harness: Harness,
) -> None:
    """Counted inside each transaction without a lock, simultaneous claims and transfers (two
    instances on PostgreSQL) all saw room and all won."""
    target = await harness.staff("tove", max_concurrent=2)
    senders = [await harness.staff(f"s{n}") for n in range(3)]
    residents = [harness.resident(f"r{n}") for n in range(6)]
    for resident in residents:
        await triage(resident)
    conversations = [await conversation_of(harness, resident) for resident in residents]
    handed = [
        await actions.claim(harness.core, sender, conversation.id)
        for sender, conversation in zip(senders, conversations[:3], strict=True)
    ]
    results = await asyncio.gather(
        *(actions.claim(harness.core, target, c.id) for c in conversations[3:]),
        *(
            actions.transfer(harness.core, sender, c.id, to_user=target.user_id)
            for sender, c in zip(senders, handed, strict=True)
        ),
        return_exceptions=True,
    )
    won = [r for r in results if isinstance(r, Conversation)]
    refused = [r for r in results if isinstance(r, ActionError)]
    assert len(won) == 2 and len(refused) == 4, results
    assert {r.code for r in refused} == {"too_many_active"}
    async with harness.core.database.session() as session:
        held = await conversation_store.active_count_for(session, target.user_id)
    assert held == 2


async def test_a_counsellor_outside_the_queue_cannot_claim(harness: Harness) -> None:
    resident = harness.resident("x")
    await triage(resident)
    outsider = await harness.staff("olli", queues=())
    with pytest.raises(ActionError) as refused:
        await actions.claim(harness.core, outsider, (await conversation_of(harness, resident)).id)
    assert refused.value.code == "not_found"


async def test_a_crisis_phrase_jumps_the_queue(harness: Harness) -> None:
    calm = [harness.resident(f"calm{n}") for n in range(3)]
    for resident in calm:
        await triage(resident)
    worried = harness.resident("worried")
    await triage(worried)
    assert worried.last().text == harness.core.texts.text("fi", "queued", position=4, minutes=20)
    await worried.write("en jaksa enää, haluan kuolla")
    assert harness.core.texts.text("fi", "crisis") in worried.texts()
    conversation = await conversation_of(harness, worried)
    assert conversation.urgent
    async with harness.core.database.session() as session:
        from bot.store.conversations import waiting_in_queue

        order = [c.id for c in await waiting_in_queue(session, "general")]
    assert order[0] == conversation.id


async def test_a_crisis_in_the_first_message_answers_at_once(harness: Harness) -> None:
    resident = harness.resident("first-crisis")
    await resident.write("I want to kill myself")
    assert resident.texts()[0] == harness.core.texts.text("fi", "crisis")
    assert (await conversation_of(harness, resident)).urgent


async def test_queue_position_updates_when_it_moves_meaningfully(harness: Harness) -> None:
    residents = [harness.resident(f"p{n}") for n in range(3)]
    for resident in residents:
        await triage(resident)
    counsellor = await harness.staff("anna")
    last = residents[2]
    before = len(last.texts())
    await actions.claim(harness.core, counsellor, (await conversation_of(harness, residents[0])).id)
    await harness.deliver()
    # The first resident waited almost no time: the pace is then one minute a place.
    assert last.new_since(before) == [
        harness.core.texts.text("fi", "queue_position", position=2, minutes=2)
    ]


async def test_outside_opening_hours_the_resident_can_leave_a_message(harness: Harness) -> None:
    async with harness.core.database.session() as session:
        queue = await session.get(Queue, "general")
        assert queue is not None
        queue.opening_hours = {
            "always_open": False,
            "weekly": {},
            "exceptions": {},
            "timezone": "Europe/Helsinki",
        }
        session.add(queue)
    harness.core.flow.invalidate()
    resident = harness.resident("night")
    await triage(resident)
    texts = resident.texts()
    assert harness.core.texts.text("fi", "emergency_numbers") in texts
    assert any(
        t.startswith(harness.core.texts.text("fi", "closed_now", when="§").split("§")[0])
        for t in texts
    )
    await resident.write("Jätän viestin: vuokra-asia")
    conversation = await conversation_of(harness, resident)
    assert conversation.state == State.WAITING_HOURS
    transcript = await actions.read(harness.core, await harness.staff("anna"), conversation.id)
    assert "Jätän viestin: vuokra-asia" in [m.text for m in transcript.messages]

    async with harness.core.database.session() as session:
        queue = await session.get(Queue, "general")
        assert queue is not None
        queue.opening_hours = {"always_open": True}
        session.add(queue)
    harness.core.flow.invalidate()
    assert await hours_sweep(harness.core) == 1
    assert (await conversation_of(harness, resident)).state == State.QUEUED


async def test_idle_reminder_then_closing_with_feedback(harness: Harness) -> None:
    resident = harness.resident("idle")
    await triage(resident)
    counsellor = await harness.staff("anna")
    conversation = await conversation_of(harness, resident)
    await actions.claim(harness.core, counsellor, conversation.id)
    await actions.reply(harness.core, counsellor, conversation.id, "Oletko vielä siellä?")
    real_now = harness.core.clock
    later = real_now() + timedelta(minutes=21)
    harness.core.clock = lambda: later
    assert await idle_sweep(harness.core) == 1
    await harness.deliver()
    assert resident.last().text == harness.core.texts.text("fi", "idle_reminder", minutes=10)
    much_later = later + timedelta(minutes=11)
    harness.core.clock = lambda: much_later
    assert await idle_sweep(harness.core) == 1
    await harness.deliver()
    assert harness.core.texts.text("fi", "idle_closed") in resident.texts(), resident.texts()[-4:]
    assert resident.choices()[0] == "rating:1", resident.texts()[-4:]
    assert (await conversation_of(harness, resident)).state == State.CLOSED


async def test_no_idle_reminder_while_it_is_the_counsellors_turn(harness: Harness) -> None:
    resident = harness.resident("waiting")
    await triage(resident)
    counsellor = await harness.staff("anna")
    conversation = await conversation_of(harness, resident)
    await actions.claim(harness.core, counsellor, conversation.id)
    await actions.reply(harness.core, counsellor, conversation.id, "Kerro lisää")
    await resident.write("Tässä lisää tietoa")
    later = harness.core.now() + timedelta(hours=2)
    harness.core.clock = lambda: later
    assert await idle_sweep(harness.core) == 0


async def test_a_message_after_a_finished_chat_opens_a_new_conversation(harness: Harness) -> None:
    resident = harness.resident("again")
    await triage(resident)
    await resident.write("lopeta")
    first = await conversation_of(harness, resident)
    assert first.state == State.CLOSED
    await resident.write("hei taas")
    second = await conversation_of(harness, resident)
    assert second.id != first.id
    assert second.state == State.TRIAGE_LANGUAGE


async def test_numbered_replies_work_on_a_platform_without_buttons(harness: Harness) -> None:
    harness.adapter.buttons = False
    resident = harness.resident("numbers")
    await resident.write("hi")
    await resident.write("3")  # English is the third language
    await resident.write("1")  # housing
    conversation = await conversation_of(harness, resident)
    assert (conversation.language, conversation.topic_id, conversation.state) == (
        "en",
        "housing",
        "queued",
    )


@pytest.mark.parametrize("language", LANGUAGES)
async def test_transfer_idle_close_and_feedback_in_every_language(
    harness: Harness, language: str
) -> None:
    texts = harness.core.texts
    resident = harness.resident(f"idle-{language}")
    await resident.write("hei")
    await resident.press(f"lang:{language}")
    await resident.press("topic:health")
    first = await harness.staff("anna")
    second = await harness.staff("bertta", display_name="Bertta")
    conversation = await conversation_of(harness, resident)
    await actions.claim(harness.core, first, conversation.id)
    await actions.transfer(harness.core, first, conversation.id, to_user=second.user_id)
    await harness.deliver()
    assert resident.last().text == texts.text(language, "transferred")
    await actions.reply(harness.core, second, conversation.id, "?")
    later = harness.core.now() + timedelta(minutes=25)
    harness.core.clock = lambda: later
    await idle_sweep(harness.core)
    await harness.deliver()
    assert resident.last().text == texts.text(language, "idle_reminder", minutes=10)
    closing = later + timedelta(minutes=15)
    harness.core.clock = lambda: closing
    await idle_sweep(harness.core)
    await harness.deliver()
    assert texts.text(language, "idle_closed") in resident.texts()
    assert resident.last().text == texts.text(language, "feedback_rating")
    await resident.press("rating:3")
    await resident.press("helped:no")
    assert resident.last().text == texts.text(language, "feedback_thanks")


@pytest.mark.parametrize("language", LANGUAGES)
async def test_outside_hours_in_every_language(harness: Harness, language: str) -> None:
    async with harness.core.database.session() as session:
        queue = await session.get(Queue, "general")
        assert queue is not None
        queue.opening_hours = {
            "always_open": False,
            "timezone": "Europe/Helsinki",
            "weekly": {"mon": [["09:00", "16:00"]]},
            "exceptions": {},
        }
        session.add(queue)
    harness.core.flow.invalidate()
    # Ahead of the real clock: the core's time never goes back (Core.now), and the set-up
    # above was written at the real time.
    today = datetime.now(UTC).date()
    next_tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    tuesday_night = datetime.combine(next_tuesday, time(22, 0), tzinfo=UTC)
    harness.core.clock = lambda: tuesday_night
    resident = harness.resident(f"night-{language}")
    await resident.write("hei")
    await resident.press(f"lang:{language}")
    await resident.press("topic:housing")
    texts = harness.core.texts
    next_monday = next_tuesday + timedelta(days=6)
    monday = datetime.combine(next_monday, time(9, 0), tzinfo=HELSINKI).astimezone(UTC)
    when = texts.format_when(language, monday, zone=harness.core.settings.zone)
    assert texts.text(language, "closed_now", when=when) in resident.texts()
    assert resident.last().text == texts.text(language, "emergency_numbers")
    await resident.write("viesti")
    assert resident.last().text == texts.text(language, "message_saved_closed", when=when)
    harness.core.clock = lambda: monday
    assert await hours_sweep(harness.core) == 1
    assert (await conversation_of(harness, resident)).state == State.QUEUED


@pytest.mark.parametrize("language", ["fi", "ar"])
async def test_the_residents_choices_appear_in_the_counsellors_transcript_in_order(
    harness: Harness, language: str
) -> None:
    texts = harness.core.texts
    resident = harness.resident(f"chooser-{language}")
    await resident.write("hei")
    await resident.press(f"lang:{language}")
    await resident.press("topic:housing")
    counsellor = await harness.staff("tiina", display_name="Tiina")
    conversation = await conversation_of(harness, resident)
    await actions.claim(harness.core, counsellor, conversation.id)
    await resident.write("Vuokra on myöhässä")
    await actions.close(harness.core, counsellor, conversation.id, outcome="advice_given")
    await harness.deliver()
    await resident.press("rating:4")
    await resident.press("helped:yes")

    transcript = await actions.read(harness.core, counsellor, conversation.id)
    chosen = [m.text for m in transcript.messages if m.kind == "choice"]
    labels = [
        texts.language_name(language),
        texts.text(language, "topic_housing"),
        "4",
        texts.text(language, "yes"),
    ]
    assert chosen == [texts.text(language, "resident_choice", choice=label) for label in labels]
    assert all(m.author == "resident" for m in transcript.messages if m.kind == "choice")
    lines = [m.text for m in transcript.messages]
    # Each choice sits after the question it answers and before the bot's answer to it.
    assert lines.index(chosen[1]) < lines.index("Vuokra on myöhässä") < lines.index(chosen[2])
    assert lines.index(texts.text(language, "feedback_rating")) < lines.index(chosen[2])
    assert lines.index(chosen[2]) < lines.index(texts.text(language, "feedback_helped"))
    assert lines.index(chosen[3]) < lines.index(texts.text(language, "feedback_thanks"))

    # Stored like every message: sealed with the conversation's key, never in plain text.
    async with harness.core.database.session() as session:
        rows = (
            await session.execute(
                select(Message).where(
                    Message.conversation_id == conversation.id, Message.kind == "choice"
                )
            )
        ).scalars()
        stored = list(rows)
    assert len(stored) == 4
    for row in stored:
        assert isinstance(row.sealed_body, Sealed)
        assert labels[1].encode() not in row.sealed_body.blob
