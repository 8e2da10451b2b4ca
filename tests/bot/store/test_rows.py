from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.app import Service
from bot.store.tables import InboundSeen, OutboxRow
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
