"""A raw connection to the test's database, past the service, as someone with database access.

For tests that play the tamperer (or the administrator editing a setting by hand): the same
SQL runs on SQLite (the file, with sqlite3) and on PostgreSQL (the test's own database, with
asyncpg). Write statements with `?` placeholders; they become `$1, $2, ...` on PostgreSQL
(so a literal `?` inside the SQL text is not supported). Everything inside one
`async with raw_database(settings)` block is one transaction, committed at its end.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from bot.config import Settings

_PLACEHOLDER = re.compile(r"\?")


class RawDatabase(Protocol):
    async def execute(self, statement: str, *parameters: object) -> None: ...

    async def scalar(self, statement: str, *parameters: object) -> Any:
        """The first column of the first row (None when there is no row)."""
        ...

    async def tables(self) -> set[str]:
        """The names of the tables there are (in PostgreSQL: in the current schema)."""
        ...


class _Sqlite:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    async def execute(self, statement: str, *parameters: object) -> None:
        self.connection.execute(statement, parameters)

    async def scalar(self, statement: str, *parameters: object) -> Any:
        row = self.connection.execute(statement, parameters).fetchone()
        return None if row is None else row[0]

    async def tables(self) -> set[str]:
        rows = self.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(name) for (name,) in rows}


class _Postgres:
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    @staticmethod
    def _numbered(statement: str) -> str:
        counter = iter(range(1, statement.count("?") + 1))
        return _PLACEHOLDER.sub(lambda _match: f"${next(counter)}", statement)

    async def execute(self, statement: str, *parameters: object) -> None:
        await self.connection.execute(self._numbered(statement), *parameters)

    async def scalar(self, statement: str, *parameters: object) -> Any:
        return await self.connection.fetchval(self._numbered(statement), *parameters)

    async def tables(self) -> set[str]:
        rows = await self.connection.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        return {str(row[0]) for row in rows}


def is_postgres(settings: Settings) -> bool:
    return settings.resolved_database_url.startswith("postgresql")


@asynccontextmanager
async def raw_database(settings: Settings) -> AsyncIterator[RawDatabase]:
    """One transaction on the database `settings` point at, outside the service's pool."""
    url = settings.resolved_database_url
    if is_postgres(settings):
        import asyncpg

        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            async with connection.transaction():
                yield _Postgres(connection)
        finally:
            await connection.close()
        return
    if not url.startswith("sqlite") or ":///" not in url:
        raise ValueError("neither a SQLite file nor PostgreSQL")
    raw = sqlite3.connect(url.split(":///", 1)[1])
    try:
        with raw:  # commits at the end of the block, rolls back on an error
            yield _Sqlite(raw)
    finally:
        raw.close()
