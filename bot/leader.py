"""Which instance runs the scheduled jobs when several share one PostgreSQL database.

A session-level advisory lock on a dedicated connection: whoever holds it leads, and a lost
connection releases it for another instance. SQLite means one instance, always the leader.
"""

from __future__ import annotations

import logging
from typing import Any

from .logs import log_event

log = logging.getLogger("somesossu.leader")

# Any constant works; it names the one lock all instances contend for.
LEADER_LOCK_ID = 0x50_4A_4F_42_53


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


class Leadership:
    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._postgres = database_url.startswith("postgresql")
        self._connection: Any = None
        self._leading = not self._postgres

    async def is_leader(self) -> bool:
        """Whether this instance should run the jobs now; tries to take the lead if free."""
        if not self._postgres:
            return True
        if self._connection is not None and not self._connection.is_closed():
            return self._leading
        self._leading = False
        try:
            import asyncpg

            self._connection = await asyncpg.connect(asyncpg_dsn(self._url), timeout=10)
            self._leading = bool(
                await self._connection.fetchval("SELECT pg_try_advisory_lock($1)", LEADER_LOCK_ID)
            )
        except (OSError, TimeoutError) as error:
            log_event(log, "leader.unreachable", logging.WARNING, error=type(error).__name__)
            return False
        if not self._leading:
            # Someone else leads: let go of the connection and ask again next time.
            await self._connection.close()
            self._connection = None
        else:
            log_event(log, "leader.acquired")
        return self._leading

    async def close(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            await self._connection.close()
        self._connection = None
        self._leading = not self._postgres
