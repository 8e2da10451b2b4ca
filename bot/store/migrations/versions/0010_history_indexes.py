"""history indexes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 17:40:00

Indexes that keep the hot queries independent of how many conversations the service has
kept: recent waits of a queue (queue, claimed time), a counsellor's active count (assignee,
state) and the listing of closed conversations, newest first (state, closed time).
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.create_index("ix_conversation_queue_claimed", ["queue_id", "claimed_at"])
        batch_op.create_index("ix_conversation_assigned_state", ["assigned_to", "state"])
        batch_op.create_index("ix_conversation_state_closed", ["state", "closed_at"])


def downgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_state_closed")
        batch_op.drop_index("ix_conversation_assigned_state")
        batch_op.drop_index("ix_conversation_queue_claimed")
