"""library: the organisation's public documents, and which went into which conversation

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 02:40:00

`library_document` holds the forms and instructions an administrator published, made safe
like residents' files (no metadata), in clear: they are public. `library_send` records a
document sent into a conversation (with its message; both go with the conversation).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.tables

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "library_document",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", bot.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("library_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_library_document_language"), ["language"], unique=False
        )
    op.create_table(
        "library_send",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", bot.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["document_id"], ["library_document.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("library_send", schema=None) as batch_op:
        for column in ("conversation_id", "message_id", "document_id"):
            batch_op.create_index(batch_op.f(f"ix_library_send_{column}"), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("library_send", schema=None) as batch_op:
        for column in ("conversation_id", "message_id", "document_id"):
            batch_op.drop_index(batch_op.f(f"ix_library_send_{column}"))
    op.drop_table("library_send")
    with op.batch_alter_table("library_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_library_document_language"))
    op.drop_table("library_document")
