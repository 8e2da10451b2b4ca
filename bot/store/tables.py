"""SQLModel tables of somesossu: the whole schema, changed only through alembic migrations.

Resident content lives only in `SealedType` columns; no column here may hold message text,
a platform id, a name or a phone number in clear.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any, Self

from pydantic import ConfigDict
from pydantic.fields import FieldInfo
from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from bot.ids import new_id
from privacy.crypto import Sealed, WrappedKey

from .types import SealedType, WrappedKeyType


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _cascade(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    return Field(
        sa_column=Column(
            String(64), ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=index
        )
    )


class Table(SQLModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)  # type: ignore[assignment]

    @classmethod
    def row(cls, **values: Any) -> Self:
        """A new row, the same as `cls(**values)` but several times faster.

        SQLModel's constructor sets every field through pydantic's and SQLAlchemy's
        `__setattr__` (table models are not validated either way); rows written for every
        chat message (message, vault item, dedup key, outbox) are built here instead.
        """
        fields = _fields_of(cls)
        unknown = values.keys() - fields.keys()
        if unknown:
            raise TypeError(f"{cls.__name__} has no field {sorted(unknown)[0]}")
        complete: dict[str, Any] = {}
        for name, field in fields.items():
            if name in values:
                complete[name] = values[name]
            elif not field.is_required():
                complete[name] = field.get_default(call_default_factory=True)
            # Like the constructor, a required field left out stays unset (the column may be
            # nullable in the table, see `_cascade`); a NOT NULL column refuses it at flush.
        instance: Self = cls._sa_class_manager.new_instance()  # type: ignore[attr-defined]
        instance.__dict__.update(complete)
        object.__setattr__(instance, "__pydantic_fields_set__", set(values))
        object.__setattr__(instance, "__pydantic_extra__", None)
        object.__setattr__(instance, "__pydantic_private__", None)
        return instance


@functools.cache
def _fields_of(cls: type[Table]) -> dict[str, FieldInfo]:
    return dict(cls.model_fields)


class Queue(Table, table=True):
    """A counsellor queue, with its opening hours and retention rule."""

    __tablename__ = "queue"
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    opening_hours: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    transcript_days: int = 30
    pii_vault_hours: int = 24
    # Service target: `target_percent` % of those who reach the queue answered within
    # `target_minutes` minutes (both 0: none); the dashboard says when it is missed.
    target_minutes: int = 0
    target_percent: int = 0
    # Where a resident goes whose language nobody in this queue speaks: another queue's id,
    # or "" to wait here marked "interpreter needed" (bot/language_routing.py).
    language_fallback: str = Field(default="", max_length=64)
    position: int = 0
    active: bool = True
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Topic(Table, table=True):
    """A triage topic shown to residents; choosing it routes the conversation to a queue."""

    __tablename__ = "topic"
    id: str = Field(primary_key=True, max_length=64)
    queue_id: str = _cascade("queue.id")
    labels: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    position: int = 0
    active: bool = True


class StaffUser(Table, table=True):
    """A staff account. Residents only ever see `display_name`, which the counsellor chooses."""

    __tablename__ = "staff_user"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    username: str = Field(max_length=100, unique=True, index=True)
    display_name: str = Field(max_length=100)
    role: str = Field(max_length=32)
    password_hash: str = Field(max_length=255)
    must_change_password: bool = False
    totp_secret: Sealed | None = Field(default=None, sa_column=Column(SealedType(), nullable=True))
    totp_enforced: bool = False
    failed_logins: int = 0
    locked_until: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    sessions_valid_after: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    max_concurrent: int = 3
    # The residents' languages this person serves in; empty: the languages of their queues
    # (bot/language_routing.py).
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    # "fi", "sv" or "en"; "" follows the browser's language (bot/console/texts.py).
    console_language: str = Field(default="", max_length=8)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class StaffQueue(Table, table=True):
    """Queue membership: which queues a counsellor works in."""

    __tablename__ = "staff_queue"
    user_id: str = Field(
        sa_column=Column(
            String(64), ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True
        )
    )
    queue_id: str = Field(
        sa_column=Column(String(64), ForeignKey("queue.id", ondelete="CASCADE"), primary_key=True)
    )


class StaffSession(Table, table=True):
    """A signed-in console session; only a hash of the cookie token is kept."""

    __tablename__ = "staff_session"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = _cascade("staff_user.id")
    csrf_token: str = Field(max_length=64)
    totp_passed: bool = False
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_seen_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Conversation(Table, table=True):
    """One resident's conversation. The resident is known only by a keyed pseudonym."""

    __tablename__ = "conversation"
    __table_args__ = (
        Index("ix_conversation_queue_state", "queue_id", "state"),
        # Hot queries bounded whatever the history (migration 0010, test_query_plans.py).
        Index("ix_conversation_queue_claimed", "queue_id", "claimed_at"),
        Index("ix_conversation_assigned_state", "assigned_to", "state"),
        Index("ix_conversation_state_closed", "state", "closed_at"),
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    pseudonym: str = Field(max_length=64, index=True)
    channel: str = Field(max_length=32)
    state: str = Field(max_length=32, index=True)
    language: str | None = Field(default=None, max_length=8)
    topic_id: str | None = Field(default=None, max_length=64)
    queue_id: str | None = Field(default=None, max_length=64)
    urgent: bool = False
    # Nobody in its queue speaks the resident's language (bot/language_routing.py).
    interpreter_needed: bool = False
    assigned_to: str | None = Field(default=None, max_length=64, index=True)
    sealed_reply_address: Sealed = Field(sa_column=Column(SealedType(), nullable=False))
    # Web chat: the keyed digest of the network the resident last wrote from, so that a
    # block holds for their next session too (bot/origins.py).
    sealed_origin: Sealed | None = Field(
        default=None, sa_column=Column(SealedType(), nullable=True)
    )
    # The conversation machine's facts beyond the columns above, written only by
    # bot/effects.py `store_facts`.
    triage: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    close_outcome: str | None = Field(default=None, max_length=64)
    close_tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    delivery_failed: bool = False
    version: int = 0
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    last_activity_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    queued_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), index=True))
    reminded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # When a counsellor last replied: the idle reminder counts from here (bot/jobs.py).
    last_reply_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The queue position the waiting resident was last told (bot/queueing.py).
    told_position: int | None = None
    # How many times it was transferred (counted into the impact figures at closing).
    transfers: int = 0


class DataKeyRow(Table, table=True):
    """A per-conversation data key wrapped by a key-encryption key.

    Deleting the row crypto-shreds everything sealed with it, in backups too.
    """

    __tablename__ = "data_key"
    __table_args__ = (UniqueConstraint("owner_id", "purpose"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    owner_id: str = Field(max_length=64, index=True)
    purpose: str = Field(max_length=32)
    kek_version: int = Field(index=True)
    wrapped: WrappedKey = Field(sa_column=Column(WrappedKeyType(), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Message(Table, table=True):
    """A message of a conversation; only its redacted text, sealed, is stored."""

    __tablename__ = "message"
    __table_args__ = (Index("ix_message_conversation_created", "conversation_id", "created_at"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    conversation_id: str = _cascade("conversation.id", index=False)
    author: str = Field(max_length=16)
    author_user_id: str | None = Field(default=None, max_length=64)
    kind: str = Field(default="text", max_length=16)
    sealed_body: Sealed = Field(sa_column=Column(SealedType(), nullable=False))
    sealed_platform_ref: Sealed | None = Field(
        default=None, sa_column=Column(SealedType(), nullable=True)
    )
    redacted_items: int = 0
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class PiiItem(Table, table=True):
    """One removed original (a phone number, a name...) sealed under the PII-vault key."""

    __tablename__ = "pii_item"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    conversation_id: str = _cascade("conversation.id")
    message_id: str = _cascade("message.id")
    ordinal: int
    kind: str = Field(max_length=32)
    sealed_value: Sealed = Field(sa_column=Column(SealedType(), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Note(Table, table=True):
    """An internal counsellor note; never sent to the resident."""

    __tablename__ = "note"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    conversation_id: str = _cascade("conversation.id")
    author_user_id: str = Field(max_length=64)
    sealed_body: Sealed = Field(sa_column=Column(SealedType(), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class InboundSeen(Table, table=True):
    """Keyed hash of (channel, platform message id), to drop platform redeliveries."""

    __tablename__ = "inbound_seen"
    key: str = Field(primary_key=True, max_length=64)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )


class OutboxRow(Table, table=True):
    """A message waiting for delivery; its id makes retried deliveries idempotent."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due", "state", "next_attempt_at"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    conversation_id: str | None = _cascade("conversation.id", nullable=True)
    channel: str = Field(max_length=32)
    message_id: str | None = Field(default=None, max_length=64)
    # Rows without a conversation that must still reach one recipient in order (a group
    # participant, a news opt-in); a pseudonymous key, never a platform id.
    thread: str | None = Field(default=None, max_length=64, index=True)
    sealed_payload: Sealed = Field(sa_column=Column(SealedType(), nullable=False))
    state: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    last_error: str | None = Field(default=None, max_length=64)
    leased_by: str | None = Field(default=None, max_length=64)
    leased_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    delivery_id: str | None = Field(default=None, max_length=128)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class Block(Table, table=True):
    """A blocked pseudonym with an expiry; the reason is sealed under the system key."""

    __tablename__ = "block"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    pseudonym: str = Field(max_length=64, index=True)
    # Web chat: the keyed digest of the network the resident wrote from (bot/origins.py).
    origin_digest: str | None = Field(default=None, max_length=64, index=True)
    sealed_reason: Sealed = Field(sa_column=Column(SealedType(), nullable=False))
    created_by: str = Field(max_length=64)
    # The queue of the conversation it came from: who may see and lift it (None: no queue yet).
    queue_id: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    lifted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    notified: bool = False


class CannedReply(Table, table=True):
    """A ready-made reply in one language; staff-written, never resident data."""

    __tablename__ = "canned_reply"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    queue_id: str | None = Field(default=None, max_length=64, index=True)
    language: str = Field(max_length=8)
    title: str = Field(max_length=200)
    body: str = Field(max_length=4000)
    position: int = 0


class ImpactCount(Table, table=True):
    """Anonymous counters of closed conversations, kept for years (bot/impact.py): keyed by
    the local day the contact began, its queue ("" for none) and one fact; no conversation
    id, no pseudonym."""

    __tablename__ = "impact_count"
    day: str = Field(primary_key=True, max_length=10)
    queue_id: str = Field(primary_key=True, max_length=64)
    measure: str = Field(primary_key=True, max_length=32)
    value: str = Field(primary_key=True, max_length=64)
    count: int = 0


class FeedbackCount(Table, table=True):
    """Anonymous feedback as counts only: no link to a conversation or resident."""

    __tablename__ = "feedback_count"
    queue_id: str = Field(primary_key=True, max_length=64)
    day: str = Field(primary_key=True, max_length=10)
    question: str = Field(primary_key=True, max_length=16)
    answer: str = Field(primary_key=True, max_length=16)
    count: int = 0


class AuditRow(Table, table=True):
    """One hash-chained audit record; holds ids, roles and reasons, never personal data."""

    __tablename__ = "audit_record"
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor_id: str = Field(max_length=128, index=True)
    actor_role: str = Field(max_length=32)
    unit: str = Field(default="", max_length=64)
    subject_ref: str = Field(default="", max_length=128, index=True)
    object_type: str = Field(max_length=32)
    object_id: str = Field(default="", max_length=128)
    action: str = Field(max_length=32, index=True)
    purpose: str = Field(default="", max_length=1000)
    outcome: str = Field(max_length=16)
    recipient: str = Field(default="", max_length=200)
    disclosure_basis: str = Field(default="", max_length=500)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class SignInThrottle(Table, table=True):
    """Failed sign-ins counted per account, per address or per both, shared by all instances.

    `key` and `account_ref` are pepper-keyed hashes: never an account name or an address.
    """

    __tablename__ = "sign_in_throttle"
    key: str = Field(primary_key=True, max_length=64)
    scope: str = Field(max_length=16)
    account_ref: str = Field(default="", max_length=64, index=True)
    failures: int = 0
    window_started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    strikes: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class CloseTag(Table, table=True):
    """A tag a queue's counsellors pick when closing: defined by admins, never resident data.

    Conversations name a tag by its `id` (stable, unique within its queue); the `label` shown
    may be corrected, and a tag is retired (no longer offered, still counted), never deleted.
    """

    __tablename__ = "close_tag"
    queue_id: str = Field(
        sa_column=Column(String(64), ForeignKey("queue.id", ondelete="CASCADE"), primary_key=True)
    )
    id: str = Field(sa_column=Column(String(40), primary_key=True))
    label: str = Field(max_length=60)
    position: int = 0
    retired_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class KeyRingFingerprint(Table, table=True):
    """Proof of which keys wrote this database: one row per KEK version, the pepper, the audit key.

    `fingerprint` is an HMAC of a fixed label under the key (bot/store/key_ring.py): it shows
    whether a key ring holds the same key without revealing anything about the key.
    """

    __tablename__ = "key_ring_fingerprint"
    kind: str = Field(primary_key=True, max_length=16)
    version: int = Field(default=0, primary_key=True)
    fingerprint: str = Field(max_length=64)
    recorded_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class KeyEpoch(Table, table=True):
    """When each KEK version began wrapping new data keys (its epoch) and when it was destroyed.

    For keys from settings, `started_at` is the first time the version was seen as current:
    the service cannot know when the secret store got it. Never holds key material.
    """

    __tablename__ = "key_epoch"
    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    destroyed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
