"""returning resident consent

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 09:00:00

A resident's answer to "may counsellors see your earlier chats?", by pseudonym
(bot/store/returning.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.tables

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "returning_consent",
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("agreed", sa.Boolean(), nullable=False),
        sa.Column("decided_at", bot.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pseudonym"),
    )


def downgrade() -> None:
    op.drop_table("returning_consent")
