"""language routing

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 16:00:00

Counsellors' languages, a queue's fallback for a language nobody in it speaks, and the
"interpreter needed" mark on a conversation (bot/language_routing.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("languages", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("queue", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language_fallback", sa.String(length=64), nullable=False, server_default="")
        )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("interpreter_needed", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("interpreter_needed")
    with op.batch_alter_table("queue", schema=None) as batch_op:
        batch_op.drop_column("language_fallback")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("languages")
