"""SQLModel tables of group sessions, their participants and messages, and news opt-ins.

Resident content (message text, reply addresses) only in `SealedType` columns, sealed with the
session's own data key so that ending the session crypto-shreds it; attendance only as counts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, String
from sqlmodel import Field

from bot.ids import new_id
from privacy.crypto import Sealed

from .tables import Table, UTCDateTime, utcnow
from .types import SealedType


def _session_fk(*, nullable: bool = False) -> Any:
    return Field(
        sa_column=Column(
            String(64),
            ForeignKey("group_session.id", ondelete="CASCADE"),
            nullable=nullable,
            index=True,
        )
    )


def _when(*, nullable: bool = True, index: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=index))
    return Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=index)
    )


class GroupSession(Table, table=True):
    """A scheduled group session. Title, description and agenda are staff-written texts."""

    __tablename__ = "group_session"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    code: str = Field(max_length=16, unique=True, index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    language: str = Field(max_length=8)
    topic_id: str = Field(max_length=64)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    capacity: int = 12
    channels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    moderators: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    state: str = Field(default="scheduled", max_length=16, index=True)
    keep_transcript_hours: int = 0
    pinned_agenda: str | None = Field(default=None, max_length=500)
    created_by: str = Field(max_length=64)
    created_at: datetime = _when(nullable=False)
    opened_at: datetime | None = _when()
    ended_at: datetime | None = _when()
    transcript_until: datetime | None = _when(index=True)


class GroupParticipant(Table, table=True):
    """A resident in a session, known to others only by `nickname`; deleted when it ends."""

    __tablename__ = "group_participant"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    session_id: str = _session_fk()
    pseudonym: str = Field(max_length=64, index=True)
    channel: str = Field(max_length=32)
    nickname: str = Field(max_length=80)
    language: str = Field(max_length=8)
    sealed_reply_address: Sealed = Field(sa_column=Column(SealedType(), nullable=False))
    joined_at: datetime = _when(nullable=False)
    left_at: datetime | None = _when()
    present_seconds: int = 0
    """Time present before the last leave, for the "stayed at least N minutes" count."""
    muted: bool = False
    removed: bool = False
    window_started_at: datetime | None = _when()
    window_count: int = 0


class GroupMessage(Table, table=True):
    """One relayed message, redacted and sealed with the session key."""

    __tablename__ = "group_message"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    session_id: str = _session_fk()
    participant_id: str | None = Field(default=None, max_length=64)
    moderator_user_id: str | None = Field(default=None, max_length=64)
    sealed_body: Sealed = Field(sa_column=Column(SealedType(), nullable=False))
    sealed_deliveries: Sealed | None = Field(
        default=None, sa_column=Column(SealedType(), nullable=True)
    )
    """JSON {outbox id: participant id}: whom it went to, to withdraw it on removal."""
    held_back: bool = False
    """Shown to moderators only (a crisis message), never relayed to participants."""
    redacted_items: int = 0
    created_at: datetime = _when(nullable=False, index=True)
    removed_at: datetime | None = _when()


class GroupAttendance(Table, table=True):
    """Attendance of one ended session, as counts only: nothing links it to a resident."""

    __tablename__ = "group_attendance"
    session_id: str = Field(primary_key=True, max_length=64)
    topic_id: str = Field(max_length=64)
    language: str = Field(max_length=8)
    day: str = Field(max_length=10, index=True)
    joined: int = 0
    stayed: int = 0
    stayed_minutes: int = 0
    feedback_useful: int = 0
    feedback_not_useful: int = 0
    feedback_tokens: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """Hashes of one-time feedback tokens still unanswered (unlinkable to participants)."""


class NewsOptIn(Table, table=True):
    """A resident's consent to news of sessions of one topic and language, until it expires."""

    __tablename__ = "news_opt_in"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    pseudonym: str = Field(max_length=64, index=True)
    channel: str = Field(max_length=32)
    topic_id: str = Field(max_length=64, index=True)
    language: str = Field(max_length=8)
    sealed_reply_address: Sealed = Field(sa_column=Column(SealedType(), nullable=False))
    consented_at: datetime = _when(nullable=False)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class Announcement(Table, table=True):
    """Staff news sent to opted-in residents; the text sealed with the system key."""

    __tablename__ = "announcement"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    topic_id: str = Field(max_length=64)
    language: str = Field(max_length=8)
    session_id: str | None = Field(default=None, max_length=64)
    sealed_text: Sealed = Field(sa_column=Column(SealedType(), nullable=False))
    sent_by: str = Field(max_length=64)
    created_at: datetime = _when(nullable=False)
    recipients: int = 0
    delivered: int = 0
    failed: int = 0
    withdrawn: int = 0


class AnnouncementDelivery(Table, table=True):
    """Links an announcement's outbox row to its opt-in, to count outcomes and honour withdrawal."""

    __tablename__ = "announcement_delivery"
    outbox_id: str = Field(primary_key=True, max_length=64)
    announcement_id: str = Field(
        sa_column=Column(
            String(64),
            ForeignKey("announcement.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    opt_in_id: str | None = Field(default=None, max_length=64, index=True)
    outcome: str = Field(default="pending", max_length=16)


ALL_TABLES = (
    GroupSession,
    GroupParticipant,
    GroupMessage,
    GroupAttendance,
    NewsOptIn,
    Announcement,
    AnnouncementDelivery,
)
