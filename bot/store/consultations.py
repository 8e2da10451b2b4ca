"""Consultations (a consultant invited into one conversation) and consultant accounts.

Holds ids, states, times, a purpose code and an organisation's name: never a message, a
resident's identifier or the invitation's words. A consultation row goes with its
conversation (foreign key, cascade), so erasure and retention take it along.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String, UniqueConstraint
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, col, select

from bot.ids import new_id

from .tables import StaffUser, Table, UTCDateTime, _cascade, utcnow


class ConsultationState(StrEnum):
    ASKED = "asked"  # the resident has not answered yet
    JOINED = "joined"  # the resident agreed: the consultant is in the chat
    REFUSED = "refused"  # the resident said no: the consultant never joined
    ENDED = "ended"  # the consultant was in the chat and is no more
    LAPSED = "lapsed"  # withdrawn or ended before the resident answered


OPEN = (ConsultationState.ASKED.value, ConsultationState.JOINED.value)


class ConsultantAccount(Table, table=True):
    """What a `consultant` staff account has beyond the account: the organisation residents
    see, and the end date after which it neither signs in nor acts."""

    __tablename__ = "consultant_account"
    user_id: str = Field(
        sa_column=Column(
            String(64), ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True
        )
    )
    organisation: str = Field(max_length=200)
    valid_until: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Consultation(Table, table=True):
    """One consultant invited into one conversation, and how it went."""

    __tablename__ = "consultation"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    conversation_id: str = _cascade("conversation.id")
    consultant_id: str = _cascade("staff_user.id")
    invited_by: str = Field(max_length=64)
    organisation: str = Field(max_length=200)
    purpose: str = Field(max_length=32)
    state: str = Field(max_length=16, default=ConsultationState.ASKED.value)
    ended_by: str | None = Field(default=None, max_length=16)
    invited_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    joined_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class ConsultationShare(Table, table=True):
    """An earlier message the counsellor showed the consultant (each one a disclosure)."""

    __tablename__ = "consultation_share"
    __table_args__ = (UniqueConstraint("consultation_id", "message_id"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    consultation_id: str = _cascade("consultation.id", index=False)
    message_id: str = _cascade("message.id")
    shared_by: str = Field(max_length=64)
    shared_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


async def shared_ids(session: AsyncSession, consultation_id: str) -> set[str]:
    rows = await session.execute(
        select(ConsultationShare.message_id).where(
            col(ConsultationShare.consultation_id) == consultation_id
        )
    )
    return set(rows.scalars())


async def get(session: AsyncSession, consultation_id: str) -> Consultation | None:
    return await session.get(Consultation, consultation_id)


async def account(session: AsyncSession, user_id: str) -> ConsultantAccount | None:
    return await session.get(ConsultantAccount, user_id)


async def set_account(
    session: AsyncSession, user_id: str, organisation: str, valid_until: datetime
) -> ConsultantAccount:
    row = await session.get(ConsultantAccount, user_id)
    if row is None:
        row = ConsultantAccount(user_id=user_id, organisation=organisation, valid_until=valid_until)
    else:
        row.organisation, row.valid_until = organisation, valid_until
    session.add(row)
    return row


async def open_in(session: AsyncSession, conversation_id: str) -> list[Consultation]:
    """The conversation's consultations still asked or joined."""
    rows = await session.execute(
        select(Consultation).where(
            col(Consultation.conversation_id) == conversation_id, col(Consultation.state).in_(OPEN)
        )
    )
    return list(rows.scalars())


async def of_conversation(session: AsyncSession, conversation_id: str) -> list[Consultation]:
    rows = await session.execute(
        select(Consultation)
        .where(col(Consultation.conversation_id) == conversation_id)
        .order_by(col(Consultation.invited_at))
    )
    return list(rows.scalars())


async def of_consultant(session: AsyncSession, user_id: str) -> list[Consultation]:
    """A consultant's consultations that are open, newest first."""
    rows = await session.execute(
        select(Consultation)
        .where(col(Consultation.consultant_id) == user_id, col(Consultation.state).in_(OPEN))
        .order_by(col(Consultation.invited_at).desc())
    )
    return list(rows.scalars())


async def open_of_expired(session: AsyncSession, now: datetime) -> list[Consultation]:
    """Open consultations whose consultant's account has passed its end date."""
    rows = await session.execute(
        select(Consultation)
        .join(ConsultantAccount, col(ConsultantAccount.user_id) == Consultation.consultant_id)
        .where(col(Consultation.state).in_(OPEN), col(ConsultantAccount.valid_until) <= now)
    )
    return list(rows.scalars())


async def open_accounts(
    session: AsyncSession, now: datetime
) -> list[tuple[StaffUser, ConsultantAccount]]:
    """Accounts with a consultant's organisation and an end date still ahead, by name."""
    rows = await session.execute(
        select(StaffUser, ConsultantAccount)
        .join(ConsultantAccount, col(ConsultantAccount.user_id) == StaffUser.id)
        .where(col(ConsultantAccount.valid_until) > now)
        .order_by(col(StaffUser.display_name))
    )
    return [(user, account) for user, account in rows.all()]


def account_open(found: ConsultantAccount | None, now: datetime) -> bool:
    """A consultant account may sign in and act only with an end date still ahead."""
    return found is not None and found.valid_until > now
