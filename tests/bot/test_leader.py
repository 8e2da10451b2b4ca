from __future__ import annotations

import pytest

from bot.leader import Leadership
from tests.support.db import POSTGRES_URL, on_postgres


async def test_a_single_sqlite_instance_always_leads() -> None:
    assert await Leadership("sqlite+aiosqlite:///x.db").is_leader()


@on_postgres
async def test_exactly_one_of_two_instances_leads_and_the_other_takes_over() -> None:
    first, second = Leadership(POSTGRES_URL), Leadership(POSTGRES_URL)
    try:
        assert await first.is_leader()
        assert not await second.is_leader()
        assert await first.is_leader()  # keeps the lead while its connection lives
        await first.close()
        assert await second.is_leader()
    finally:
        await first.close()
        await second.close()


@pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not set")
async def test_an_unreachable_database_means_not_leading() -> None:
    nowhere = Leadership("postgresql+asyncpg://postgres@127.0.0.1:1/none")
    assert not await nowhere.is_leader()
