"""queue waits: the rolling aggregate of recent waits

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 12:30:00

Wait estimates read `queue_wait` (bot/store/queue_waits.py) instead of the conversation
table: one row per claim with its queue, language, claim time and seconds waited, and no
conversation id or pseudonym. Triggers on `conversation` write it whenever a claim time is
set (the claim's conditional update, or a row stored already claimed), in the same
transaction, on every instance. The last three hours of claims are copied in, so estimates
do not start again from the default on upgrade.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import bot.store.tables

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

WINDOW = timedelta(hours=3)  # bot/store/queue_waits.py WINDOW when this was written

_conversation = sa.table(
    "conversation",
    sa.column("queue_id", sa.String),
    sa.column("language", sa.String),
    sa.column("queued_at", bot.store.tables.UTCDateTime(timezone=True)),
    sa.column("claimed_at", bot.store.tables.UTCDateTime(timezone=True)),
)
_queue_wait = sa.table(
    "queue_wait",
    sa.column("queue_id", sa.String),
    sa.column("language", sa.String),
    sa.column("claimed_at", bot.store.tables.UTCDateTime(timezone=True)),
    sa.column("waited_seconds", sa.Float),
)

# SQLite keeps times as text; julianday reads them to the millisecond.
_SQLITE_ROW = """
INSERT INTO queue_wait (queue_id, language, claimed_at, waited_seconds)
VALUES (NEW.queue_id, NEW.language, NEW.claimed_at,
        max(0.0, round((julianday(NEW.claimed_at) - julianday(NEW.queued_at)) * 86400.0, 3)));
"""
_SQLITE = (
    f"""
CREATE TRIGGER conversation_claim_wait AFTER UPDATE OF claimed_at ON conversation
FOR EACH ROW WHEN NEW.claimed_at IS NOT NULL AND NEW.queued_at IS NOT NULL
    AND NEW.queue_id IS NOT NULL AND (OLD.claimed_at IS NULL OR OLD.claimed_at <> NEW.claimed_at)
BEGIN {_SQLITE_ROW} END
""",
    f"""
CREATE TRIGGER conversation_claimed_row_wait AFTER INSERT ON conversation
FOR EACH ROW WHEN NEW.claimed_at IS NOT NULL AND NEW.queued_at IS NOT NULL
    AND NEW.queue_id IS NOT NULL
BEGIN {_SQLITE_ROW} END
""",
)
_POSTGRES = (
    """
CREATE FUNCTION record_queue_wait() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.queued_at IS NOT NULL AND NEW.queue_id IS NOT NULL THEN
        INSERT INTO queue_wait (queue_id, language, claimed_at, waited_seconds)
        VALUES (NEW.queue_id, NEW.language, NEW.claimed_at,
                GREATEST(0, EXTRACT(EPOCH FROM NEW.claimed_at - NEW.queued_at)));
    END IF;
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER conversation_claim_wait AFTER UPDATE OF claimed_at ON conversation
FOR EACH ROW WHEN (NEW.claimed_at IS NOT NULL AND NEW.claimed_at IS DISTINCT FROM OLD.claimed_at)
EXECUTE FUNCTION record_queue_wait()
""",
    """
CREATE TRIGGER conversation_claimed_row_wait AFTER INSERT ON conversation
FOR EACH ROW WHEN (NEW.claimed_at IS NOT NULL)
EXECUTE FUNCTION record_queue_wait()
""",
)


def upgrade() -> None:
    op.create_table(
        "queue_wait",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("claimed_at", bot.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("waited_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("queue_wait", schema=None) as batch_op:
        batch_op.create_index("ix_queue_wait_queue_claimed", ["queue_id", "claimed_at"])
        batch_op.create_index("ix_queue_wait_route_claimed", ["queue_id", "language", "claimed_at"])
    bind = op.get_bind()
    claimed = bind.execute(
        sa.select(_conversation).where(
            _conversation.c.claimed_at >= datetime.now(UTC) - WINDOW,
            _conversation.c.queued_at.is_not(None),
            _conversation.c.queue_id.is_not(None),
        )
    ).all()
    if claimed:
        bind.execute(
            _queue_wait.insert(),
            [
                {
                    "queue_id": row.queue_id,
                    "language": row.language,
                    "claimed_at": row.claimed_at,
                    "waited_seconds": max(0.0, (row.claimed_at - row.queued_at).total_seconds()),
                }
                for row in claimed
            ],
        )
    for statement in _SQLITE if bind.dialect.name == "sqlite" else _POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER conversation_claimed_row_wait")
        op.execute("DROP TRIGGER conversation_claim_wait")
    else:
        op.execute("DROP TRIGGER conversation_claimed_row_wait ON conversation")
        op.execute("DROP TRIGGER conversation_claim_wait ON conversation")
        op.execute("DROP FUNCTION record_queue_wait()")
    with op.batch_alter_table("queue_wait", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_wait_route_claimed")
        batch_op.drop_index("ix_queue_wait_queue_claimed")
    op.drop_table("queue_wait")
