"""Everything the database holds, as raw bytes, to grep for plaintext that must not be there.

SQLite: the database file itself (after a WAL checkpoint) and its WAL. PostgreSQL: every
value of every table of the test's schema, bytes as stored (no hex encoding to hide behind).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.service import Service


async def raw_database(service: Service) -> bytes:
    database = service.core.database
    if database.is_sqlite:
        await database.dispose()
        path = database.url.split(":///", 1)[1]
        with sqlite3.connect(path) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = Path(path).read_bytes()
        wal = Path(path + "-wal")
        return data + (wal.read_bytes() if wal.exists() else b"")
    return await table_contents(database.engine)


async def table_contents(engine: AsyncEngine) -> bytes:
    """Every value of every table of the current schema, bytes as stored (a dump's content)."""
    chunks: list[bytes] = []
    async with engine.connect() as connection:
        tables = (
            await connection.execute(
                text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema()"
                )
            )
        ).scalars()
        for table in list(tables):
            rows = await connection.exec_driver_sql(f'SELECT * FROM "{table}"')  # noqa: S608
            for row in rows:
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode())
    return b"\n".join(chunks)
