from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from bot.app import Service
from bot.store.tables import Conversation, Message
from bot.store.types import PlaintextRefused
from privacy.crypto import DataKey, seal, unseal
from tests.support.raw import raw_database


async def test_a_sealed_column_refuses_plain_text(service: Service) -> None:
    with pytest.raises(StatementError) as caught:
        async with service.core.database.session() as session:
            session.add(
                Conversation(
                    pseudonym="p_test",
                    channel="test",
                    state="new",
                    sealed_reply_address="chat 12345",  # type: ignore[arg-type]
                )
            )
    assert isinstance(caught.value.orig, PlaintextRefused)


async def test_a_sealed_column_refuses_raw_bytes_too(service: Service) -> None:
    key = DataKey.generate()
    with pytest.raises(StatementError):
        async with service.core.database.session() as session:
            conversation = Conversation(
                pseudonym="p_test",
                channel="test",
                state="new",
                sealed_reply_address=seal(key, "chat 1", aad="reply-address:x"),
            )
            session.add(conversation)
            await session.flush()
            session.add(
                Message(
                    conversation_id=conversation.id,
                    author="resident",
                    sealed_body=b"hello there",  # type: ignore[arg-type]
                )
            )


async def test_sealed_values_reach_the_file_only_as_ciphertext(service: Service) -> None:
    key = DataKey.generate()
    async with service.core.database.session() as session:
        conversation = Conversation(
            pseudonym="p_test",
            channel="test",
            state="new",
            sealed_reply_address=seal(key, "reply-address-zq9", aad="reply-address:x"),
        )
        session.add(conversation)
        await session.flush()
        session.add(
            Message(
                conversation_id=conversation.id,
                author="resident",
                sealed_body=seal(key, "secret message zq10", aad="message:m"),
            )
        )
    data = await raw_database(service)
    assert b"zq9" not in data
    assert b"zq10" not in data
    async with service.core.database.session() as session:
        stored = (await session.execute(select(Message))).scalar_one()
    assert stored.sealed_body is not None
    assert unseal(key, stored.sealed_body, aad="message:m") == "secret message zq10"
