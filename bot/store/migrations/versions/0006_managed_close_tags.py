"""managed close tags

Close tags become ids of tags that admins define per queue (table `close_tag`); a closing
may name only tags its queue offers.

The free-text tags stored until now are dropped, not kept: no tag is defined before this
migration, so none of them can be mapped to a defined tag, and keeping them would keep in
clear whatever a counsellor typed (a name, an identity code). Every conversation's
`close_tags` becomes `[]`. Their old bytes can linger in free database pages until they are
overwritten (SQLite) or vacuumed (PostgreSQL dead tuples); see docs/privacy.md. The
downgrade drops the table and cannot bring the old tags back.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 13:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "close_tag",
        sa.Column("queue_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired_at", bot.store.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", bot.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["queue_id"], ["queue.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("queue_id", "id"),
    )
    conversation = sa.table("conversation", sa.column("close_tags", sa.JSON()))
    op.execute(conversation.update().values(close_tags=[]))


def downgrade() -> None:
    op.drop_table("close_tag")
