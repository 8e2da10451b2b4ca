"""Queues messages for delivery: one outbox row each, its payload sealed.

A conversation's rows are sealed with its key (its reply address stays in the conversation);
a row without a conversation is sealed with the system key, the address inside. Never sends.
"""

from __future__ import annotations

from collections.abc import Sequence

from privacy.crypto import Sealed, seal

from .conversation_keys import conversation_key
from .core import Work
from .events import Author
from .ids import new_id
from .sealed_formats import OUTBOX_PAYLOAD, OutboxPayload
from .store.rows import add_row
from .store.tables import Conversation, Message, OutboxRow


async def queue_outbound(
    work: Work,
    conversation: Conversation,
    *,
    text: str,
    author: Author,
    choices: Sequence[tuple[str, str]] = (),
    message: Message | None = None,
    display_name: str | None = None,
    event: str | None = None,
    document: str | None = None,
) -> OutboxRow:
    """A message to the conversation's resident, in the conversation's order; `document`, the
    id of a library document it carries."""
    outbox_id = new_id()
    key = await conversation_key(work, conversation.id)
    payload = OutboxPayload(
        text=text,
        author=author,
        choices=tuple(choices),
        display_name=display_name,
        message_id=message.id if message else None,
        at=message.created_at.isoformat() if message else None,
        event=event,
        language=conversation.language,
        document=document,
    )
    return _add_row(
        work,
        outbox_id,
        seal(key, payload.to_json(), aad=OUTBOX_PAYLOAD.context(outbox_id)),
        channel=conversation.channel,
        conversation_id=conversation.id,
        message_id=message.id if message else None,
    )


async def queue_system_message(
    work: Work,
    text: str,
    *,
    channel: str,
    reply_address: str,
    withdraw: Sequence[str] = (),
    language: str | None = None,
) -> OutboxRow:
    """A message with no conversation behind it (after erasure, to a blocked resident).

    Sealed with the system key, reply address inside the sealed payload.
    """
    outbox_id = new_id()
    key = await work.core.keys.system_key(work.session)
    payload = OutboxPayload(
        text=text,
        reply_address=reply_address,
        withdraw=tuple(withdraw),
        language=language,
    )
    return _add_row(
        work,
        outbox_id,
        seal(key, payload.to_json(), aad=OUTBOX_PAYLOAD.context(outbox_id)),
        channel=channel,
    )


def _add_row(
    work: Work,
    outbox_id: str,
    sealed_payload: Sealed,
    *,
    channel: str,
    conversation_id: str | None = None,
    message_id: str | None = None,
) -> OutboxRow:
    """Add the row, due now, and tell the unit of work to wake the outbox after commit."""
    row = OutboxRow.row(
        id=outbox_id,
        conversation_id=conversation_id,
        channel=channel,
        message_id=message_id,
        sealed_payload=sealed_payload,
        created_at=work.core.now(),
        next_attempt_at=work.core.now(),
    )
    add_row(work.session, row)
    work.outbox_added = True
    return row
