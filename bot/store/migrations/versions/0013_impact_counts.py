"""impact counts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 15:20:00

Anonymous counters of closed conversations that outlive retention (bot/impact.py), and the
number of transfers of a conversation, which they count.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "impact_count",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("queue_id", sa.String(length=64), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "queue_id", "measure", "value"),
    )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("transfers", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("transfers")
    op.drop_table("impact_count")
