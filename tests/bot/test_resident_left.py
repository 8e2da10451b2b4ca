"""Quick exit ends the contact (issue 20, point 4): the state machine's `ResidentLeft`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.conversation import (
    Closed,
    CloseReason,
    Facts,
    Feedback,
    FlowConfig,
    ResidentLeft,
    State,
    TopicOption,
    starts_new_conversation,
    step,
)
from bot.hours import OpeningHours

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CONFIG = FlowConfig(
    topics=(TopicOption("housing", "general", {"en": "Housing"}),),
    hours={"general": OpeningHours.always()},
)


@pytest.mark.parametrize(
    "state",
    [State.NEW, State.TRIAGE_LANGUAGE, State.TRIAGE_TOPIC, State.QUEUED, State.WAITING_HOURS],
)
def test_a_resident_who_leaves_quickly_ends_the_conversation_without_a_word(
    state: State,
) -> None:
    result = step(Facts(state=state, queue_id="general"), ResidentLeft(), NOW, CONFIG)
    assert result.facts.state is State.CLOSED
    assert result.facts.feedback is Feedback.DONE
    assert result.effects == (Closed(CloseReason.LEFT),)


def test_leaving_an_answered_chat_asks_no_feedback_of_nobody() -> None:
    facts = Facts(state=State.ACTIVE, queue_id="general", claimed_ever=True)
    result = step(facts, ResidentLeft(), NOW, CONFIG)
    assert result.facts.state is State.CLOSED
    assert result.facts.feedback is Feedback.DONE and result.facts.options == ()
    assert result.effects == (Closed(CloseReason.LEFT),)


def test_leaving_a_closed_conversation_changes_nothing() -> None:
    facts = Facts(state=State.CLOSED, feedback=Feedback.RATING, options=("rating:1",))
    result = step(facts, ResidentLeft(), NOW, CONFIG)
    assert result.facts == facts and result.effects == ()
    assert not starts_new_conversation(facts, ResidentLeft())
