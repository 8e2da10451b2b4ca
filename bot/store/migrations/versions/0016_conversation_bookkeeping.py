"""conversation bookkeeping out of the machine's facts

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 08:00:00

The `triage` JSON holds only the conversation machine's facts (bot/effects.py `store_facts`).
Two values other code kept there move to columns of their own: when a counsellor last
replied (the idle reminder's clock) and the queue position a waiting resident was last told.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import bot.store.tables

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_conversation = sa.table(
    "conversation",
    sa.column("id", sa.String),
    sa.column("triage", sa.JSON),
    sa.column("last_reply_at", bot.store.tables.UTCDateTime(timezone=True)),
    sa.column("told_position", sa.Integer),
)
_MOVED = ("last_reply_at", "told_position")


def upgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_reply_at", bot.store.tables.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("told_position", sa.Integer(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(_conversation.c.id, _conversation.c.triage)).all()
    for conversation_id, triage in rows:
        if not isinstance(triage, dict) or not any(key in triage for key in _MOVED):
            continue
        values: dict[str, Any] = {
            "triage": {key: value for key, value in triage.items() if key not in _MOVED}
        }
        if isinstance(triage.get("last_reply_at"), str):
            values["last_reply_at"] = datetime.fromisoformat(triage["last_reply_at"])
        if isinstance(triage.get("told_position"), int):
            values["told_position"] = triage["told_position"]
        bind.execute(
            _conversation.update().where(_conversation.c.id == conversation_id).values(**values)
        )


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            _conversation.c.id,
            _conversation.c.triage,
            _conversation.c.last_reply_at,
            _conversation.c.told_position,
        )
    ).all()
    for conversation_id, triage, last_reply_at, told_position in rows:
        if last_reply_at is None and told_position is None:
            continue
        restored = dict(triage or {})
        if last_reply_at is not None:
            restored["last_reply_at"] = last_reply_at.isoformat()
        if told_position is not None:
            restored["told_position"] = told_position
        bind.execute(
            _conversation.update()
            .where(_conversation.c.id == conversation_id)
            .values(triage=restored)
        )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("told_position")
        batch_op.drop_column("last_reply_at")
