"""Adding to anonymous counters (feedback, impact figures) in one statement per call.

A row's `count` is added to the stored count of the row with the same key, or inserted when
there is none: `INSERT ... ON CONFLICT DO UPDATE`, spelled by SQLite's or PostgreSQL's
dialect. Several rows in one call must have different keys (PostgreSQL refuses to update a
row twice in one statement).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from .rows import table_of


async def add_counts(
    session: AsyncSession,
    table: type[Any],
    key: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """Add each row's `count` to the counter its `key` columns name."""
    if not rows:
        return
    bind = session.bind
    dialect = bind.dialect.name if bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(list(rows))
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={"count": table_of(table).c.count + statement.excluded.count},
    )
    await session.execute(statement)
