"""Group-session test support: the group tables, the dispatcher hook, residents on two channels.

Transitional parts (until the lead merges them) are marked: tables created when no migration
made them, pending catalog entries loaded from /tmp/group-texts, the dispatcher hook by subclass.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import SQLModel, select

from bot.actions.context import Work
from bot.actions.conversations import Staff
from bot.app import Service
from bot.dispatcher import Dispatcher
from bot.events import Inbound
from bot.groups import tables as group_tables
from bot.groups.jobs import group_sweep
from bot.groups.router import route_group_message
from bot.groups.sessions import SessionDraft, create_session
from bot.groups.tables import GroupParticipant, GroupSession
from bot.texts import LANGUAGES, Texts
from privacy.pseudonym import pseudonymise
from tests.support.chat import Harness, InProcessAdapter, Resident

PENDING_TEXTS = Path("/tmp/group-texts")
CORE_TEXTS = Path(__file__).resolve().parents[3] / "bot" / "texts"


class GroupAwareDispatcher(Dispatcher):
    """The dispatcher with the one-line group hook right after the block check."""

    async def _blocked(self, work: Work, pseudonym: str, inbound: Inbound) -> bool:
        if await super()._blocked(work, pseudonym, inbound):
            return True
        return await route_group_message(work, pseudonym, inbound)


async def prepare_groups(service: Service, tmp_path: Path) -> None:
    database = service.core.database
    tables = [table.__table__ for table in group_tables.ALL_TABLES]  # type: ignore[attr-defined]
    async with database.engine.begin() as connection:
        await connection.run_sync(
            lambda sync: SQLModel.metadata.create_all(sync, tables=tables, checkfirst=True)
        )
    if "group_joined" not in service.core.texts.keys():
        service.core.texts = merged_texts(tmp_path / "texts")
    service.dispatcher = GroupAwareDispatcher(service.core)


def merged_texts(directory: Path) -> Texts:
    for lang in LANGUAGES:
        source = CORE_TEXTS / lang / "LC_MESSAGES" / "somesossu.po"
        target = directory / lang / "LC_MESSAGES" / "somesossu.po"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
        pending = PENDING_TEXTS / f"{lang}.po"
        if pending.exists():
            with target.open("a", encoding="utf-8") as out:
                out.write("\n" + pending.read_text(encoding="utf-8"))
    return Texts(directory)


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
