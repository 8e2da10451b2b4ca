"""Migration 0016: what other code kept in the machine's `triage` JSON moves to columns."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Connection

from bot.store.db import Database, alembic_config
from bot.store.tables import UTCDateTime
from tests.bot.store.test_close_tag_migration import CONVERSATION, _upgrade_to
from tests.bot.store.test_close_tag_migration import empty_database as empty_database

REPLIED = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
MOVED = sa.table(
    "conversation",
    sa.column("id", sa.String),
    sa.column("triage", sa.JSON),
    sa.column("last_reply_at", UTCDateTime(timezone=True)),
    sa.column("told_position", sa.Integer),
)


def _downgrade_to_0015(connection: Connection) -> None:
    command.downgrade(alembic_config(connection), "0015")


def _row(conversation_id: str, triage: dict[str, object]) -> dict[str, object]:
    now = datetime.now(UTC)
    return {
        "id": conversation_id,
        "pseudonym": conversation_id * 64,
        "channel": "test",
        "state": "active",
        "queue_id": "general",
        "urgent": False,
        "sealed_reply_address": b"\x01sealed",
        "triage": triage,
        "close_outcome": None,
        "close_tags": [],
        "delivery_failed": False,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "last_activity_at": now,
    }


async def test_reply_time_and_told_position_leave_the_facts_for_columns(
    empty_database: Database,
) -> None:
    facts = {"feedback": "", "options": ["a"], "changing_language": False, "told_saved": False}
    async with empty_database.engine.begin() as connection:
        await connection.run_sync(_upgrade_to("0015"))
        await connection.execute(
            CONVERSATION.insert(),
            [
                _row("a", {**facts, "last_reply_at": REPLIED.isoformat(), "told_position": 3}),
                _row("b", facts),
            ],
        )
    async with empty_database.engine.begin() as connection:
        await connection.run_sync(_upgrade_to("0016"))
        rows = (await connection.execute(sa.select(MOVED).order_by(MOVED.c.id))).all()
    assert [(r.id, r.triage, r.last_reply_at, r.told_position) for r in rows] == [
        ("a", facts, REPLIED, 3),
        ("b", facts, None, None),
    ]
    async with empty_database.engine.begin() as connection:
        await connection.run_sync(_downgrade_to_0015)
        restored = (
            await connection.execute(sa.select(CONVERSATION.c.triage).order_by(CONVERSATION.c.id))
        ).all()
    assert restored[0].triage == {
        **facts,
        "last_reply_at": REPLIED.isoformat(),
        "told_position": 3,
    }
    assert restored[1].triage == facts
