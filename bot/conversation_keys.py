"""A conversation's data keys and its sealed reply address: opened once, read when sending.

Never writes a reply address in clear; erasure destroys these keys (bot/erasure.py).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from privacy.crypto import DataKey, seal, unseal

from .conversation import State
from .core import Work
from .ids import new_id
from .sealed_formats import REPLY_ADDRESS
from .sealing import KeyPurpose, KeyStore
from .store.tables import Conversation


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
        sealed_reply_address=seal(key, reply_address, aad=REPLY_ADDRESS.context(conversation_id)),
        created_at=now,
        updated_at=now,
        last_activity_at=now,
    )
    work.session.add(conversation)
    await work.session.flush()
    work.publish("staff", "conversation.created", conversation=conversation_id, channel=channel)
    return conversation


async def conversation_key(work: Work, conversation_id: str) -> DataKey:
    return await work.core.keys.get(work.session, conversation_id, KeyPurpose.CONVERSATION)


async def reply_address_of(
    keys: KeyStore, session: AsyncSession, conversation: Conversation
) -> str:
    key = await keys.get(session, conversation.id, KeyPurpose.CONVERSATION)
    return unseal(
        key, conversation.sealed_reply_address, aad=REPLY_ADDRESS.context(conversation.id)
    )
