"""block queue

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:20:00

A block belongs to the queue of the conversation it came from: that decides who may see and
lift it. Existing blocks take it from their creation's audit record, which names the queue as
its unit (blocks made before a conversation reached a queue keep none: supervisors only).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("block", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queue_id", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_block_queue_id"), ["queue_id"], unique=False)
    op.execute(
        sa.text(
            "UPDATE block SET queue_id = (SELECT NULLIF(a.unit, '') FROM audit_record a "
            "WHERE a.object_type = 'block' AND a.action = 'block' "
            "AND a.object_id = block.id LIMIT 1)"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("block", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_block_queue_id"))
        batch_op.drop_column("queue_id")
