"""Runs one event through the conversation state machine and performs its effects.

Each effect type has one handler (a table, checked complete by a test); everything happens
inside the caller's unit of work. Nothing here commits or sends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from privacy.audit import AuditAction
from privacy.pseudonym import Pseudonym, reference_code

from .attachments import store_attachment
from .consultations import ask_consent, end_consultation, record_answer
from .conversation import (
    RESIDENT_LEFT,
    Closed,
    CloseReason,
    Effect,
    Enqueue,
    EraseResident,
    Event,
    Facts,
    Feedback,
    RaiseUrgent,
    RecordChoice,
    RecordFeedback,
    RecordReturningConsent,
    Say,
    State,
    Step,
    StoreMediaNote,
    StoreResidentText,
    TellNextOpening,
    TellReferenceCode,
    step,
)
from .conversation_effects import (
    AskConsultConsent,
    EndConsultation,
    RecordConsultAnswer,
    StoreAttachment,
)
from .core import Actor, Work
from .erasure import erase_resident
from .events import Author
from .feedback import record_feedback
from .hub_topics import conversation_topic, queue_topic
from .impact import count_closed
from .inbound_text import CheckedText
from .messages import store_message
from .queueing import enqueue
from .replies import Run, option_label, say
from .store import returning
from .store.tables import Conversation


def facts_of(conversation: Conversation) -> Facts:
    triage = conversation.triage
    return Facts(
        state=State(conversation.state),
        language=conversation.language,
        topic_id=conversation.topic_id,
        queue_id=conversation.queue_id,
        urgent=conversation.urgent,
        claimed_ever=conversation.claimed_at is not None,
        feedback=Feedback(triage.get("feedback", "")),
        options=tuple(triage.get("options", ())),
        changing_language=bool(triage.get("changing_language", False)),
        told_saved_while_closed=bool(triage.get("told_saved", False)),
        ask_returning=bool(triage.get("ask_returning", False)),
        consult_asked=str(triage.get("consult_asked", "")),
        consultant=str(triage.get("consultant", "")),
    )


def store_facts(conversation: Conversation, facts: Facts) -> None:
    # Only what changed is set: every attribute set on a table model goes through SQLModel's
    # and SQLAlchemy's bookkeeping, and a chat message usually changes none of these.
    _set_if_changed(conversation, "state", str(facts.state))
    _set_if_changed(conversation, "language", facts.language)
    _set_if_changed(conversation, "topic_id", facts.topic_id)
    _set_if_changed(conversation, "queue_id", facts.queue_id)
    _set_if_changed(conversation, "urgent", facts.urgent)
    triage = dict(conversation.triage)
    triage.update(
        feedback=str(facts.feedback),
        options=list(facts.options),
        changing_language=facts.changing_language,
        told_saved=facts.told_saved_while_closed,
        ask_returning=facts.ask_returning,
        consult_asked=facts.consult_asked,
        consultant=facts.consultant,
    )
    _set_if_changed(conversation, "triage", triage)


def _set_if_changed(conversation: Conversation, name: str, value: object) -> None:
    if getattr(conversation, name) != value:
        setattr(conversation, name, value)


async def run_event(
    work: Work,
    conversation: Conversation,
    event: Event,
    *,
    platform_ref: str | None = None,
    checked: CheckedText | None = None,
) -> Step:
    """Advance the conversation by one event and perform every effect, in order.

    `platform_ref` is the platform's id of the resident's message, stored sealed with it;
    `checked` the dispatcher's verdicts on its text (its redaction is reused, not redone).
    """
    config = await work.core.flow.get(work.session)
    now = work.core.now()
    was_closed = conversation.state == State.CLOSED
    result = step(facts_of(conversation), event, now, config)
    run = Run(work, conversation, config, platform_ref=platform_ref, checked=checked)
    store_facts(conversation, result.facts)
    for effect in result.effects:
        await _perform(run, effect)
    if not run.erased:
        conversation.updated_at = now
        conversation.version += 1
        if conversation not in work.session:
            work.session.add(conversation)
        if not was_closed and conversation.state == State.CLOSED:
            await count_closed(work, conversation)
    return result


E = TypeVar("E")
Handler = Callable[[Run, Any, datetime], Awaitable[None]]
HANDLERS: dict[type[Any], Handler] = {}
"""The handler of each effect type; `now` is the moment the effect is performed."""


async def settle_event(work: Work, conversation: Conversation, event: Event) -> None:
    """Advance the conversation by an event that only changes its facts (a lapsed feedback
    question), leaving its version and times alone: nothing happened in the conversation."""
    config = await work.core.flow.get(work.session)
    result = step(facts_of(conversation), event, work.core.now(), config)
    if result.effects:
        raise ValueError(f"{type(event).__name__} has effects; use run_event")
    store_facts(conversation, result.facts)
    work.session.add(conversation)


def _handles(
    kind: type[E],
) -> Callable[[Callable[[Run, E, datetime], Awaitable[None]]], Handler]:
    def register(handler: Callable[[Run, E, datetime], Awaitable[None]]) -> Handler:
        HANDLERS[kind] = handler
        return handler

    return register


async def _perform(run: Run, effect: Effect) -> None:
    await HANDLERS[type(effect)](run, effect, run.work.core.now())


@_handles(Say)
async def _say(run: Run, effect: Say, now: datetime) -> None:
    await say(run, effect)


@_handles(StoreResidentText)
async def _store_resident_text(run: Run, effect: StoreResidentText, now: datetime) -> None:
    if not effect.text:
        return
    work, conversation = run.work, run.conversation
    checked = run.checked
    redaction = checked.redaction() if checked is not None and checked.text == effect.text else None
    await store_message(
        work,
        conversation,
        Author.RESIDENT,
        effect.text,
        platform_ref=run.platform_ref,
        redaction=redaction,
    )
    conversation.last_activity_at = now
    if conversation.reminded_at is not None:
        conversation.reminded_at = None


@_handles(StoreMediaNote)
async def _store_media_note(run: Run, effect: StoreMediaNote, now: datetime) -> None:
    # With the platform's id of the message, so "delete my data" deletes it there too.
    await store_message(
        run.work,
        run.conversation,
        Author.RESIDENT,
        effect.kind,
        kind="media_note",
        platform_ref=run.platform_ref,
    )


@_handles(StoreAttachment)
async def _store_attachment(run: Run, effect: StoreAttachment, now: datetime) -> None:
    await store_attachment(run, effect)


@_handles(Enqueue)
async def _enqueue(run: Run, effect: Enqueue, now: datetime) -> None:
    await enqueue(run, effect)


@_handles(RaiseUrgent)
async def _raise_urgent(run: Run, effect: RaiseUrgent, now: datetime) -> None:
    work, conversation = run.work, run.conversation
    conversation.urgent = True
    work.publish(
        queue_topic(conversation.queue_id), "conversation.urgent", conversation=conversation.id
    )
    work.publish(
        "staff",
        "conversation.urgent",
        conversation=conversation.id,
        queue=conversation.queue_id,
    )


@_handles(EraseResident)
async def _erase_resident(run: Run, effect: EraseResident, now: datetime) -> None:
    erased = await erase_resident(run.work, run.conversation)
    run.erased = True
    run.erased_reply_address = erased.reply_address
    run.withdraw = erased.withdraw


@_handles(TellReferenceCode)
async def _tell_reference_code(run: Run, effect: TellReferenceCode, now: datetime) -> None:
    code = reference_code(run.work.core.keyring.pepper, Pseudonym(run.conversation.pseudonym))
    await say(run, Say("reference_code", {"code": code}))


@_handles(RecordFeedback)
async def _record_feedback(run: Run, effect: RecordFeedback, now: datetime) -> None:
    queue_id = run.conversation.queue_id or "none"
    await record_feedback(run.work, queue_id, effect.question, effect.answer)


@_handles(RecordChoice)
async def _record_choice(run: Run, effect: RecordChoice, now: datetime) -> None:
    # Stored like any message (sealed with the conversation's key, erased and expired with
    # it); a label from our own lists is no personal data, so there is nothing to redact.
    if run.erased:
        return
    label = option_label(run, effect.option)
    text = run.work.core.texts.text(run.language, "resident_choice", choice=label)
    await store_message(run.work, run.conversation, Author.RESIDENT, text, kind="choice")


@_handles(Closed)
async def _closed(run: Run, effect: Closed, now: datetime) -> None:
    work, conversation = run.work, run.conversation
    conversation.closed_at = now
    if effect.reason is CloseReason.LEFT:
        # Counted with the staff's outcomes; a counsellor's reply is refused by this mark.
        conversation.close_outcome = RESIDENT_LEFT
    work.publish(
        conversation_topic(conversation.id),
        "conversation.closed",
        conversation=conversation.id,
        reason=str(effect.reason),
    )
    work.publish(
        queue_topic(conversation.queue_id), "conversation.closed", conversation=conversation.id
    )
    if effect.reason.value in ("resident", "left", "idle", "recipient_gone"):
        await work.audit(
            Actor("resident", "resident")
            if effect.reason.value in ("resident", "left")
            else Actor("system", "system"),
            AuditAction.CLOSE,
            object_type="conversation",
            object_id=conversation.id,
            subject_ref=conversation.id,
            purpose=str(effect.reason),
            unit=conversation.queue_id or "",
        )


@_handles(TellNextOpening)
async def _tell_next_opening(run: Run, effect: TellNextOpening, now: datetime) -> None:
    hours = run.config.queue_hours(run.conversation.queue_id)
    opening = hours.next_opening(now)
    core = run.work.core
    zone = core.settings.zone
    when = core.texts.format_when(run.language, opening, zone=zone) if opening else "—"
    await say(run, Say(effect.key, {"when": when}))


@_handles(RecordReturningConsent)
async def _record_returning_consent(
    run: Run, effect: RecordReturningConsent, now: datetime
) -> None:
    work, conversation = run.work, run.conversation
    await returning.decide(work.session, conversation.pseudonym, effect.agreed, now)
    await work.audit(
        Actor("resident", "resident"),
        AuditAction.CONSENT,
        object_type="returning_consent",
        object_id=conversation.id,
        subject_ref=conversation.pseudonym,
        purpose="earlier chats shown to counsellors: "
        + ("agreed" if effect.agreed else "withdrawn"),
        unit=conversation.queue_id or "",
    )
    work.publish(
        conversation_topic(conversation.id), "conversation.returning", conversation=conversation.id
    )


@_handles(AskConsultConsent)
async def _ask_consult_consent(run: Run, effect: AskConsultConsent, now: datetime) -> None:
    await ask_consent(run, effect)


@_handles(RecordConsultAnswer)
async def _record_consult_answer(run: Run, effect: RecordConsultAnswer, now: datetime) -> None:
    await record_answer(run.work, run.conversation, effect.consultation_id, effect.agreed)


@_handles(EndConsultation)
async def _end_consultation(run: Run, effect: EndConsultation, now: datetime) -> None:
    await end_consultation(run.work, run.conversation, effect.consultation_id, effect.by)
