"""attachments: residents' files, sanitised and sealed

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 16:15:00

One row per file a resident sent (bot/store/attachments.py): the bytes rebuilt by
privacy.attachments.sanitise, sealed with the conversation's data key; kind, media type,
size and time in clear. Kept in the database, so several instances on PostgreSQL share them
and crypto-shredding a conversation covers its files.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.tables
import bot.store.types

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sealed_data", bot.store.types.SealedType(), nullable=False),
        sa.Column("created_at", bot.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index("ix_attachment_conversation", ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_message_id"), ["message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_message_id"))
        batch_op.drop_index("ix_attachment_conversation")
    op.drop_table("attachment")
