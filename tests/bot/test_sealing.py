"""Data keys made on first use: two instances that both find a key missing agree on one."""

from __future__ import annotations

import pytest
from sqlmodel import col, func, select

from bot.core import Core
from bot.sealing import KeyPurpose, KeyStore
from bot.service import Service
from bot.store.tables import DataKeyRow
from privacy.crypto import DataKey
from privacy.errors import KeyUnavailable


async def keys_of(core: Core, owner_id: str) -> int:
    async with core.database.session() as session:
        query = select(func.count()).where(col(DataKeyRow.owner_id) == owner_id)
        return int((await session.execute(query)).scalar_one())


async def test_the_first_use_of_a_key_on_two_instances_at_once_keeps_one_key(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = service.core
    first, second = KeyStore(core.keyring), KeyStore(core.keyring)
    owner = "conversation-race"

    # The second instance looked for the key just before the first one committed it.
    looked = False
    original_get = second.get

    async def get_before_the_commit(*args: object) -> DataKey:
        nonlocal looked
        if not looked:
            looked = True
            raise KeyUnavailable("not yet committed")
        return await original_get(*args)  # type: ignore[arg-type]

    async with core.database.session() as session:
        made = await first.ensure(session, owner, KeyPurpose.ATTACHMENT)
    monkeypatch.setattr(second, "get", get_before_the_commit)
    async with core.database.session() as session:
        found = await second.ensure(session, owner, KeyPurpose.ATTACHMENT)

    assert looked
    assert found == made
    assert await keys_of(core, owner) == 1


async def test_a_key_made_on_first_use_is_the_one_read_later(service: Service) -> None:
    core = service.core
    async with core.database.session() as session:
        made = await KeyStore(core.keyring).ensure(session, "owner-1", KeyPurpose.ATTACHMENT)
        again = await KeyStore(core.keyring).ensure(session, "owner-1", KeyPurpose.ATTACHMENT)
    async with core.database.session() as session:
        read = await KeyStore(core.keyring).get(session, "owner-1", KeyPurpose.ATTACHMENT)
    assert made == again == read
    assert await keys_of(core, "owner-1") == 1
