"""Stores one chat message: redacted, sealed with the conversation's key, originals vaulted.

The removed originals go only into the PII vault, sealed with its own key; never stores,
logs or publishes the text itself (hub events carry ids).
"""

from __future__ import annotations

from privacy.crypto import seal
from privacy.redaction import Kind, Redaction, keep_readable

from .conversation_keys import conversation_key
from .core import Work
from .events import Author
from .hub_topics import conversation_topic, queue_topic
from .ids import new_id
from .message_body import MessageBody, Placeholder
from .sealed_formats import MESSAGE_BODY, PII_VALUE, PLATFORM_REF
from .sealing import KeyPurpose
from .store.rows import add_row
from .store.tables import Conversation, Message, PiiItem


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
    redaction: Redaction | None = None,
) -> Message:
    """Redact (resident and counsellor text), seal and store one message.

    `redaction`: the text's redaction when the caller has it already (the dispatcher's checks
    of a resident text, counted in the metrics there), so it is not redacted twice.

    `readable_names` are words left readable where the redactor takes them for a name: a
    counsellor's own display name in their reply is not a resident's personal data.
    """
    message_id = new_id()
    key = await conversation_key(work, conversation.id)
    placeholders: tuple[Placeholder, ...] = ()
    items: list[PiiItem] = []
    stored_text = text
    if redact and kind == "text":
        counted = redaction is not None
        if redaction is None:
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
                        sealed_value=seal(vault, original, aad=PII_VALUE.context(item_id)),
                        created_at=work.core.now(),
                    )
                )
                spans.append(Placeholder(start, end, str(finding.kind), ordinal))
                if not counted:
                    work.core.metrics.redaction_findings.labels(kind=str(finding.kind)).inc()
            placeholders = tuple(spans)
    body = MessageBody(stored_text, placeholders).encode()
    message = Message.row(
        id=message_id,
        conversation_id=conversation.id,
        author=str(author),
        author_user_id=author_user_id,
        kind=kind,
        sealed_body=seal(key, body, aad=MESSAGE_BODY.context(message_id)),
        sealed_platform_ref=(
            seal(key, platform_ref, aad=PLATFORM_REF.context(message_id)) if platform_ref else None
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
