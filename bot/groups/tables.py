"""The group sessions' tables, as the groups package names them: defined in the store.

They live in `bot.store.group_tables` so that the store never imports the groups package;
never define a table here.
"""

from __future__ import annotations

from bot.store.group_tables import (
    ALL_TABLES,
    Announcement,
    AnnouncementDelivery,
    GroupAttendance,
    GroupMessage,
    GroupParticipant,
    GroupSession,
    NewsOptIn,
)

__all__ = [
    "ALL_TABLES",
    "Announcement",
    "AnnouncementDelivery",
    "GroupAttendance",
    "GroupMessage",
    "GroupParticipant",
    "GroupSession",
    "NewsOptIn",
]
