"""The conversation machine's questions after the chat and about returning: the rating and
"did this help" asked when a conversation closes, and whether a returning resident's
counsellor may read their earlier conversation. Pure, like the machine (`conversation.py`)."""

from __future__ import annotations

from dataclasses import replace

from .conversation_effects import (
    Effect,
    Option,
    RecordChoice,
    RecordFeedback,
    RecordReturningConsent,
    Say,
    Step,
)
from .conversation_facts import Facts, Feedback

RATING_VALUES = ("1", "2", "3", "4", "5")
RETURNING_PREFIX = "returning:"
RETURNING_ANSWERS = (f"{RETURNING_PREFIX}yes", f"{RETURNING_PREFIX}no")


def offer(facts: Facts, say: Say) -> tuple[Facts, Say]:
    return replace(facts, options=tuple(o.value for o in say.options)), say


def ask_rating(facts: Facts) -> tuple[Facts, Say]:
    options = tuple(Option(f"rating:{v}", label=v) for v in RATING_VALUES)
    return offer(
        replace(facts, feedback=Feedback.RATING),
        Say("feedback_rating", options=(*options, Option("rating:skip", label_key="skip"))),
    )


def _ask_helped(facts: Facts) -> tuple[Facts, Say]:
    options = (
        Option("helped:yes", label_key="yes"),
        Option("helped:no", label_key="no"),
        Option("helped:skip", label_key="skip"),
    )
    return offer(replace(facts, feedback=Feedback.HELPED), Say("feedback_helped", options=options))


def ask_returning(facts: Facts) -> tuple[Facts, Say]:
    options = (
        Option(f"{RETURNING_PREFIX}yes", label_key="yes"),
        Option(f"{RETURNING_PREFIX}no", label_key="no"),
    )
    return offer(replace(facts, ask_returning=False), Say("returning_question", options=options))


def returning_answered(facts: Facts, agreed: bool, effects: list[Effect]) -> Step:
    value = f"{RETURNING_PREFIX}{'yes' if agreed else 'no'}"
    effects += [
        RecordChoice(Option(value, label_key="yes" if agreed else "no")),
        RecordReturningConsent(agreed),
        Say("returning_agreed" if agreed else "returning_declined"),
    ]
    return Step(replace(facts, options=()), tuple(effects))


def feedback_step(facts: Facts, choice: str) -> Step:
    question, _, answer = choice.partition(":")
    effects: list[Effect] = []
    picked = _feedback_option(choice)
    if picked is not None and facts.feedback.value == question:
        effects.append(RecordChoice(picked))
    if answer != "skip":
        effects.append(RecordFeedback(question, answer))
    if question == "rating" and facts.feedback is Feedback.RATING:
        if answer != "skip" and answer not in RATING_VALUES:
            facts, say = ask_rating(facts)
            return Step(facts, (Say("not_understood_choice"), say))
        facts, say = _ask_helped(facts)
        return Step(facts, (*effects, say))
    if question == "helped" and facts.feedback is Feedback.HELPED:
        if answer not in ("yes", "no", "skip"):
            facts, say = _ask_helped(facts)
            return Step(facts, (Say("not_understood_choice"), say))
        done = replace(facts, feedback=Feedback.DONE, options=())
        return Step(done, (*effects, Say("feedback_thanks")))
    return Step(facts, ())


def _feedback_option(choice: str) -> Option | None:
    """The offered feedback option with this value, as labelled on its button (None: not one
    of the options, e.g. a stale or forged value)."""
    question, _, answer = choice.partition(":")
    if answer == "skip":
        return Option(choice, label_key="skip")
    if question == "rating" and answer in RATING_VALUES:
        return Option(choice, label=answer)
    if question == "helped" and answer in ("yes", "no"):
        return Option(choice, label_key=answer)
    return None
