"""key ring fingerprints

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty on an existing database: the first start after the upgrade checks the keys against
    # the data they wrapped, then records them (bot/store/key_ring.py).
    op.create_table(
        "key_ring_fingerprint",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", bot.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "version"),
    )


def downgrade() -> None:
    op.drop_table("key_ring_fingerprint")
