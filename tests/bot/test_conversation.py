"""The conversation state machine, driven without a database or an event loop."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.commands import Command
from bot.conversation import (
    Closed,
    CloseReason,
    Enqueue,
    EraseResident,
    Facts,
    Feedback,
    FlowConfig,
    HoursOpened,
    IdleReminder,
    IdleTimeout,
    Option,
    RaiseUrgent,
    RecordChoice,
    RecordFeedback,
    RecordReturningConsent,
    ResidentChoice,
    ResidentMedia,
    ResidentText,
    Say,
    StaffBlocked,
    StaffClaimed,
    StaffClosed,
    StaffReleased,
    StaffTransferred,
    State,
    Step,
    StoreMediaNote,
    StoreResidentText,
    Superseded,
    TellNextOpening,
    TellReferenceCode,
    TopicOption,
    starts_new_conversation,
    step,
)
from bot.conversation_effects import StoreAttachment
from bot.hours import OpeningHours
from bot.texts import LANGUAGES
from privacy.attachments import AttachmentKind, Sanitised

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, 12:00 in Helsinki
TOPICS = (
    TopicOption("housing", "general", {"en": "Housing", "fi": "Asuminen"}),
    TopicOption("money", "money", {"en": "Money"}),
)
CLOSED_ALWAYS = OpeningHours.from_json(
    {"always_open": False, "weekly": {}, "exceptions": {}, "timezone": "Europe/Helsinki"}
)
CONFIG = FlowConfig(topics=TOPICS, hours={"general": OpeningHours.always(), "money": CLOSED_ALWAYS})


def says(effects: tuple[object, ...]) -> list[str]:
    return [e.key for e in effects if isinstance(e, Say)]


def text(value: str, **kwargs: object) -> ResidentText:
    return ResidentText(value, **kwargs)  # type: ignore[arg-type]


def test_first_message_asks_for_the_language_in_every_language_and_keeps_the_text() -> None:
    result = step(Facts(), text("hei, tarvitsen apua"), NOW, CONFIG)
    assert result.facts.state is State.TRIAGE_LANGUAGE
    assert StoreResidentText("hei, tarvitsen apua") in result.effects
    ask = next(e for e in result.effects if isinstance(e, Say))
    assert ask.key == "choose_language" and ask.every_language
    assert [o.value for o in ask.options] == [f"lang:{code}" for code in LANGUAGES]
    assert result.facts.options == tuple(f"lang:{code}" for code in LANGUAGES)


def test_a_supported_language_hint_skips_the_language_question() -> None:
    result = step(Facts(), text("hello", language_hint="en"), NOW, CONFIG)
    assert result.facts.state is State.TRIAGE_TOPIC
    assert result.facts.language == "en"
    assert says(result.effects) == ["privacy_notice", "choose_topic"]


def test_choosing_a_language_shows_the_privacy_notice_then_the_topics() -> None:
    asked = step(Facts(), text("hi"), NOW, CONFIG).facts
    result = step(asked, ResidentChoice("lang:sv"), NOW, CONFIG)
    assert result.facts.language == "sv"
    assert result.facts.state is State.TRIAGE_TOPIC
    assert says(result.effects) == ["privacy_notice", "choose_topic"]
    notice = next(e for e in result.effects if isinstance(e, Say))
    assert notice.params == {"days": 30}
    topic_ask = [e for e in result.effects if isinstance(e, Say)][1]
    assert [o.value for o in topic_ask.options] == ["topic:housing", "topic:money"]


def test_a_typed_number_works_where_buttons_were_offered() -> None:
    asked = step(Facts(), text("hi"), NOW, CONFIG).facts
    result = step(asked, text("3"), NOW, CONFIG)
    assert result.facts.language == LANGUAGES[2]
    assert not any(isinstance(e, StoreResidentText) for e in result.effects)
    queued = step(result.facts, text("1."), NOW, CONFIG)
    assert queued.facts.topic_id == "housing"
    assert not any(isinstance(e, StoreResidentText) for e in queued.effects)


def test_an_unclear_answer_repeats_the_question_and_keeps_what_was_written() -> None:
    asked = step(Facts(), text("hi"), NOW, CONFIG).facts
    result = step(asked, text("I have a problem with rent"), NOW, CONFIG)
    assert result.facts.state is State.TRIAGE_LANGUAGE
    assert StoreResidentText("I have a problem with rent") in result.effects
    assert says(result.effects) == ["not_understood_choice", "choose_language"]


def test_choosing_a_topic_in_an_open_queue_enqueues_it() -> None:
    facts = Facts(state=State.TRIAGE_TOPIC, language="fi", options=("topic:housing",))
    result = step(facts, ResidentChoice("topic:housing"), NOW, CONFIG)
    assert result.facts.state is State.QUEUED
    assert result.facts.queue_id == "general"
    assert Enqueue("general", open_now=True) in result.effects


def test_outside_opening_hours_the_resident_hears_when_it_opens_and_the_emergency_numbers() -> None:
    facts = Facts(state=State.TRIAGE_TOPIC, language="fi")
    result = step(facts, ResidentChoice("topic:money"), NOW, CONFIG)
    assert result.facts.state is State.WAITING_HOURS
    assert Enqueue("money", open_now=False) in result.effects
    assert TellNextOpening("closed_now") in result.effects
    assert says(result.effects) == ["emergency_numbers"]


def test_a_message_left_outside_hours_is_stored_and_acknowledged_once() -> None:
    facts = Facts(state=State.WAITING_HOURS, language="fi", queue_id="money")
    first = step(facts, text("rent problem"), NOW, CONFIG)
    assert first.effects == (
        StoreResidentText("rent problem"),
        TellNextOpening("message_saved_closed"),
    )
    second = step(first.facts, text("more detail"), NOW, CONFIG)
    assert second.effects == (StoreResidentText("more detail"),)


def test_opening_hours_move_a_waiting_conversation_into_the_queue() -> None:
    facts = Facts(
        state=State.WAITING_HOURS, language="fi", queue_id="money", told_saved_while_closed=True
    )
    result = step(facts, HoursOpened(), NOW, CONFIG)
    assert result.facts.state is State.QUEUED
    assert not result.facts.told_saved_while_closed


@pytest.mark.parametrize(
    "state", [State.TRIAGE_LANGUAGE, State.TRIAGE_TOPIC, State.QUEUED, State.ACTIVE]
)
def test_a_crisis_phrase_raises_urgency_and_answers_with_help_at_once(state: State) -> None:
    facts = Facts(state=state, language="fi", queue_id="general")
    result = step(facts, text("...", crisis=True), NOW, CONFIG)
    assert RaiseUrgent() in result.effects
    assert "crisis" in says(result.effects)
    assert result.facts.urgent


def test_a_crisis_at_first_contact_is_answered_before_any_menu() -> None:
    result = step(Facts(), text("...", crisis=True), NOW, CONFIG)
    keys = says(result.effects)
    assert keys[0] == "crisis"
    assert result.facts.urgent


def test_a_crisis_during_topic_choice_goes_straight_to_a_queue() -> None:
    facts = Facts(state=State.TRIAGE_TOPIC, language="en")
    result = step(facts, text("...", crisis=True), NOW, CONFIG)
    assert result.facts.state is State.QUEUED
    assert any(isinstance(e, Enqueue) for e in result.effects)


def test_the_crisis_answer_is_not_repeated_once_urgent() -> None:
    facts = Facts(state=State.QUEUED, language="en", urgent=True)
    result = step(facts, text("...", crisis=True), NOW, CONFIG)
    assert "crisis" not in says(result.effects)


def test_media_is_refused_kindly_and_noted_for_the_counsellor() -> None:
    active = Facts(state=State.ACTIVE, language="en")
    result = step(active, ResidentMedia("photo"), NOW, CONFIG)
    assert result.effects == (StoreMediaNote("photo"), Say("media_unsupported"))
    assert step(Facts(), ResidentMedia("voice"), NOW, CONFIG).effects == (Say("media_unsupported"),)


def test_a_file_the_channel_took_is_stored_only_after_the_notice_and_only_when_made_safe() -> None:
    rebuilt = Sanitised(AttachmentKind.PHOTO, "image/jpeg", b"\xff\xd8rebuilt")
    queued = Facts(state=State.QUEUED, language="fi")
    stored = step(queued, ResidentMedia("photo", file=rebuilt), NOW, CONFIG)
    assert stored.effects == (StoreAttachment(rebuilt),)
    assert stored.effects[0].file.data == b"\xff\xd8rebuilt"  # type: ignore[union-attr]
    # Before the privacy notice nothing is stored, whatever the channel made of the file.
    for state in (State.NEW, State.TRIAGE_LANGUAGE, State.TRIAGE_TOPIC, State.CLOSED):
        early = step(Facts(state=state), ResidentMedia("photo", file=rebuilt), NOW, CONFIG)
        assert early.effects == (Say("attachment_not_yet"),)
    # A refused file is noted (not kept): the counsellor sees one came, and the note carries
    # the platform's id of the message for "delete my data".
    refused = step(queued, ResidentMedia("other", refused="too_many_pages"), NOW, CONFIG)
    assert refused.effects == (StoreMediaNote("other"), Say("attachment_too_long"))
    unknown = step(queued, ResidentMedia("other", refused="a_new_code"), NOW, CONFIG)
    assert unknown.effects == (StoreMediaNote("other"), Say("attachment_unsupported"))


@pytest.mark.parametrize("state", list(State))
def test_help_works_in_every_state(state: State) -> None:
    result = step(
        Facts(state=state, language="fi"), text("apua", command=Command.HELP), NOW, CONFIG
    )
    assert Say("help") in result.effects
    # "Help!" alone in an open chat may be a cry for help: the counsellor sees it too.
    stored = StoreResidentText("apua") in result.effects
    assert stored == (state in (State.QUEUED, State.WAITING_HOURS, State.ACTIVE))
    assert result.facts.state is state


def test_delete_my_data_erases_and_confirms() -> None:
    facts = Facts(state=State.ACTIVE, language="uk", claimed_ever=True)
    result = step(facts, text("видалити", command=Command.DELETE), NOW, CONFIG)
    assert result.effects == (EraseResident(), Say("deleted"))
    assert result.facts.state is State.CLOSED
    assert result.facts.feedback is Feedback.DONE


def test_my_code_tells_the_reference_code() -> None:
    result = step(Facts(state=State.QUEUED), text("koodini", command=Command.CODE), NOW, CONFIG)
    assert result.effects == (TellReferenceCode(),)


def test_the_language_command_offers_languages_and_a_choice_changes_it() -> None:
    facts = Facts(state=State.ACTIVE, language="fi")
    asked = step(facts, text("kieli", command=Command.LANGUAGE), NOW, CONFIG)
    assert says(asked.effects) == ["choose_language"]
    changed = step(asked.facts, ResidentChoice("lang:ar"), NOW, CONFIG)
    assert changed.facts.language == "ar"
    assert changed.facts.state is State.ACTIVE
    assert says(changed.effects) == ["language_changed"]


def test_a_stale_language_menu_does_not_swallow_a_number_sent_to_the_counsellor() -> None:
    facts = Facts(state=State.ACTIVE, language="fi")
    asked = step(facts, text("kieli", command=Command.LANGUAGE), NOW, CONFIG)
    wrote = step(asked.facts, text("my rent is late"), NOW, CONFIG)
    answer = step(wrote.facts, text("2"), NOW, CONFIG)
    assert answer.facts.language == "fi"
    assert StoreResidentText("2") in answer.effects


def test_an_unknown_command_gets_a_hint() -> None:
    result = step(Facts(state=State.ACTIVE), text("/foo", command=Command.UNKNOWN), NOW, CONFIG)
    assert result.effects == (Say("unknown_command"),)


def test_a_counsellor_joining_is_announced_by_display_name() -> None:
    result = step(Facts(state=State.QUEUED, language="fi"), StaffClaimed("Tiina"), NOW, CONFIG)
    assert result.facts.state is State.ACTIVE and result.facts.claimed_ever
    assert result.effects == (Say("counsellor_joined", {"name": "Tiina"}),)


def test_release_and_transfer_tell_the_resident() -> None:
    active = Facts(state=State.ACTIVE, language="fi", queue_id="general", claimed_ever=True)
    released = step(active, StaffReleased(), NOW, CONFIG)
    assert released.facts.state is State.QUEUED
    assert says(released.effects) == ["counsellor_left"]
    to_queue = step(active, StaffTransferred("money", to_counsellor=False), NOW, CONFIG)
    assert (to_queue.facts.state, to_queue.facts.queue_id) == (State.QUEUED, "money")
    to_person = step(active, StaffTransferred(None, to_counsellor=True), NOW, CONFIG)
    assert (to_person.facts.state, to_person.facts.queue_id) == (State.ACTIVE, "general")
    assert says(to_person.effects) == ["transferred"]


def test_closing_after_a_counsellor_joined_asks_two_feedback_questions() -> None:
    active = Facts(state=State.ACTIVE, language="en", claimed_ever=True)
    closed = step(active, StaffClosed(), NOW, CONFIG)
    assert closed.effects[0] == Closed(CloseReason.STAFF)
    assert says(closed.effects) == ["chat_ended", "feedback_rating"]
    assert closed.facts.feedback is Feedback.RATING
    rated = step(closed.facts, ResidentChoice("rating:4"), NOW, CONFIG)
    assert RecordFeedback("rating", "4") in rated.effects
    assert says(rated.effects) == ["feedback_helped"]
    helped = step(rated.facts, text("1"), NOW, CONFIG)  # typed number: "yes"
    assert RecordFeedback("helped", "yes") in helped.effects
    assert says(helped.effects) == ["feedback_thanks"]
    assert helped.facts.feedback is Feedback.DONE


def test_feedback_can_be_skipped_and_is_never_recorded_then() -> None:
    closed = Facts(
        state=State.CLOSED,
        feedback=Feedback.RATING,
        language="en",
        options=("rating:1", "rating:2", "rating:3", "rating:4", "rating:5", "rating:skip"),
    )
    skipped = step(closed, ResidentChoice("rating:skip"), NOW, CONFIG)
    assert not any(isinstance(e, RecordFeedback) for e in skipped.effects)
    assert skipped.facts.feedback is Feedback.HELPED


def test_an_invalid_rating_value_is_not_recorded() -> None:
    closed = Facts(state=State.CLOSED, feedback=Feedback.RATING, language="en")
    result = step(closed, ResidentChoice("rating:9"), NOW, CONFIG)
    assert not any(isinstance(e, RecordFeedback) for e in result.effects)
    assert result.facts.feedback is Feedback.RATING


def test_closing_a_chat_nobody_joined_asks_no_feedback() -> None:
    queued = Facts(state=State.QUEUED, language="en")
    result = step(queued, text("lopeta", command=Command.END), NOW, CONFIG)
    assert result.effects == (Closed(CloseReason.RESIDENT), Say("ended_by_resident"))
    assert result.facts.feedback is Feedback.DONE


def test_idle_reminder_then_timeout() -> None:
    active = Facts(state=State.ACTIVE, language="fi", claimed_ever=True)
    reminded = step(active, IdleReminder(10), NOW, CONFIG)
    assert reminded.effects == (Say("idle_reminder", {"minutes": 10}),)
    closed = step(active, IdleTimeout(), NOW, CONFIG)
    assert closed.effects[0] == Closed(CloseReason.IDLE)
    assert says(closed.effects) == ["idle_closed", "feedback_rating"]


def test_a_block_ends_the_chat_without_a_word_or_a_feedback_question() -> None:
    active = Facts(state=State.ACTIVE, language="fi", claimed_ever=True, options=("x",))
    blocked = step(active, StaffBlocked(), NOW, CONFIG)
    assert blocked.effects == (Closed(CloseReason.BLOCKED),)
    assert blocked.facts.state is State.CLOSED
    assert (blocked.facts.feedback, blocked.facts.options) == (Feedback.DONE, ())
    # A block of a conversation already over changes nothing.
    assert step(blocked.facts, StaffBlocked(), NOW, CONFIG) == Step(blocked.facts, ())


def test_a_new_contact_lets_the_old_chats_feedback_question_lapse() -> None:
    asking = Facts(state=State.CLOSED, feedback=Feedback.RATING, options=("rating:1",))
    lapsed = step(asking, Superseded(), NOW, CONFIG)
    assert lapsed.effects == ()
    assert (lapsed.facts.feedback, lapsed.facts.options) == (Feedback.DONE, ())
    # An open conversation is not superseded: it goes on.
    queued = Facts(state=State.QUEUED, language="en", options=("a",))
    assert step(queued, Superseded(), NOW, CONFIG) == Step(queued, ())


def test_staff_events_on_a_closed_conversation_change_nothing() -> None:
    closed = Facts(state=State.CLOSED, feedback=Feedback.DONE)
    for event in (StaffReleased(), StaffClosed(), IdleTimeout(), IdleReminder(5)):
        assert step(closed, event, NOW, CONFIG) == step(closed, event, NOW, CONFIG)
        assert step(closed, event, NOW, CONFIG).effects == ()


def test_a_new_message_after_a_finished_chat_starts_a_new_conversation() -> None:
    done = Facts(state=State.CLOSED, feedback=Feedback.DONE)
    assert starts_new_conversation(done, text("hello again"))
    rating = Facts(state=State.CLOSED, feedback=Feedback.RATING, options=("rating:1", "rating:2"))
    assert not starts_new_conversation(rating, ResidentChoice("rating:2"))
    assert not starts_new_conversation(rating, text("2"))
    assert starts_new_conversation(rating, text("actually I have another question"))
    assert not starts_new_conversation(Facts(state=State.ACTIVE), text("hi"))


def test_start_with_a_language_hint_skips_the_language_question() -> None:
    result = step(Facts(), text("/start", command=Command.START, language_hint="ar"), NOW, CONFIG)
    assert result.facts.language == "ar"
    assert says(result.effects) == ["privacy_notice", "choose_topic"]


# ---- the resident's choices in the transcript (issue 20, point 14) ------------------------

NAMED = FlowConfig(
    topics=TOPICS,
    hours=CONFIG.hours,
    language_names={"fi": "Suomi", "en": "English"},
)


def choices(effects: tuple[object, ...]) -> list[Option]:
    return [e.option for e in effects if isinstance(e, RecordChoice)]


def test_a_pressed_language_and_topic_are_recorded_before_the_bots_answer() -> None:
    asked = step(Facts(), text("hei"), NOW, NAMED)
    chosen = step(asked.facts, ResidentChoice("lang:fi"), NOW, NAMED)
    assert choices(chosen.effects) == [Option("lang:fi", label="Suomi")]
    assert isinstance(chosen.effects[0], RecordChoice)
    queued = step(chosen.facts, ResidentChoice("topic:housing"), NOW, NAMED)
    assert choices(queued.effects) == [Option("topic:housing", label="Asuminen")]
    assert isinstance(queued.effects[0], RecordChoice)
    assert isinstance(queued.effects[1], Enqueue)


def test_a_language_button_that_opens_the_chat_is_a_choice_but_a_hint_is_not() -> None:
    pressed = step(Facts(), ResidentChoice("lang:en"), NOW, NAMED)
    assert choices(pressed.effects) == [Option("lang:en", label="English")]
    hinted = step(Facts(), text("hello", language_hint="en"), NOW, NAMED)
    assert choices(hinted.effects) == []


def test_a_typed_number_and_a_language_change_are_recorded_too() -> None:
    asked = step(Facts(), text("hei"), NOW, NAMED)
    typed = step(asked.facts, text("1"), NOW, NAMED)  # Finnish is the first language
    assert choices(typed.effects) == [Option("lang:fi", label="Suomi")]
    active = Facts(state=State.ACTIVE, language="fi", queue_id="general")
    changed = step(active, ResidentChoice("lang:en"), NOW, NAMED)
    assert choices(changed.effects) == [Option("lang:en", label="English")]


def test_an_unknown_topic_or_a_crisis_queued_without_a_choice_records_nothing() -> None:
    triage = Facts(state=State.TRIAGE_TOPIC, language="fi")
    unknown = step(triage, ResidentChoice("topic:nope"), NOW, NAMED)
    assert choices(unknown.effects) == []
    crisis = step(triage, text("en jaksa enää", crisis=True), NOW, NAMED)
    assert crisis.facts.state is State.QUEUED
    assert choices(crisis.effects) == []


def test_feedback_answers_and_skips_are_recorded_as_pressed_but_not_invalid_ones() -> None:
    active = Facts(state=State.ACTIVE, language="en", claimed_ever=True)
    closed = step(active, StaffClosed(), NOW, NAMED)
    rated = step(closed.facts, ResidentChoice("rating:4"), NOW, NAMED)
    assert choices(rated.effects) == [Option("rating:4", label="4")]
    helped = step(rated.facts, text("1"), NOW, NAMED)  # typed number: "yes"
    assert choices(helped.effects) == [Option("helped:yes", label_key="yes")]
    skipped = step(closed.facts, ResidentChoice("rating:skip"), NOW, NAMED)
    assert choices(skipped.effects) == [Option("rating:skip", label_key="skip")]
    invalid = step(closed.facts, ResidentChoice("rating:9"), NOW, NAMED)
    assert choices(invalid.effects) == []
    stale = step(rated.facts, ResidentChoice("rating:2"), NOW, NAMED)
    assert choices(stale.effects) == []


def test_a_returning_resident_is_asked_after_the_topic_and_a_typed_number_answers() -> None:
    first = step(Facts(), text("hei", returning=True), NOW, CONFIG)
    assert first.facts.ask_returning
    chose = step(first.facts, ResidentChoice("lang:fi"), NOW, CONFIG)
    queued = step(chose.facts, ResidentChoice("topic:housing"), NOW, CONFIG)
    assert says(queued.effects)[-1] == "returning_question"
    assert queued.facts.options == ("returning:yes", "returning:no")
    assert not queued.facts.ask_returning  # asked once
    answered = step(queued.facts, text("1"), NOW, CONFIG)
    assert RecordReturningConsent(True) in answered.effects
    assert says(answered.effects) == ["returning_agreed"]
    assert answered.facts.options == () and answered.facts.state is State.QUEUED
    assert not any(isinstance(e, StoreResidentText) for e in answered.effects)


def test_a_first_contact_is_not_asked_and_a_late_button_press_still_answers() -> None:
    first = step(Facts(), text("hei"), NOW, CONFIG)
    chose = step(first.facts, ResidentChoice("lang:fi"), NOW, CONFIG)
    queued = step(chose.facts, ResidentChoice("topic:housing"), NOW, CONFIG)
    assert "returning_question" not in says(queued.effects)
    wrote = step(queued.facts, text("2"), NOW, CONFIG)  # no question offered: just text
    assert StoreResidentText("2") in wrote.effects
    pressed = step(wrote.facts, ResidentChoice("returning:no"), NOW, CONFIG)
    assert RecordReturningConsent(False) in pressed.effects
    assert says(pressed.effects) == ["returning_declined"]


def test_remember_and_forget_work_in_any_state_and_are_not_stored() -> None:
    for facts in (Facts(), Facts(state=State.ACTIVE, language="en"), Facts(state=State.CLOSED)):
        kept = step(facts, text("remember me", command=Command.REMEMBER), NOW, CONFIG)
        assert kept.effects == (RecordReturningConsent(True), Say("returning_agreed"))
        gone = step(facts, text("forget me", command=Command.FORGET), NOW, CONFIG)
        assert gone.effects == (RecordReturningConsent(False), Say("returning_declined"))
        assert kept.facts.state is facts.state
