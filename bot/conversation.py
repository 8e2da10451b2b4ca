"""The resident-facing conversation state machine: a pure function of state and event.

`step(facts, event, now, config)` returns new facts and the effects to perform; it does no
I/O, reads no clock and knows no platform, so every path is testable without a database.
Its data lives beside it (`conversation_facts`, `conversation_events`, `conversation_effects`)
and is re-exported here, where the rest of the core imports it from.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from .commands import Command
from .conversation_consult import consult_step, ended_with_conversation
from .conversation_effects import (
    Closed,
    Effect,
    Enqueue,
    EraseResident,
    Option,
    RaiseUrgent,
    RecordChoice,
    RecordFeedback,
    RecordReturningConsent,
    Say,
    Step,
    StoreMediaNote,
    StoreResidentText,
    TellNextOpening,
    TellReferenceCode,
)
from .conversation_events import (
    Event,
    HoursOpened,
    IdleReminder,
    IdleTimeout,
    RecipientGone,
    ResidentChoice,
    ResidentLeft,
    ResidentMedia,
    ResidentText,
    StaffBlocked,
    StaffClaimed,
    StaffClosed,
    StaffReleased,
    StaffTransferred,
    Superseded,
)
from .conversation_facts import (
    OPEN_STATES,
    RESIDENT_LEFT,
    WAITING_STATES,
    CloseReason,
    Facts,
    Feedback,
    FlowConfig,
    State,
    TopicOption,
)
from .conversation_feedback import (
    RATING_VALUES,
    RETURNING_ANSWERS,
    RETURNING_PREFIX,
    ask_rating,
    ask_returning,
    feedback_step,
    offer,
    returning_answered,
)
from .conversation_files import media_step
from .events import LANGUAGE_CHOICE_PREFIX

__all__ = [
    "OPEN_STATES",
    "RATING_VALUES",
    "RESIDENT_LEFT",
    "WAITING_STATES",
    "CloseReason",
    "Closed",
    "Effect",
    "Enqueue",
    "EraseResident",
    "Event",
    "Facts",
    "Feedback",
    "FlowConfig",
    "HoursOpened",
    "IdleReminder",
    "IdleTimeout",
    "Option",
    "RaiseUrgent",
    "RecipientGone",
    "RecordChoice",
    "RecordFeedback",
    "RecordReturningConsent",
    "ResidentChoice",
    "ResidentLeft",
    "ResidentMedia",
    "ResidentText",
    "Say",
    "StaffBlocked",
    "StaffClaimed",
    "StaffClosed",
    "StaffReleased",
    "StaffTransferred",
    "State",
    "Step",
    "StoreMediaNote",
    "StoreResidentText",
    "Superseded",
    "TellNextOpening",
    "TellReferenceCode",
    "TopicOption",
    "language_options",
    "resolve_choice",
    "starts_new_conversation",
    "step",
    "topic_options",
]


def language_options(config: FlowConfig) -> tuple[Option, ...]:
    return tuple(
        Option(f"{LANGUAGE_CHOICE_PREFIX}{code}", label=config.language_names.get(code, code))
        for code in config.languages
    )


def topic_options(config: FlowConfig, language: str) -> tuple[Option, ...]:
    return tuple(Option(f"topic:{t.id}", label=t.label(language)) for t in config.topics)


def _ask_language(facts: Facts, config: FlowConfig, *, every_language: bool) -> tuple[Facts, Say]:
    return offer(
        facts,
        Say("choose_language", options=language_options(config), every_language=every_language),
    )


def _ask_topic(facts: Facts, config: FlowConfig) -> tuple[Facts, Say]:
    return offer(facts, Say("choose_topic", options=topic_options(config, facts.language or "fi")))


def resolve_choice(facts: Facts, event: ResidentText | ResidentChoice) -> str | None:
    """A button value, or a number typed where buttons were offered (platforms without them)."""
    if isinstance(event, ResidentChoice):
        return event.value
    text = event.text.strip().rstrip(".)")
    if facts.options and text.isdigit():
        index = int(text) - 1
        if 0 <= index < len(facts.options):
            return facts.options[index]
    return None


def step(facts: Facts, event: Event, now: datetime, config: FlowConfig) -> Step:
    """Advance one conversation by one event (a consultant's part: `conversation_consult`)."""
    consulted = consult_step(facts, event)
    return consulted or ended_with_conversation(facts, _step(facts, event, now, config))


def _step(facts: Facts, event: Event, now: datetime, config: FlowConfig) -> Step:
    if isinstance(event, ResidentMedia):
        return media_step(facts, event)
    if isinstance(event, ResidentText | ResidentChoice):
        return _resident_input(facts, event, now, config)
    return _staff_or_timer(facts, event, config)


def _resident_input(
    facts: Facts, event: ResidentText | ResidentChoice, now: datetime, config: FlowConfig
) -> Step:
    effects: list[Effect] = []
    if isinstance(event, ResidentText) and event.command is not None:
        return _command(facts, event.command, config, event.language_hint, text=event.text)

    choice = resolve_choice(facts, event)
    crisis = isinstance(event, ResidentText) and event.crisis

    if (
        choice is not None
        and choice.startswith(LANGUAGE_CHOICE_PREFIX)
        and facts.state is not State.NEW
    ):
        return _language_chosen(facts, choice.removeprefix(LANGUAGE_CHOICE_PREFIX), config)
    if choice in RETURNING_ANSWERS and facts.is_open:
        # A button pressed after the resident wrote on still counts: pressing it is a clear
        # answer (a typed number counts only while the question is the one offered).
        return returning_answered(facts, choice == f"{RETURNING_PREFIX}yes", effects)
    if facts.state is State.CLOSED and facts.feedback in (Feedback.RATING, Feedback.HELPED):
        if choice is not None and (choice.startswith(("rating:", "helped:"))):
            return feedback_step(facts, choice)
        # Free text instead of an answer: the resident wants to talk again, not rate.
        facts = replace(facts, feedback=Feedback.DONE, options=())

    if facts.state is State.NEW or facts.accepts_new_contact:
        return _first_contact(facts, event, config, crisis)

    if isinstance(event, ResidentText) and choice is None:
        effects.append(StoreResidentText(event.text))
        if facts.state in (State.QUEUED, State.WAITING_HOURS, State.ACTIVE):
            # Options offered earlier (a language menu) expire once the resident writes on.
            facts = replace(facts, options=(), changing_language=False)
    if crisis and not facts.urgent:
        effects += [RaiseUrgent(), Say("crisis")]
        facts = replace(facts, urgent=True)

    if facts.state is State.TRIAGE_LANGUAGE:
        if choice is not None and choice.startswith(LANGUAGE_CHOICE_PREFIX):
            chosen = choice.removeprefix(LANGUAGE_CHOICE_PREFIX)
            return _language_chosen(facts, chosen, config, effects)
        facts, say = _ask_language(facts, config, every_language=True)
        return Step(facts, (*effects, Say("not_understood_choice", every_language=True), say))

    if facts.state is State.TRIAGE_TOPIC:
        if choice is not None and choice.startswith("topic:"):
            topic = next((t for t in config.topics if t.id == choice.removeprefix("topic:")), None)
            if topic is not None:
                label = topic.label(facts.language or "fi")
                effects.append(RecordChoice(Option(choice, label=label)))
                return _topic_chosen(facts, topic, now, config, effects)
        if facts.urgent and crisis:
            # Someone in danger must not be held up by a menu: queue them in the first topic.
            return _topic_chosen(facts, config.topics[0], now, config, effects)
        facts, say = _ask_topic(facts, config)
        return Step(facts, (*effects, Say("not_understood_choice"), say))

    if facts.state is State.WAITING_HOURS and isinstance(event, ResidentText):
        if not facts.told_saved_while_closed:
            effects.append(TellNextOpening("message_saved_closed"))
            facts = replace(facts, told_saved_while_closed=True)
        return Step(facts, tuple(effects))

    # Text in a queued or active chat was stored above; a stale button press does nothing.
    return Step(facts, tuple(effects))


def _first_contact(
    facts: Facts, event: ResidentText | ResidentChoice, config: FlowConfig, crisis: bool
) -> Step:
    fresh = Facts(language=facts.language, urgent=crisis, ask_returning=event.returning)
    effects: list[Effect] = []
    if isinstance(event, ResidentText) and event.text.strip():
        effects.append(StoreResidentText(event.text))
    if crisis:
        effects += [RaiseUrgent(), Say("crisis")]
    hint = event.language_hint
    language = hint if hint in config.languages else None
    pressed = (
        event.value.removeprefix(LANGUAGE_CHOICE_PREFIX)
        if isinstance(event, ResidentChoice) and event.value.startswith(LANGUAGE_CHOICE_PREFIX)
        else None
    )
    if language is None and pressed in config.languages:
        language = pressed
    if language is None:
        fresh, say = _ask_language(
            replace(fresh, state=State.TRIAGE_LANGUAGE), config, every_language=True
        )
        return Step(fresh, (*effects, say))
    return _language_chosen(
        replace(fresh, state=State.TRIAGE_LANGUAGE),
        language,
        config,
        effects,
        picked=pressed == language,
    )


def _language_chosen(
    facts: Facts,
    language: str,
    config: FlowConfig,
    effects: list[Effect] | None = None,
    *,
    picked: bool = True,
) -> Step:
    """`picked`: the resident chose it (a button or its number), not the platform's hint."""
    effects = list(effects or [])
    if language not in config.languages:
        facts, say = _ask_language(facts, config, every_language=True)
        return Step(facts, (*effects, say))
    facts = replace(facts, language=language, changing_language=False, options=())
    if picked:
        value = f"{LANGUAGE_CHOICE_PREFIX}{language}"
        effects += [RecordChoice(o) for o in language_options(config) if o.value == value]
    if facts.state is State.TRIAGE_LANGUAGE:
        facts = replace(facts, state=State.TRIAGE_TOPIC)
        facts, say = _ask_topic(facts, config)
        notice = Say("privacy_notice", {"days": config.transcript_days})
        return Step(facts, (*effects, notice, say))
    effects.append(
        Say("language_changed", {"language": config.language_names.get(language, language)})
    )
    if facts.state is State.TRIAGE_TOPIC:
        facts, say = _ask_topic(facts, config)
        effects.append(say)
    return Step(facts, tuple(effects))


def _topic_chosen(
    facts: Facts, topic: TopicOption, now: datetime, config: FlowConfig, effects: list[Effect]
) -> Step:
    open_now = config.queue_hours(topic.queue_id).is_open(now)
    facts = replace(
        facts,
        topic_id=topic.id,
        queue_id=topic.queue_id,
        options=(),
        state=State.QUEUED if open_now else State.WAITING_HOURS,
    )
    effects.append(Enqueue(topic.queue_id, open_now))
    if not open_now:
        effects += [TellNextOpening("closed_now"), Say("emergency_numbers")]
    if facts.ask_returning:
        facts, question = ask_returning(facts)
        effects.append(question)
    return Step(facts, tuple(effects))


def _command(
    facts: Facts,
    command: Command,
    config: FlowConfig,
    language_hint: str | None = None,
    *,
    text: str = "",
) -> Step:
    if command is Command.HELP:
        if facts.state in (State.QUEUED, State.WAITING_HOURS, State.ACTIVE):
            # "Help!" alone may be a cry for help, not a question about commands: the
            # counsellor sees it too.
            return Step(facts, (StoreResidentText(text), Say("help")))
        return Step(facts, (Say("help"),))
    if command is Command.CODE:
        return Step(facts, (TellReferenceCode(),))
    if command in (Command.REMEMBER, Command.FORGET):
        agreed = command is Command.REMEMBER
        say = Say("returning_agreed" if agreed else "returning_declined")
        return Step(replace(facts, ask_returning=False), (RecordReturningConsent(agreed), say))
    if command is Command.DELETE:
        closed = Facts(state=State.CLOSED, language=facts.language, feedback=Feedback.DONE)
        return Step(closed, (EraseResident(), Say("deleted")))
    if command is Command.LANGUAGE:
        facts, say = _ask_language(
            replace(facts, changing_language=True), config, every_language=False
        )
        return Step(facts, (say,))
    if command is Command.UNKNOWN:
        return Step(facts, (Say("unknown_command"),))
    if command is Command.END:
        if facts.state in (State.NEW, State.CLOSED):
            return Step(facts, (Say("help"),))
        return _close(facts, CloseReason.RESIDENT, (Say("ended_by_resident"),))
    # START: a fresh contact says hello; an ongoing one is reminded where it stands.
    if facts.state is State.NEW or facts.accepts_new_contact:
        hello = ResidentText("", language_hint=language_hint)
        return _first_contact(facts, hello, config, crisis=False)
    if facts.state is State.TRIAGE_LANGUAGE:
        facts, say = _ask_language(facts, config, every_language=True)
        return Step(facts, (say,))
    if facts.state is State.TRIAGE_TOPIC:
        facts, say = _ask_topic(facts, config)
        return Step(facts, (say,))
    return Step(facts, (Say("help"),))


_CLOSED_WITHOUT_RATING = (CloseReason.RECIPIENT_GONE, CloseReason.LEFT, CloseReason.BLOCKED)


def _close(facts: Facts, reason: CloseReason, effects: tuple[Effect, ...]) -> Step:
    closed = replace(facts, state=State.CLOSED, options=(), changing_language=False)
    # Nobody is there to rate the chat when the resident is gone, left quickly or was blocked.
    if facts.claimed_ever and reason not in _CLOSED_WITHOUT_RATING:
        closed, say = ask_rating(closed)
        return Step(closed, (Closed(reason), *effects, say))
    return Step(replace(closed, feedback=Feedback.DONE), (Closed(reason), *effects))


def _staff_or_timer(facts: Facts, event: Event, config: FlowConfig) -> Step:
    if isinstance(event, StaffClaimed):
        facts = replace(facts, state=State.ACTIVE, claimed_ever=True)
        return Step(facts, (Say("counsellor_joined", {"name": event.display_name}),))
    if isinstance(event, Superseded):
        if facts.state is not State.CLOSED:
            return Step(facts, ())
        return Step(replace(facts, feedback=Feedback.DONE, options=()), ())
    if not facts.is_open:
        return Step(facts, ())
    if isinstance(event, StaffReleased):
        return Step(replace(facts, state=State.QUEUED), (Say("counsellor_left"),))
    if isinstance(event, StaffTransferred):
        state = State.ACTIVE if event.to_counsellor else State.QUEUED
        queue_id = event.queue_id or facts.queue_id
        return Step(replace(facts, state=state, queue_id=queue_id), (Say("transferred"),))
    if isinstance(event, StaffClosed):
        return _close(facts, CloseReason.STAFF, (Say("chat_ended"),))
    if isinstance(event, StaffBlocked):
        return _close(facts, CloseReason.BLOCKED, ())
    if isinstance(event, IdleReminder):
        return Step(facts, (Say("idle_reminder", {"minutes": event.minutes_left}),))
    if isinstance(event, IdleTimeout):
        return _close(facts, CloseReason.IDLE, (Say("idle_closed"),))
    if isinstance(event, RecipientGone):
        return _close(facts, CloseReason.RECIPIENT_GONE, ())
    if isinstance(event, ResidentLeft):
        return _close(facts, CloseReason.LEFT, ())
    if isinstance(event, HoursOpened) and facts.state is State.WAITING_HOURS:
        return Step(replace(facts, state=State.QUEUED, told_saved_while_closed=False), ())
    return Step(facts, ())


def starts_new_conversation(facts: Facts, event: Event) -> bool:
    """Whether a resident's event opens a new conversation instead of continuing this one.

    A closed conversation continues only to collect its feedback answers.
    """
    if facts.state is not State.CLOSED:
        return False
    if facts.feedback in (Feedback.RATING, Feedback.HELPED) and isinstance(
        event, ResidentText | ResidentChoice
    ):
        choice = resolve_choice(facts, event)
        if choice is not None and choice.startswith(("rating:", "helped:")):
            return False
    return isinstance(event, ResidentText | ResidentChoice | ResidentMedia)
