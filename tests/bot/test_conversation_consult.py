"""The machine's part for a consultant, pure: asked only in a held chat, joined only on yes,
ended by the resident, the counsellor or the end of the conversation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.commands import Command
from bot.conversation import (
    Facts,
    FlowConfig,
    ResidentChoice,
    ResidentText,
    Say,
    StaffClosed,
    StaffReleased,
    StaffTransferred,
    State,
    TopicOption,
    step,
)
from bot.conversation_effects import (
    AskConsultConsent,
    EndConsultation,
    RecordChoice,
    RecordConsultAnswer,
)
from bot.conversation_events import ConsultantInvited, ConsultantRemoved, EarlierShared
from bot.hours import OpeningHours

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
CONFIG = FlowConfig(
    topics=(TopicOption("housing", "general", {"en": "Housing"}),),
    hours={"general": OpeningHours.always()},
)
ACTIVE = Facts(state=State.ACTIVE, language="en", queue_id="general", claimed_ever=True)
INVITED = ConsultantInvited("c1", "Veli", "Velkaneuvonta ry", "debt")


def _keys(effects: tuple[object, ...]) -> list[str]:
    return [e.key for e in effects if isinstance(e, Say)]


def test_only_a_held_chat_is_asked_and_never_twice() -> None:
    queued = replace(ACTIVE, state=State.QUEUED)
    assert step(queued, INVITED, NOW, CONFIG).effects == ()
    asked = step(ACTIVE, INVITED, NOW, CONFIG)
    assert asked.facts.consult_asked == "c1"
    assert asked.facts.options == ("consult:yes", "consult:no")
    (ask,) = asked.effects
    assert isinstance(ask, AskConsultConsent) and ask.purpose == "debt"
    again = step(asked.facts, ConsultantInvited("c2", "Other", "Org", "debt"), NOW, CONFIG)
    assert again.effects == () and again.facts.consult_asked == "c1"


def test_yes_lets_in_no_keeps_out_and_a_yes_without_a_question_does_nothing() -> None:
    asked = step(ACTIVE, INVITED, NOW, CONFIG).facts
    yes = step(asked, ResidentText("1"), NOW, CONFIG)
    assert yes.facts.consultant == "c1" and yes.facts.consult_asked == ""
    assert RecordConsultAnswer("c1", agreed=True) in yes.effects
    assert any(isinstance(e, RecordChoice) for e in yes.effects)
    no = step(asked, ResidentChoice("consult:no"), NOW, CONFIG)
    assert no.facts.consultant == "" and RecordConsultAnswer("c1", agreed=False) in no.effects
    stray = step(ACTIVE, ResidentChoice("consult:yes"), NOW, CONFIG)
    assert not any(isinstance(e, RecordConsultAnswer) for e in stray.effects)
    assert stray.facts.consultant == ""


def test_the_end_phrase_refuses_a_pending_question_and_ends_a_presence() -> None:
    phrase = ResidentText("remove expert", command=Command.END_CONSULT)
    asked = step(ACTIVE, INVITED, NOW, CONFIG).facts
    refused = step(asked, phrase, NOW, CONFIG)
    assert RecordConsultAnswer("c1", agreed=False) in refused.effects
    present = replace(ACTIVE, consultant="c1")
    ended = step(present, phrase, NOW, CONFIG)
    assert ended.facts.consultant == ""
    assert ended.effects[0] == EndConsultation("c1", "resident")
    assert _keys(step(ACTIVE, phrase, NOW, CONFIG).effects) == ["consult_none"]


def test_closing_the_conversation_ends_the_consultant_first() -> None:
    present = replace(ACTIVE, consultant="c1")
    closed = step(present, StaffClosed(), NOW, CONFIG)
    assert closed.facts.state is State.CLOSED and closed.facts.consultant == ""
    assert closed.effects[0] == EndConsultation("c1", "closed")
    deleted = step(present, ResidentText("delete", command=Command.DELETE), NOW, CONFIG)
    assert deleted.effects[0] == EndConsultation("c1", "closed")
    # A plain message changes nothing of it.
    assert step(present, ResidentText("hello"), NOW, CONFIG).facts.consultant == "c1"


def test_the_counsellor_or_the_end_date_removes_a_consultant_or_a_pending_question() -> None:
    present = replace(ACTIVE, consultant="c1")
    left = step(present, ConsultantRemoved("c1", "expired"), NOW, CONFIG)
    assert left.effects[0] == EndConsultation("c1", "expired")
    assert _keys(left.effects) == ["consult_left"]
    asked = step(ACTIVE, INVITED, NOW, CONFIG).facts
    lapsed = step(asked, ConsultantRemoved("c1", "counsellor"), NOW, CONFIG)
    assert lapsed.facts.consult_asked == "" and lapsed.facts.options == ()
    assert lapsed.effects == (EndConsultation("c1", "counsellor"),)
    assert step(present, ConsultantRemoved("other", "counsellor"), NOW, CONFIG).effects == ()


def test_the_resident_is_told_of_shared_messages_only_while_the_consultant_is_in() -> None:
    present = replace(ACTIVE, consultant="c1")
    assert _keys(step(present, EarlierShared("c1"), NOW, CONFIG).effects) == ["consult_shared"]
    assert step(present, EarlierShared("c2"), NOW, CONFIG).effects == ()
    assert step(ACTIVE, EarlierShared("c1"), NOW, CONFIG).effects == ()


def test_a_chat_nobody_holds_keeps_no_consultant_but_a_handover_to_a_colleague_does() -> None:
    present = replace(ACTIVE, consultant="c1")
    released = step(present, StaffReleased(), NOW, CONFIG)
    assert released.facts.state is State.QUEUED and released.facts.consultant == ""
    assert released.effects[0] == EndConsultation("c1", "released")
    assert _keys(released.effects) == ["counsellor_left", "consult_left"]
    asked = step(ACTIVE, INVITED, NOW, CONFIG).facts
    to_queue = step(asked, StaffTransferred("general", to_counsellor=False), NOW, CONFIG)
    assert to_queue.facts.consult_asked == "" and to_queue.facts.options == ()
    assert to_queue.effects[0] == EndConsultation("c1", "released")
    handed = step(present, StaffTransferred(None, to_counsellor=True), NOW, CONFIG)
    assert handed.facts.consultant == "c1"
    assert not any(isinstance(e, EndConsultation) for e in handed.effects)
