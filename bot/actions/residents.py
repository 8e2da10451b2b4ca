"""What a resident may see of their own conversation (the web chat's history on reconnect).

Only to the resident's own device, identified by the same platform identity that wrote it;
returns the redacted text as stored, never the PII vault.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.access import resident_name
from privacy.crypto import unseal
from privacy.pseudonym import pseudonymise

from ..conversation import Feedback, State
from ..conversation_keys import conversation_key
from ..effects import facts_of
from ..message_body import MessageBody
from ..sealed_formats import MESSAGE_BODY
from ..store import conversations as conversation_store
from ..store import library as library_store
from ..store import users as user_store
from .context import Core, Work, unit_of_work


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    id: str
    author: str
    text: str
    at: datetime
    display_name: str | None
    kind: str
    document_id: str | None = None
    """The library document a counsellor's message of kind `document` carried."""


@dataclass(frozen=True, slots=True)
class ResidentView:
    conversation_id: str | None
    state: str | None
    language: str | None
    history: tuple[HistoryEntry, ...]


async def resident_view(core: Core, channel: str, sender_id: str) -> ResidentView:
    """The resident's current conversation (if still open or awaiting feedback) and history."""
    pseudonym = pseudonymise(core.keyring.pepper, channel, sender_id)
    async with unit_of_work(core) as work:
        conversation = await conversation_store.latest_for(work.session, pseudonym, channel)
        if conversation is None:
            return ResidentView(None, None, None, ())
        feedback = facts_of(conversation).feedback
        if conversation.state == State.CLOSED and feedback in (Feedback.NONE, Feedback.DONE):
            return ResidentView(None, None, conversation.language, ())
        history = await _history(work, conversation.id)
        return ResidentView(conversation.id, conversation.state, conversation.language, history)


async def _history(work: Work, conversation_id: str) -> tuple[HistoryEntry, ...]:
    key = await conversation_key(work, conversation_id)
    names: dict[str, str] = {}
    entries = []
    documents = await library_store.sent_in(work.session, conversation_id)
    for message in await conversation_store.messages(work.session, conversation_id):
        body = MessageBody.decode(
            unseal(key, message.sealed_body, aad=MESSAGE_BODY.context(message.id))
        )
        display_name = None
        if message.author_user_id:
            if message.author_user_id not in names:
                user = await user_store.by_id(work.session, message.author_user_id)
                names[message.author_user_id] = resident_name(user) if user else ""
            display_name = names[message.author_user_id] or None
        entries.append(
            HistoryEntry(
                message.id,
                message.author,
                body.text,
                message.created_at,
                display_name,
                message.kind,
                documents[message.id].id if message.id in documents else None,
            )
        )
    return tuple(entries)
