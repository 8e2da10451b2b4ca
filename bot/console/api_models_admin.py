"""Bodies of /api/admin/*, of the close tags and of locked sign-ins, as pydantic models.

See `bot.console.api_models` for how the document is built from them and why handlers still
parse by hand.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from .api_models import Language, RoleName


class AdminUser(BaseModel):
    """A staff user: never a password hash or an authenticator secret."""

    id: str
    username: str
    display_name: str
    role: RoleName
    queues: list[str]
    active: bool
    totp_enabled: bool = False
    totp_enforced: bool = False
    must_change_password: bool = False
    max_concurrent: int = 0
    languages: list[str] = []
    locked_until: str | None = None
    one_time_password: str = Field(
        "", description="only in the answer that created the user; shown once"
    )


class UserChange(BaseModel):
    """Fields left out keep their value."""

    role: RoleName = "counsellor"
    queues: list[str] = Field([], max_length=50)
    active: bool = True
    totp_enforced: bool = False
    max_concurrent: int = Field(3, ge=1, le=20)
    languages: list[Language] = Field(
        [], description="residents' languages the user serves in; empty: their queues'"
    )


class UserCreate(UserChange):
    username: str = Field(max_length=100)
    display_name: str = Field("", max_length=60)
    role: RoleName


class PasswordReset(BaseModel):
    one_time_password: str = ""


class AdminTopic(BaseModel):
    id: str
    queue: str = ""
    labels: dict[str, str]
    active: bool


class AdminQueue(BaseModel):
    id: str
    name: str
    languages: list[str]
    opening_hours: dict[str, Any] = Field(
        description="bot.hours.OpeningHours JSON; {} means always open"
    )
    transcript_days: int
    pii_vault_hours: int = 0
    target_minutes: int = 0
    target_percent: int = 0
    language_fallback: str = ""
    active: bool = True
    topics: list[AdminTopic] = []


class QueueSave(BaseModel):
    """A queue's settings; a bad opening-hours schedule is refused before anything is stored."""

    name: str = Field(max_length=200)
    languages: list[str] = Field([], max_length=50)
    opening_hours: dict[str, Any] = {}
    transcript_days: int = Field(30, ge=1, le=3650)
    pii_vault_hours: int = Field(24, ge=1, le=8760)
    active: bool = True
    target_minutes: int = Field(0, ge=0, le=60, description="0 with target_percent 0: none")
    target_percent: int = Field(0, ge=0, le=100)
    language_fallback: str = Field(
        "", max_length=64, description="queue for a language nobody here speaks; '': mark it"
    )


class TopicSave(BaseModel):
    queue: str
    labels: dict[str, str]
    active: bool = True


class CannedReplySave(BaseModel):
    language: Language
    title: str = Field(max_length=200)
    body: str = Field(max_length=4000)
    queue: str | None = None


class CloseTag(BaseModel):
    id: str = Field(description="stable; what closings store")
    queue: str
    label: str
    position: int = 0
    retired: bool = Field(description="no longer offered; still counted")
    retired_at: str | None = None


class CloseTagSave(BaseModel):
    id: str = Field(pattern="^[a-z][a-z0-9_-]{0,39}$")
    label: str = Field(max_length=60)


class CloseTagListQuery(BaseModel):
    """Query of GET /api/queues/{queue}/close-tags."""

    include_retired: Literal["true", "false"] = "false"


class LockedAccount(BaseModel):
    """An account the sign-in limits refuse now."""

    id: str
    username: str
    display_name: str = ""
    role: RoleName
    queues: list[str] = []
    locked_until: str
    everywhere: bool
    addresses: int


MODELS: tuple[type[BaseModel], ...] = (
    AdminUser,
    UserChange,
    UserCreate,
    PasswordReset,
    AdminTopic,
    AdminQueue,
    QueueSave,
    TopicSave,
    CannedReplySave,
    CloseTag,
    CloseTagSave,
    LockedAccount,
)
"""The body models of this module: each is a schema in components/schemas."""

PARAMETER_MODELS: tuple[type[BaseModel], ...] = (CloseTagListQuery,)
"""Query parameters: each field is one parameter (never a component)."""
