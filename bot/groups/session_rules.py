"""What every part of a group session shares: its states, its limits, its hub topic, who may
moderate it, and finding it by id or code.

Never reads a participant: sessions only, never who is in them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from bot.access import Staff, may_moderate
from bot.actions.context import Work
from bot.config import Settings
from bot.errors import ActionError

from .tables import GroupSession


class GroupState(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    ENDED = "ended"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class GroupLimits:
    """Group settings, read from `Settings` where the lead has added them, else defaults."""

    news_opt_in_days: int = 90
    transcript_max_hours: int = 72
    stayed_minutes: int = 15
    messages_per_window: int = 6
    window_seconds: int = 20
    max_capacity: int = 200

    @classmethod
    def of(cls, settings: Settings) -> GroupLimits:
        defaults = cls()
        return cls(
            news_opt_in_days=int(getattr(settings, "news_opt_in_days", defaults.news_opt_in_days)),
            transcript_max_hours=int(
                getattr(settings, "group_transcript_max_hours", defaults.transcript_max_hours)
            ),
            stayed_minutes=int(getattr(settings, "group_stayed_minutes", defaults.stayed_minutes)),
            messages_per_window=int(
                getattr(settings, "group_messages_per_window", defaults.messages_per_window)
            ),
            window_seconds=int(getattr(settings, "group_window_seconds", defaults.window_seconds)),
        )


def group_topic(session_id: str) -> str:
    """Hub topic the moderators' live view listens on."""
    return f"group:{session_id}"


def tell_moderators(work: Work, session_id: str, kind: str, **payload: object) -> None:
    """Publish a live event of the session on its moderators' topic (naming the session)."""
    work.publish(group_topic(session_id), kind, session=session_id, **payload)


def require_moderator(staff: Staff, session: GroupSession) -> None:
    if not may_moderate(staff, session):
        raise ActionError("forbidden", "only this session's moderators may do this")


Row = TypeVar("Row")


async def every_row(session: AsyncSession, query: SelectOfScalar[Row]) -> list[Row]:
    """All that `query` selects, as a list: the group parts' many small look-ups."""
    return list((await session.execute(query)).scalars())


async def by_code(session: AsyncSession, code: str) -> GroupSession | None:
    query = select(GroupSession).where(GroupSession.code == code).limit(1)
    return (await session.execute(query)).scalar_one_or_none()


async def load_session(work: Work, session_id: str) -> GroupSession:
    found = await work.session.get(GroupSession, session_id)
    if found is None:
        raise ActionError("not_found", "no such group session")
    return found
