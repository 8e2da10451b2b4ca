from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, delete, select

from bot.app import Service
from bot.store.rows import RowSession, add_row, pending_count
from bot.store.tables import Conversation, InboundSeen, Message, OutboxRow, PiiItem
from privacy.crypto import Sealed

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_a_fast_row_is_the_same_object_the_constructor_makes() -> None:
    values = {
        "channel": "webchat",
        "sealed_payload": Sealed(b"\x01" + b"\x02" * 40),
        "created_at": NOW,
        "next_attempt_at": NOW,
    }
    built, fast = OutboxRow(**values), OutboxRow.row(**values)
    assert fast.model_dump(exclude={"id"}) == built.model_dump(exclude={"id"})
    assert fast.id and fast.id != built.id  # the id's default factory ran for each
    assert fast.__pydantic_fields_set__ == built.__pydantic_fields_set__ == set(values)
    assert fast.attempts == 0 and fast.delivered_at is None  # plain defaults filled in


def test_a_fast_row_refuses_unknown_fields_and_leaves_missing_ones_unset() -> None:
    with pytest.raises(TypeError, match="no field colour"):
        InboundSeen.row(key="k", created_at=NOW, colour="red")
    assert "key" not in InboundSeen.row(created_at=NOW).__dict__
    assert "key" not in InboundSeen(created_at=NOW).__dict__


async def test_a_fast_row_is_inserted_and_can_be_changed_before_the_flush(
    service: Service,
) -> None:
    async with service.core.database.session() as session:
        row = InboundSeen.row(key="first", created_at=NOW)
        row.key = "changed"
        session.add(row)
    async with service.core.database.session() as session:
        keys = (await session.execute(select(InboundSeen.key))).scalars().all()
    assert keys == ["changed"]


# ---- rows written without the unit of work (bot/store/rows.py) --------------------------------

SEALED = Sealed(b"\x01" + b"\x02" * 40)


def _conversation(conversation_id: str) -> Conversation:
    return Conversation(
        id=conversation_id,
        pseudonym="p",
        channel="webchat",
        state="new",
        sealed_reply_address=SEALED,
    )


def _message(conversation_id: str, message_id: str) -> Message:
    return Message.row(
        id=message_id,
        conversation_id=conversation_id,
        author="resident",
        sealed_body=SEALED,
        created_at=NOW,
    )


def _item(conversation_id: str, message_id: str, item_id: str) -> PiiItem:
    return PiiItem.row(
        id=item_id,
        conversation_id=conversation_id,
        message_id=message_id,
        ordinal=0,
        kind="phone",
        sealed_value=SEALED,
        created_at=NOW,
    )


async def _stored(service: Service, model: type[Message] | type[PiiItem]) -> list[str]:
    async with service.core.database.session() as session:
        return sorted((await session.execute(select(model.id))).scalars().all())


async def test_added_rows_are_written_at_commit_after_their_new_parent(service: Service) -> None:
    async with service.core.database.session() as session:
        session.add(_conversation("c1"))  # not flushed: the rows below need it first
        # A vault item before its message, as a caller may add them: written parent first.
        add_row(session, _item("c1", "m1", "i1"))
        add_row(session, _message("c1", "m1"))
        add_row(session, _message("c1", "m2"))
        assert pending_count(session) == 3
        assert [type(new) for new in session.new] == [Conversation]  # the rows are not tracked
    assert await _stored(service, Message) == ["m1", "m2"]
    assert await _stored(service, PiiItem) == ["i1"]


async def test_a_statement_in_the_same_transaction_sees_the_added_rows(service: Service) -> None:
    async with service.core.database.session() as session:
        session.add(_conversation("c1"))
        await session.flush()
        add_row(session, _message("c1", "m1"))
        found = (await session.execute(select(Message.id))).scalars().all()
        assert found == ["m1"] and pending_count(session) == 0
        # An erasure's bulk delete in the same transaction removes a row added just before.
        add_row(session, _message("c1", "m2"))
        await session.execute(delete(Message).where(col(Message.id) == "m2"))
        assert await session.get(Message, "m1") is not None
    assert await _stored(service, Message) == ["m1"]


async def test_a_rolled_back_transaction_writes_none_of_its_rows(service: Service) -> None:
    # One session for three transactions: rows of the rolled-back one must not be carried
    # into the next (`Database.session` closes its session, which would hide that).
    engine = service.core.database.engine
    async with AsyncSession(engine, sync_session_class=RowSession) as session:
        async with session.begin():
            session.add(_conversation("c1"))
        with pytest.raises(RuntimeError, match="refused"):
            async with session.begin():
                add_row(session, _message("c1", "m1"))
                raise RuntimeError("refused")
        async with session.begin():
            add_row(session, _message("c1", "m2"))
    assert await _stored(service, Message) == ["m2"]


async def test_a_row_changed_after_it_was_added_is_stored_as_it_was_at_the_write(
    service: Service,
) -> None:
    async with service.core.database.session() as session:
        session.add(_conversation("c1"))
        message = _message("c1", "m1")
        add_row(session, message)
        message.redacted_items = 3  # before the write: stored
        await session.flush()
        message.redacted_items = 5  # after: not tracked, so not stored
    async with service.core.database.session() as session:
        stored = await session.get(Message, "m1")
        assert stored is not None and stored.redacted_items == 3
