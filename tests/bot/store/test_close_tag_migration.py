"""Migration 0006: the free-text close tags stored before it are dropped, not kept in clear."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Connection

from bot.store.db import Database, alembic_config
from tests.support.db import POSTGRES_URL, database_url, postgres_admin

HETU = "131052-308T"

CONVERSATION = sa.table(
    "conversation",
    sa.column("id", sa.String),
    sa.column("pseudonym", sa.String),
    sa.column("channel", sa.String),
    sa.column("state", sa.String),
    sa.column("queue_id", sa.String),
    sa.column("urgent", sa.Boolean),
    sa.column("sealed_reply_address", sa.LargeBinary),
    sa.column("triage", sa.JSON),
    sa.column("close_outcome", sa.String),
    sa.column("close_tags", sa.JSON),
    sa.column("delivery_failed", sa.Boolean),
    sa.column("version", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("last_activity_at", sa.DateTime(timezone=True)),
)


def _upgrade_to(revision: str) -> Callable[[Connection], None]:
    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    return run


def _closed_with_free_text_tags(connection: Connection) -> None:
    now = datetime.now(UTC)
    connection.execute(
        CONVERSATION.insert().values(
            id="c1",
            pseudonym="p" * 64,
            channel="test",
            state="closed",
            queue_id="general",
            urgent=False,
            sealed_reply_address=b"\x01sealed",
            triage={},
            close_outcome="other",
            close_tags=[f"asiakas {HETU}", "Maija Virtanenzq"],
            delivery_failed=False,
            version=1,
            created_at=now,
            updated_at=now,
            last_activity_at=now,
        )
    )


@pytest.fixture
async def empty_database(tmp_path: Path) -> AsyncIterator[Database]:
    """A database no migration has touched yet (SQLite file, or a new PostgreSQL database)."""
    if not POSTGRES_URL:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
        yield database
        await database.dispose()
        return
    name = f"m_{uuid.uuid4().hex[:16]}"
    await postgres_admin(f"CREATE DATABASE {name}")
    database = Database(database_url(name))
    yield database
    await database.dispose()
    await postgres_admin(f"DROP DATABASE {name} WITH (FORCE)")


async def test_free_text_close_tags_stored_before_the_migration_are_dropped(
    empty_database: Database,
) -> None:
    database = empty_database
    async with database.engine.begin() as connection:
        await connection.run_sync(_upgrade_to("0005"))
        await connection.run_sync(_closed_with_free_text_tags)
    async with database.engine.begin() as connection:
        await connection.run_sync(_upgrade_to("0006"))
        rows = (
            await connection.execute(sa.select(CONVERSATION.c.id, CONVERSATION.c.close_tags))
        ).all()
    assert [(row.id, row.close_tags) for row in rows] == [("c1", [])]
    if database.sqlite_path is not None:
        # Rewritten in place, not left in a free page or the log (the engine's secure_delete).
        await database.dispose()
        with sqlite3.connect(database.sqlite_path) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        stored = database.sqlite_path.read_bytes()
        assert HETU.encode() not in stored and b"Virtanenzq" not in stored
