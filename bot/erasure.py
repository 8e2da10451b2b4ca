"""A resident's "delete my data": crypto-shreds every conversation of theirs on one channel.

Destroys the data keys and deletes the rows in the caller's transaction; what the platform
still shows is returned for withdrawal. Never keeps a copy of anything it erases.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, delete

from privacy.audit import AuditAction
from privacy.crypto import unseal

from .conversation_keys import conversation_key, reply_address_of
from .core import Actor, Work
from .hub_topics import conversation_topic
from .sealed_formats import PLATFORM_REF
from .sealing import CONVERSATION_PURPOSES
from .store import conversations as conversation_store
from .store import returning
from .store.tables import Conversation


@dataclass(frozen=True, slots=True)
class Erased:
    """Where to tell the resident it is done, and what to withdraw from the platform."""

    reply_address: str
    withdraw: list[str]


async def erase_resident(work: Work, current: Conversation) -> Erased:
    """Crypto-shred every conversation of this resident on this channel, at once."""
    reply_address = await reply_address_of(work.core.keys, work.session, current)
    conversations = await conversation_store.of_pseudonym(work.session, current.pseudonym)
    ids = [c.id for c in conversations if c.channel == current.channel]
    withdraw: list[str] = []
    for conversation_id in ids:
        withdraw += await conversation_store.delivery_ids(work.session, conversation_id)
        withdraw += await _resident_platform_refs(work, conversation_id)
    for conversation_id in ids:
        await work.core.keys.destroy(work.session, conversation_id, CONVERSATION_PURPOSES)
    await work.session.execute(delete(Conversation).where(col(Conversation.id).in_(ids)))
    await returning.forget(work.session, [current.pseudonym])
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
    return Erased(reply_address, withdraw)


async def _resident_platform_refs(work: Work, conversation_id: str) -> list[str]:
    key = await conversation_key(work, conversation_id)
    refs = []
    for message in await conversation_store.messages(work.session, conversation_id):
        if message.sealed_platform_ref is not None:
            sealed = message.sealed_platform_ref
            refs.append("in:" + unseal(key, sealed, aad=PLATFORM_REF.context(message.id)))
    return refs
