from __future__ import annotations

import pytest

from bot.app import Service
from tests.support.db import sqlite_only


@sqlite_only
async def test_a_nested_sqlite_session_fails_loudly_instead_of_deadlocking(
    service: Service,
) -> None:
    database = service.core.database
    with pytest.raises(RuntimeError, match="nested"):
        async with database.session():
            async with database.session():
                pass
    async with database.session():
        pass  # the lock was released
