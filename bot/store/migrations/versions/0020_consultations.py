"""consultations: a consultant invited into one conversation, with the resident's consent

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 02:50:00

`consultant_account`: the organisation and end date of a staff account with the role
`consultant`. `consultation`: one invitation into one conversation (ids, a purpose code, the
recipient organisation, states and times; bot/store/consultations.py), gone with its
conversation. `consultation_share`: earlier messages the counsellor showed the consultant
(ids only), gone with the consultation or the message.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.tables

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consultant_account",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("valid_until", bot.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "consultation",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("consultant_id", sa.String(length=64), nullable=False),
        sa.Column("invited_by", sa.String(length=64), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("ended_by", sa.String(length=16), nullable=True),
        sa.Column("invited_at", bot.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("joined_at", bot.store.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", bot.store.tables.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["consultant_id"], ["staff_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultation_consultant_id"), ["consultant_id"], unique=False
        )

    op.create_table(
        "consultation_share",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("consultation_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("shared_by", sa.String(length=64), nullable=False),
        sa.Column("shared_at", bot.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("consultation_id", "message_id"),
    )
    with op.batch_alter_table("consultation_share", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_share_message_id"), ["message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("consultation_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_share_message_id"))
    op.drop_table("consultation_share")
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_consultant_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_conversation_id"))
    op.drop_table("consultation")
    op.drop_table("consultant_account")
