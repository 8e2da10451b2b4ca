"""The conversation machine's part for a consultant: asking the resident, joining, ending.

Pure, no I/O, like the machine itself (`bot.conversation.step` calls it first). A consultant
joins only on the resident's own yes; the resident, the counsellor, the account's end date
and the end of the conversation each end their presence. Never lets a consultant in while
the resident has not answered, nor keeps one in a closed conversation.
"""

from __future__ import annotations

from dataclasses import replace

from .commands import Command
from .conversation_effects import (
    AskConsultConsent,
    Effect,
    EndConsultation,
    Option,
    RecordChoice,
    RecordConsultAnswer,
    Say,
    Step,
)
from .conversation_events import (
    ConsultantInvited,
    ConsultantRemoved,
    EarlierShared,
    Event,
    ResidentChoice,
    ResidentText,
)
from .conversation_facts import Facts, State

CONSULT_PREFIX = "consult:"
CONSULT_YES = f"{CONSULT_PREFIX}yes"
CONSULT_NO = f"{CONSULT_PREFIX}no"
CONSULT_END = f"{CONSULT_PREFIX}end"
"""The button that sends the consultant away; pressed at any time while one is present."""


def consult_step(facts: Facts, event: Event) -> Step | None:
    """The step when `event` concerns a consultant, else None (the machine carries on)."""
    if isinstance(event, ConsultantInvited):
        return _invited(facts, event)
    if isinstance(event, ConsultantRemoved):
        return _removed(facts, event)
    if isinstance(event, EarlierShared):
        told = facts.consultant == event.consultation_id
        return Step(facts, (Say("consult_shared"),) if told else ())
    if isinstance(event, ResidentText) and event.command is Command.END_CONSULT:
        return _resident_ends(facts)
    if isinstance(event, ResidentText | ResidentChoice):
        choice = _choice(facts, event)
        if choice == CONSULT_END:
            return _resident_ends(facts)
        if facts.consult_asked and choice in (CONSULT_YES, CONSULT_NO):
            return _answered(facts, choice == CONSULT_YES)
    return None


def ended_with_conversation(before: Facts, result: Step) -> Step:
    """A step that leaves the conversation without a counsellor (released, transferred to a
    queue) or closes it (erasure included) ends the consultant's presence and any pending
    invitation first: a consultant is never in a chat nobody holds."""
    after = result.facts
    pending = [c for c in (before.consultant, before.consult_asked) if c]
    if not pending or after.state is State.ACTIVE:
        return result
    by = "closed" if after.state is State.CLOSED else "released"
    ending: list[Effect] = [EndConsultation(consultation, by) for consultation in pending]
    told: tuple[Effect, ...] = (
        (Say("consult_left"),) if by == "released" and before.consultant else ()
    )
    cleared = replace(after, consultant="", consult_asked="")
    if before.consult_asked:
        cleared = replace(cleared, options=())
    return Step(cleared, (*ending, *result.effects, *told))


def _choice(facts: Facts, event: ResidentText | ResidentChoice) -> str | None:
    """A button's value, or the number of an offered option typed on a platform without
    buttons (only while the question is the one offered)."""
    if isinstance(event, ResidentChoice):
        return event.value
    text = event.text.strip().rstrip(".)")
    if facts.consult_asked and text.isdigit() and 0 < int(text) <= len(facts.options):
        return facts.options[int(text) - 1]
    return None


def _invited(facts: Facts, event: ConsultantInvited) -> Step:
    # The caller checks this too and refuses; the machine never asks twice or asks a chat
    # nobody holds.
    if facts.state is not State.ACTIVE or facts.consult_asked or facts.consultant:
        return Step(facts, ())
    options = (Option(CONSULT_YES, label_key="yes"), Option(CONSULT_NO, label_key="no"))
    asked = replace(
        facts, consult_asked=event.consultation_id, options=tuple(o.value for o in options)
    )
    ask = AskConsultConsent(event.display_name, event.organisation, event.purpose, options)
    return Step(asked, (ask,))


def _answered(facts: Facts, agreed: bool) -> Step:
    consultation = facts.consult_asked
    picked = Option(CONSULT_YES if agreed else CONSULT_NO, label_key="yes" if agreed else "no")
    effects: list[Effect] = [RecordChoice(picked), RecordConsultAnswer(consultation, agreed)]
    if agreed:
        end = Option(CONSULT_END, label_key="consult_end_button")
        effects.append(Say("consult_agreed", options=(end,)))
    else:
        effects.append(Say("consult_declined"))
    after = replace(facts, consult_asked="", consultant=consultation if agreed else "", options=())
    return Step(after, tuple(effects))


def _resident_ends(facts: Facts) -> Step:
    if facts.consult_asked:
        # The end phrase while being asked is a clear no.
        return _answered(facts, agreed=False)
    if not facts.consultant:
        return Step(facts, (Say("consult_none"),))
    ended = replace(facts, consultant="")
    return Step(ended, (EndConsultation(facts.consultant, "resident"), Say("consult_ended")))


def _removed(facts: Facts, event: ConsultantRemoved) -> Step:
    if event.consultation_id == facts.consultant:
        ended = replace(facts, consultant="")
        effects = (EndConsultation(facts.consultant, event.by), Say("consult_left"))
        return Step(ended, effects)
    if event.consultation_id == facts.consult_asked:
        lapsed = replace(facts, consult_asked="", options=())
        return Step(lapsed, (EndConsultation(event.consultation_id, event.by),))
    return Step(facts, ())
