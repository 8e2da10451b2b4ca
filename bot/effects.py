"""Runs one event through the conversation state machine and performs its effects.

Everything happens inside the caller's unit of work: messages are redacted and sealed,
outbox rows and hub events added, state written back. Nothing here commits or sends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, delete

from privacy.audit import AuditAction
from privacy.crypto import DataKey, seal, unseal
from privacy.pseudonym import Pseudonym, reference_code
from privacy.redaction import Kind, keep_readable

from . import routing
from .actions.context import Actor, Work
from .commands import Command, command_word
from .conversation import (
    Closed,
    Effect,
    Enqueue,
    EraseResident,
    Event,
    Facts,
    Feedback,
    FlowConfig,
    Option,
    RaiseUrgent,
    RecordFeedback,
    Say,
    State,
    Step,
    StoreMediaNote,
    StoreResidentText,
    TellNextOpening,
    TellReferenceCode,
    step,
)
from .events import Author
from .ids import new_id
from .message_body import MessageBody, Placeholder
from .sealing import KeyPurpose, KeyStore
from .store import conversations as conversation_store
from .store.rows import add_row, table_of
from .store.tables import Conversation, FeedbackCount, Message, OutboxRow, PiiItem
from .texts import DEFAULT_LANGUAGE

HELSINKI = ZoneInfo("Europe/Helsinki")


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
    )
    _set_if_changed(conversation, "triage", triage)


def _set_if_changed(conversation: Conversation, name: str, value: object) -> None:
    if getattr(conversation, name) != value:
        setattr(conversation, name, value)


def conversation_topic(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


def queue_topic(queue_id: str | None) -> str:
    return f"queue:{queue_id or 'triage'}"


@dataclass
class Run:
    """One event's run: the conversation, what the resident wrote, and what happened."""

    work: Work
    conversation: Conversation
    config: FlowConfig
    resident_text: str | None = None
    platform_ref: str | None = None
    erased: bool = False
    erased_reply_address: str | None = None
    withdraw: list[str] = field(default_factory=list)

    @property
    def language(self) -> str:
        return self.conversation.language or DEFAULT_LANGUAGE


async def open_conversation(
    work: Work, *, pseudonym: str, channel: str, reply_address: str
) -> Conversation:
    """A new conversation with its own data keys and its reply address sealed."""
    conversation_id = new_id()
    keys = work.core.keys
    key = keys.create(work.session, conversation_id, KeyPurpose.CONVERSATION)
    keys.create(work.session, conversation_id, KeyPurpose.PII_VAULT)
    now = work.core.now()
    conversation = Conversation(
        id=conversation_id,
        pseudonym=pseudonym,
        channel=channel,
        state=str(State.NEW),
        sealed_reply_address=seal(key, reply_address, aad=reply_address_aad(conversation_id)),
        created_at=now,
        updated_at=now,
        last_activity_at=now,
    )
    work.session.add(conversation)
    await work.session.flush()
    work.publish("staff", "conversation.created", conversation=conversation_id, channel=channel)
    return conversation


def reply_address_aad(conversation_id: str) -> str:
    return f"reply-address:{conversation_id}"


async def conversation_key(work: Work, conversation_id: str) -> DataKey:
    return await work.core.keys.get(work.session, conversation_id, KeyPurpose.CONVERSATION)


async def reply_address_of(
    keys: KeyStore, session: AsyncSession, conversation: Conversation
) -> str:
    key = await keys.get(session, conversation.id, KeyPurpose.CONVERSATION)
    return unseal(key, conversation.sealed_reply_address, aad=reply_address_aad(conversation.id))


async def run_event(
    work: Work,
    conversation: Conversation,
    event: Event,
    *,
    resident_text: str | None = None,
    platform_ref: str | None = None,
) -> Step:
    """Advance the conversation by one event and perform every effect, in order."""
    config = await work.core.flow.get(work.session)
    now = work.core.now()
    result = step(facts_of(conversation), event, now, config)
    run = Run(work, conversation, config, resident_text=resident_text, platform_ref=platform_ref)
    store_facts(conversation, result.facts)
    for effect in result.effects:
        await _perform(run, effect)
    if not run.erased:
        conversation.updated_at = now
        conversation.version += 1
        if conversation not in work.session:
            work.session.add(conversation)
    return result


async def _perform(run: Run, effect: Effect) -> None:
    work, conversation = run.work, run.conversation
    now = work.core.now()
    if isinstance(effect, Say):
        await say(run, effect)
    elif isinstance(effect, StoreResidentText):
        if run.resident_text:
            await store_message(
                work,
                conversation,
                Author.RESIDENT,
                run.resident_text,
                platform_ref=run.platform_ref,
            )
            conversation.last_activity_at = now
            if conversation.reminded_at is not None:
                conversation.reminded_at = None
    elif isinstance(effect, StoreMediaNote):
        await store_message(work, conversation, Author.RESIDENT, effect.kind, kind="media_note")
    elif isinstance(effect, Enqueue):
        await _enqueue(run, effect)
    elif isinstance(effect, RaiseUrgent):
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
    elif isinstance(effect, EraseResident):
        await erase_resident(run)
    elif isinstance(effect, TellReferenceCode):
        code = reference_code(work.core.keyring.pepper, Pseudonym(conversation.pseudonym))
        await say(run, Say("reference_code", {"code": code}))
    elif isinstance(effect, RecordFeedback):
        await record_feedback(work, conversation.queue_id or "none", effect.question, effect.answer)
    elif isinstance(effect, Closed):
        conversation.closed_at = now
        work.publish(
            conversation_topic(conversation.id),
            "conversation.closed",
            conversation=conversation.id,
            reason=str(effect.reason),
        )
        work.publish(
            queue_topic(conversation.queue_id), "conversation.closed", conversation=conversation.id
        )
        if effect.reason.value in ("resident", "idle", "recipient_gone"):
            await work.audit(
                Actor("resident", "resident")
                if effect.reason.value == "resident"
                else Actor("system", "system"),
                AuditAction.CLOSE,
                object_type="conversation",
                object_id=conversation.id,
                subject_ref=conversation.id,
                purpose=str(effect.reason),
                unit=conversation.queue_id or "",
            )
    elif isinstance(effect, TellNextOpening):
        hours = run.config.queue_hours(conversation.queue_id)
        opening = hours.next_opening(now)
        when = work.core.texts.format_when(run.language, opening) if opening else "—"
        await say(run, Say(effect.key, {"when": when}))


async def _enqueue(run: Run, effect: Enqueue) -> None:
    work, conversation = run.work, run.conversation
    now = work.core.now()
    conversation.queue_id = effect.queue_id
    if conversation.queued_at is None:
        conversation.queued_at = now
    work.session.add(conversation)
    await work.session.flush()
    work.publish(
        queue_topic(effect.queue_id),
        "conversation.queued",
        conversation=conversation.id,
        urgent=conversation.urgent,
    )
    work.publish(
        "staff",
        "conversation.queued",
        conversation=conversation.id,
        queue=effect.queue_id,
        urgent=conversation.urgent,
    )
    if not effect.open_now:
        return
    position = await conversation_store.position_in_queue(work.session, conversation)
    minutes = await _estimate(work, effect.queue_id, position)
    await say(run, Say("queued", {"position": position, "minutes": minutes}))
    conversation.triage = {**conversation.triage, "told_position": position}


async def _estimate(work: Work, queue_id: str, position: int) -> int:
    since = work.core.now() - timedelta(hours=3)
    waits = await conversation_store.recent_waits_minutes(work.session, queue_id, since)
    return routing.estimate_minutes(position, waits)


async def announce_positions(work: Work, queue_id: str) -> None:
    """Tell waiting residents of a queue their new place when it moved forward meaningfully."""
    config = await work.core.flow.get(work.session)
    waiting = await conversation_store.waiting_in_queue(work.session, queue_id)
    for position, conversation in enumerate(waiting, start=1):
        if conversation.state != State.QUEUED:
            continue
        previous = conversation.triage.get("told_position")
        if not routing.should_tell(previous if isinstance(previous, int) else None, position):
            continue
        run = Run(work, conversation, config)
        if position == 1:
            await say(run, Say("queue_next"))
        else:
            minutes = await _estimate(work, queue_id, position)
            await say(run, Say("queue_position", {"position": position, "minutes": minutes}))
        conversation.triage = {**conversation.triage, "told_position": position}
        work.session.add(conversation)


def render(run: Run, effect: Say) -> tuple[str, list[tuple[str, str]]]:
    texts = run.work.core.texts
    language = run.language
    params: dict[str, Any] = {"help_word": command_word(language, Command.HELP), **effect.params}
    if effect.every_language:
        lines = []
        for code in run.config.languages:
            localised = {**params, "help_word": command_word(code, Command.HELP)}
            lines.append(texts.text(code, effect.key, **localised))
        text = "\n".join(dict.fromkeys(lines))
    else:
        text = texts.text(language, effect.key, **params)
    return text, [(option.value, _label(run, option)) for option in effect.options]


def _label(run: Run, option: Option) -> str:
    if option.label is not None:
        return option.label
    if option.label_key is not None:
        return run.work.core.texts.text(run.language, option.label_key)
    return option.value


async def say(run: Run, effect: Say) -> None:
    text, choices = render(run, effect)
    if run.erased:
        await queue_system_message(run.work, run, text, language=run.language)
        return
    message = await store_message(run.work, run.conversation, Author.BOT, text, redact=False)
    event = EVENT_OF_KEY.get(effect.key)
    name = effect.params.get("name") if event == "joined" else None
    await queue_outbound(
        run.work,
        run.conversation,
        text=text,
        author=Author.BOT,
        choices=choices,
        message=message,
        event=event,
        display_name=str(name) if name is not None else None,
    )


async def store_message(
    work: Work,
    conversation: Conversation,
    author: Author,
    text: str,
    *,
    kind: str = "text",
    redact: bool = True,
    author_user_id: str | None = None,
    platform_ref: str | None = None,
    readable_names: frozenset[str] = frozenset(),
) -> Message:
    """Redact (resident and counsellor text), seal and store one message.

    `readable_names` are words left readable where the redactor takes them for a name: a
    counsellor's own display name in their reply is not a resident's personal data.
    """
    message_id = new_id()
    key = await conversation_key(work, conversation.id)
    placeholders: tuple[Placeholder, ...] = ()
    items: list[PiiItem] = []
    stored_text = text
    if redact and kind == "text":
        redaction = work.core.redactor.redact(text)
        if readable_names and redaction.findings:
            redaction = keep_readable(
                text,
                redaction,
                lambda f: (
                    f.kind is Kind.PERSON_NAME
                    and set(text[f.start : f.end].casefold().split()) <= readable_names
                ),
            )
        stored_text = redaction.text
        if redaction.findings:
            vault = await work.core.keys.get(work.session, conversation.id, KeyPurpose.PII_VAULT)
            spans = []
            pairs = zip(redaction.findings, redaction.placeholder_spans, strict=True)
            for ordinal, (finding, (start, end)) in enumerate(pairs):
                item_id = new_id()
                original = text[finding.start : finding.end]
                items.append(
                    PiiItem.row(
                        id=item_id,
                        conversation_id=conversation.id,
                        message_id=message_id,
                        ordinal=ordinal,
                        kind=str(finding.kind),
                        sealed_value=seal(vault, original, aad=f"pii:{item_id}"),
                        created_at=work.core.now(),
                    )
                )
                spans.append(Placeholder(start, end, str(finding.kind), ordinal))
                work.core.metrics.redaction_findings.labels(kind=str(finding.kind)).inc()
            placeholders = tuple(spans)
    body = MessageBody(stored_text, placeholders).encode()
    message = Message.row(
        id=message_id,
        conversation_id=conversation.id,
        author=str(author),
        author_user_id=author_user_id,
        kind=kind,
        sealed_body=seal(key, body, aad=f"message:{message_id}"),
        sealed_platform_ref=(
            seal(key, platform_ref, aad=f"platform-ref:{message_id}") if platform_ref else None
        ),
        redacted_items=len(placeholders),
        created_at=work.core.now(),
    )
    add_row(work.session, message)
    for item in items:
        add_row(work.session, item)
    work.publish(
        conversation_topic(conversation.id),
        "message.created",
        conversation=conversation.id,
        message=message_id,
        author=str(author),
    )
    if author is Author.RESIDENT:
        work.publish(
            queue_topic(conversation.queue_id),
            "conversation.activity",
            conversation=conversation.id,
        )
    return message


# Bot texts that mark a moment a front end may show specially.
EVENT_OF_KEY = {
    "counsellor_joined": "joined",
    "chat_ended": "ended",
    "idle_closed": "ended",
    "ended_by_resident": "ended",
}


def outbound_payload(
    *,
    text: str,
    author: Author,
    choices: list[tuple[str, str]],
    message: Message | None,
    display_name: str | None = None,
    reply_address: str | None = None,
    withdraw: list[str] | None = None,
    event: str | None = None,
    language: str | None = None,
) -> str:
    payload: dict[str, Any] = {
        "text": text,
        "author": str(author),
        "choices": choices,
        "display_name": display_name,
        "message_id": message.id if message else None,
        "at": message.created_at.isoformat() if message else None,
        "event": event,
        "language": language,
    }
    if reply_address is not None:
        payload["reply_address"] = reply_address
    if withdraw:
        payload["withdraw"] = withdraw
    return json.dumps(payload, ensure_ascii=False)


async def queue_outbound(
    work: Work,
    conversation: Conversation,
    *,
    text: str,
    author: Author,
    choices: list[tuple[str, str]] | None = None,
    message: Message | None = None,
    display_name: str | None = None,
    event: str | None = None,
) -> OutboxRow:
    outbox_id = new_id()
    key = await conversation_key(work, conversation.id)
    payload = outbound_payload(
        text=text,
        author=author,
        choices=choices or [],
        message=message,
        display_name=display_name,
        event=event,
        language=conversation.language,
    )
    row = OutboxRow.row(
        id=outbox_id,
        conversation_id=conversation.id,
        channel=conversation.channel,
        message_id=message.id if message else None,
        sealed_payload=seal(key, payload, aad=f"outbox:{outbox_id}"),
        created_at=work.core.now(),
        next_attempt_at=work.core.now(),
    )
    add_row(work.session, row)
    work.outbox_added = True
    return row


async def queue_system_message(
    work: Work,
    run: Run | None,
    text: str,
    *,
    channel: str | None = None,
    reply_address: str | None = None,
    withdraw: list[str] | None = None,
    language: str | None = None,
) -> OutboxRow:
    """A message with no conversation behind it (after erasure, to a blocked resident).

    Sealed with the system key, reply address inside the sealed payload.
    """
    if run is not None:
        channel = run.conversation.channel
        reply_address = run.erased_reply_address
        withdraw = run.withdraw
        run.withdraw = []
    assert channel is not None and reply_address is not None
    outbox_id = new_id()
    key = await work.core.keys.system_key(work.session)
    payload = outbound_payload(
        text=text,
        author=Author.BOT,
        choices=[],
        message=None,
        reply_address=reply_address,
        withdraw=withdraw,
        language=language,
    )
    row = OutboxRow.row(
        id=outbox_id,
        conversation_id=None,
        channel=channel,
        sealed_payload=seal(key, payload, aad=f"outbox:{outbox_id}"),
        created_at=work.core.now(),
        next_attempt_at=work.core.now(),
    )
    add_row(work.session, row)
    work.outbox_added = True
    return row


async def record_feedback(work: Work, queue_id: str, question: str, answer: str) -> None:
    """Add one to an anonymous count; nothing links it to the conversation."""
    day = work.core.now().astimezone(HELSINKI).date().isoformat()
    values = {"queue_id": queue_id, "day": day, "question": question, "answer": answer, "count": 1}
    bind = work.session.bind
    dialect = bind.dialect.name if bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(FeedbackCount).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["queue_id", "day", "question", "answer"],
        set_={"count": table_of(FeedbackCount).c.count + 1},
    )
    await work.session.execute(statement)


async def erase_resident(run: Run) -> None:
    """Crypto-shred every conversation of this resident on this channel, at once."""
    work, current = run.work, run.conversation
    run.erased_reply_address = await reply_address_of(work.core.keys, work.session, current)
    conversations = await conversation_store.of_pseudonym(work.session, current.pseudonym)
    ids = [c.id for c in conversations if c.channel == current.channel]
    withdraw: list[str] = []
    for conversation_id in ids:
        withdraw += await conversation_store.delivery_ids(work.session, conversation_id)
        withdraw += await _resident_platform_refs(work, conversation_id)
    for conversation_id in ids:
        await work.core.keys.destroy(
            work.session, conversation_id, (KeyPurpose.CONVERSATION, KeyPurpose.PII_VAULT)
        )
    await work.session.execute(delete(Conversation).where(col(Conversation.id).in_(ids)))
    run.erased = True
    run.withdraw = withdraw
    await work.audit(
        Actor("resident", "resident"),
        AuditAction.ERASE,
        object_type="conversation",
        object_id=",".join(ids) if len(ids) <= 5 else f"{len(ids)} conversations",
        subject_ref=current.pseudonym,
        purpose="resident request: delete my data",
    )
    for conversation_id in ids:
        work.publish(
            conversation_topic(conversation_id), "conversation.erased", conversation=conversation_id
        )
        work.publish("staff", "conversation.erased", conversation=conversation_id)


async def _resident_platform_refs(work: Work, conversation_id: str) -> list[str]:
    key = await conversation_key(work, conversation_id)
    refs = []
    for message in await conversation_store.messages(work.session, conversation_id):
        if message.sealed_platform_ref is not None:
            refs.append(
                "in:" + unseal(key, message.sealed_platform_ref, aad=f"platform-ref:{message.id}")
            )
    return refs
