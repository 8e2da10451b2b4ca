"""key epochs

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty on an existing database: the epoch job records the current KEK version as
    # started when it first runs (bot/key_epochs.py), so the first epoch counts from then.
    op.create_table(
        "key_epoch",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("started_at", bot.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("destroyed_at", bot.store.tables.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("version"),
    )


def downgrade() -> None:
    op.drop_table("key_epoch")
