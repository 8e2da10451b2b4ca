"""block origin

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 15:10:00

A web-chat block also names the network the resident wrote from, as a keyed digest, so that
a new session does not escape it; the conversation keeps its latest one sealed
(bot/origins.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_origin", bot.store.types.SealedType(), nullable=True))
    with op.batch_alter_table("block", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin_digest", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_block_origin_digest"), ["origin_digest"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("block", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_block_origin_digest"))
        batch_op.drop_column("origin_digest")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("sealed_origin")
