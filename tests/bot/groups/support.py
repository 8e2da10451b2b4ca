"""Group-session test support: sessions opened on time, residents on two channels.

The real dispatcher, migrations and catalogs carry group sessions; nothing here stands in for them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.access import Staff
from bot.groups.jobs import group_sweep
from bot.groups.sessions import SessionDraft, create_session
from bot.groups.tables import GroupParticipant, GroupSession
from privacy.pseudonym import pseudonymise
from tests.support.chat import Harness, InProcessAdapter, Resident


def second_channel(harness: Harness, channel: str = "test2") -> Harness:
    adapter = InProcessAdapter(channel=channel)
    harness.service.add_adapter(adapter)
    return Harness(harness.service, adapter)


async def open_session(
    harness: Harness,
    staff: Staff,
    *,
    capacity: int = 10,
    channels: tuple[str, ...] = ("test", "test2"),
    language: str = "fi",
    keep_transcript_hours: int = 0,
    code: str = "KAHVI7",
) -> GroupSession:
    now = datetime.now(UTC)
    group = await create_session(
        harness.core,
        staff,
        SessionDraft(
            title="Etäkahvila",
            description="Jutellaan yhdessä",
            language=language,
            topic_id="other",
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=1),
            capacity=capacity,
            channels=channels,
            keep_transcript_hours=keep_transcript_hours,
            code=code,
        ),
    )
    await group_sweep(harness.core)
    await harness.deliver()
    return group


async def join(resident: Resident, code: str = "KAHVI7") -> None:
    await resident.write(f"/join {code}")


async def participant_of(resident: Resident) -> GroupParticipant:
    """The resident's participant row (looked up by pseudonym, as the core does)."""
    harness = resident.harness
    pseudonym = pseudonymise(
        harness.core.keyring.pepper, harness.adapter.channel, resident.sender_id
    )
    async with harness.core.database.session() as session:
        query = select(GroupParticipant).where(GroupParticipant.pseudonym == pseudonym)
        found = (await session.execute(query)).scalar_one_or_none()
    assert found is not None, "not a participant"
    return found


def shift_clock(harness: Harness, by: timedelta) -> None:
    harness.core.clock = lambda: datetime.now(UTC) + by
