"""Migration 0018: the rolling aggregate of recent waits, filled from the last three hours of
claims so that estimates do not start again from the default, and its triggers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Connection

from bot.store.db import Database, alembic_config
from bot.store.tables import UTCDateTime
from tests.bot.store.test_bookkeeping_migration import _row
from tests.bot.store.test_close_tag_migration import CONVERSATION, _upgrade_to
from tests.bot.store.test_close_tag_migration import empty_database as empty_database

CLAIMS = sa.table(
    "conversation",
    sa.column("id", sa.String),
    sa.column("language", sa.String),
    sa.column("queued_at", UTCDateTime(timezone=True)),
    sa.column("claimed_at", UTCDateTime(timezone=True)),
)
WAITS = sa.table(
    "queue_wait",
    sa.column("queue_id", sa.String),
    sa.column("language", sa.String),
    sa.column("claimed_at", UTCDateTime(timezone=True)),
    sa.column("waited_seconds", sa.Float),
)


def _downgrade_to_0017(connection: Connection) -> None:
    command.downgrade(alembic_config(connection), "0017")


def _tables(connection: Connection) -> set[str]:
    return set(sa.inspect(connection).get_table_names())


async def _claim(database: Database, conversation_id: str, at: datetime) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(
            CLAIMS.update().where(CLAIMS.c.id == conversation_id).values(claimed_at=at)
        )


async def _waits(database: Database) -> list[tuple[str, str | None, float]]:
    async with database.engine.begin() as connection:
        rows = await connection.execute(
            sa.select(WAITS.c.queue_id, WAITS.c.language, WAITS.c.waited_seconds).order_by(
                WAITS.c.waited_seconds
            )
        )
        return [(r.queue_id, r.language, r.waited_seconds) for r in rows]


async def test_the_last_three_hours_of_claims_are_copied_in_and_claims_are_recorded(
    empty_database: Database,
) -> None:
    database = empty_database
    # Read when the test runs, not when the module was collected: the migration copies the
    # claims of the three hours before its own clock, and a long suite ran this test more
    # than ten minutes after collection, which moved a claim 2 h 50 min old out of the window.
    now = datetime.now(UTC)
    claims = {
        # id (a pseudonym of 64 of it): language, waited, claimed how long ago; "o" too long
        # ago, "w" waiting, "t" still triaging
        "f": ("fi", timedelta(minutes=10), timedelta(hours=1)),
        "n": (None, timedelta(minutes=4), timedelta(hours=2, minutes=50)),
        "o": ("fi", timedelta(minutes=7), timedelta(hours=3, minutes=10)),
    }
    async with database.engine.begin() as connection:
        await connection.run_sync(_upgrade_to("0017"))
        await connection.execute(
            CONVERSATION.insert(), [_row(name, {}) for name in [*claims, "w", "t"]]
        )
        for name, (language, waited, ago) in claims.items():
            await connection.execute(
                CLAIMS.update()
                .where(CLAIMS.c.id == name)
                .values(language=language, queued_at=now - ago - waited, claimed_at=now - ago)
            )
        await connection.execute(
            CLAIMS.update().where(CLAIMS.c.id == "w").values(queued_at=now, language="ru")
        )
    async with database.engine.begin() as connection:
        await connection.run_sync(_upgrade_to("0018"))
    assert await _waits(database) == [("general", None, 240.0), ("general", "fi", 600.0)]

    # From now on the database records each claim itself; one still triaging (no queue
    # time) waited for nothing and is not counted.
    await _claim(database, "w", now + timedelta(seconds=90))
    await _claim(database, "t", now)
    assert await _waits(database) == [
        ("general", "ru", 90.0),
        ("general", None, 240.0),
        ("general", "fi", 600.0),
    ]

    async with database.engine.begin() as connection:
        await connection.run_sync(_downgrade_to_0017)
        assert "queue_wait" not in await connection.run_sync(_tables)
    # The triggers went with it: a claim no longer writes to a table that is gone.
    await _claim(database, "w", now + timedelta(seconds=120))
    async with database.engine.begin() as connection:
        await connection.run_sync(_upgrade_to("0018"))
    assert [language for _, language, _ in await _waits(database)] == ["ru", None, "fi"]
