"""Bodies of /api/groups* and /api/announcements* (group sessions and news) as pydantic models.

See `bot.console.api_models` for how the document is built from them and why handlers still
parse by hand. Nothing here carries a participant's pseudonym, platform or reply address.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from .api_models import Language


class GroupSession(BaseModel):
    """A group session as the console sees it (no resident data)."""

    id: str
    code: str
    title: str
    description: str = ""
    language: str
    topic: str
    starts_at: str = ""
    ends_at: str = ""
    capacity: int = 0
    channels: list[str] = []
    moderators: list[str] = []
    state: Literal["scheduled", "open", "ended", "cancelled"]
    keep_transcript_hours: int = 0
    pinned_agenda: str | None = None
    transcript_until: str | None = None
    participants: int = 0


class GroupSessions(BaseModel):
    sessions: list[GroupSession]


class GroupSessionCreate(BaseModel):
    title: str = Field(max_length=200)
    description: str = Field("", max_length=2000)
    language: Language
    topic: str
    starts_at: str = Field(description="ISO; naive = Helsinki")
    ends_at: str = Field(description="ISO; naive = Helsinki")
    capacity: int = Field(12, ge=2, le=200)
    channels: list[str]
    moderators: list[str] = []
    keep_transcript_hours: int = Field(0, ge=0, le=72)


class GroupParticipant(BaseModel):
    """A participant by nickname only."""

    id: str = ""
    nickname: str = ""
    channel: str = ""
    language: str = ""
    present: bool = False
    muted: bool = False
    removed: bool = False


class GroupMessage(BaseModel):
    id: str = ""
    nickname: str = ""
    moderator: bool = False
    text: str = Field("", description="redacted text")
    at: str = ""
    held_back: bool = False
    removed: bool = False


class LiveGroupSession(GroupSession):
    """The live session: participants by nickname and the redacted messages."""

    participant_list: list[GroupParticipant] = []
    messages: list[GroupMessage] = []


class MessagePosted(BaseModel):
    message: str = ""


class MessageRemoved(BaseModel):
    removed: bool = True
    notified: int = 0


class Restricted(BaseModel):
    """`{mute: true}` or `{remove: true}`, after the restriction applied."""

    mute: bool = False
    remove: bool = False


class RestrictionPath(BaseModel):
    """The path's last part of POST .../participants/{participant_id}/{restriction}."""

    restriction: Literal["mute", "remove"]


class Agenda(BaseModel):
    """An empty agenda unpins."""

    agenda: str = Field("", max_length=500)


class AgendaPinned(BaseModel):
    pinned_agenda: str | None = None


class SessionEnded(BaseModel):
    state: str = ""


class Announcements(BaseModel):
    announcements: list[dict[str, Any]]


class AnnouncementCreate(BaseModel):
    topic: str
    language: Language
    text: str = Field(max_length=1000)
    session_id: str | None = None


class AnnouncementCounts(BaseModel):
    id: str
    recipients: int
    delivered: int
    failed: int
    withdrawn: int = Field(description="news stopped before it was sent")
    pending: int = 0


MODELS: tuple[type[BaseModel], ...] = (
    GroupSession,
    GroupSessions,
    GroupSessionCreate,
    GroupParticipant,
    GroupMessage,
    LiveGroupSession,
    MessagePosted,
    MessageRemoved,
    Restricted,
    Agenda,
    AgendaPinned,
    SessionEnded,
    Announcements,
    AnnouncementCreate,
    AnnouncementCounts,
)
"""The body models of this module: each is a schema in components/schemas."""

PARAMETER_MODELS: tuple[type[BaseModel], ...] = (RestrictionPath,)
"""Path and query parameters: each field is one parameter (never a component)."""
