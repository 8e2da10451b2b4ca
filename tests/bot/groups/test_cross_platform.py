"""One group session across web chat (real Chromium), Telegram (PTB) and Matrix (real Synapse).

Nicknames only, redaction before relay, removal without rejoining, announcements to exactly the
opted-in, withdrawal honoured, and no group message text left in the raw database at the end.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlmodel import select

from adapters.matrix import MatrixAdapter
from bot.app import Service, build_web_app
from bot.groups import announcements, moderation
from bot.groups.jobs import group_sweep
from bot.groups.sessions import SessionDraft, create_session
from bot.groups.tables import GroupParticipant
from tests.adapters.conftest import counsellor
from tests.adapters.synapse import Synapse, synapse_server
from tests.adapters.telegram_stand_in import BotApiStandIn, Person
from tests.adapters.test_matrix import MATRIX_LOG, MatrixResident, eventually, matrix_resident
from tests.adapters.test_telegram import make_adapter
from tests.support.browser import launch_browser
from tests.support.raw import raw_database

__all__ = ["synapse_server"]  # the session fixture, used by name below

pytestmark = [pytest.mark.browser, pytest.mark.matrix]

CODE = "KAHVI42"
DEADLINE_MS = 30_000


@dataclass
class Platforms:
    service: Service
    base: str
    stand_in: BotApiStandIn
    matrix: MatrixAdapter


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


@pytest.fixture
async def platforms(
    service: Service, synapse_server: Synapse, tmp_path: Path
) -> AsyncIterator[Platforms]:
    """The one service with all three adapters, served on 127.0.0.1 with its outbox running."""
    stand_in = BotApiStandIn()
    await stand_in.start()
    account = await synapse_server.register("bot")
    matrix = MatrixAdapter(
        homeserver=synapse_server.base_url,
        user_id=account.user_id,
        password=account.password,
        store_dir=tmp_path / "matrix",
        e2ee=False,
        log=MATRIX_LOG,
    )
    service.add_adapter(make_adapter(stand_in))
    service.add_adapter(matrix)
    # The app starts every adapter, the outbox worker and the scheduler, as in production.
    runner = web.AppRunner(build_web_app(service), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        await matrix.wait_ready(60)
        port = runner.addresses[0][1]
        yield Platforms(service, f"http://127.0.0.1:{port}", stand_in, matrix)
    finally:
        await runner.cleanup()
        await stand_in.stop()


async def participant_on(service: Service, channel: str) -> GroupParticipant:
    async with service.core.database.session() as session:
        query = select(GroupParticipant).where(GroupParticipant.channel == channel)
        found = (await session.execute(query)).scalar_one_or_none()
    assert found is not None, f"no participant on {channel}"
    return found


class Telegram:
    def __init__(self, stand_in: BotApiStandIn, person: Person) -> None:
        self.stand_in, self.person = stand_in, person

    async def write(self, text: str) -> None:
        await self.stand_in.push(self.stand_in.text_update(self.person, text))

    async def press(self, value: str) -> None:
        await self.stand_in.push(self.stand_in.press_update(self.person, value))

    def texts(self) -> list[str]:
        return self.stand_in.texts_to(self.person)

    async def sees(self, fragment: str) -> str:
        def found() -> bool:
            return any(fragment in text for text in self.texts())

        await self.stand_in.wait_for(found, within=DEADLINE_MS / 1000)
        return next(text for text in self.texts() if fragment in text)


class Matrix:
    def __init__(self, resident: MatrixResident, room_id: str) -> None:
        self.resident, self.room_id = resident, room_id

    async def write(self, text: str) -> None:
        await self.resident.write(self.room_id, text)

    def texts(self) -> list[str]:
        return self.resident.texts(self.room_id)

    async def sees(self, fragment: str) -> str:
        await eventually(lambda: any(fragment in t for t in self.texts()), fragment)
        return next(text for text in self.texts() if fragment in text)


class WebChat:
    def __init__(self, page: Any) -> None:
        self.page = page

    async def write(self, text: str) -> None:
        await self.page.get_by_label("Viestisi").fill(text)
        await self.page.get_by_role("button", name="Lähetä").click()
        await self.page.locator("#transcript .pending").wait_for(state="detached")

    async def sees(self, fragment: str) -> str:
        entry = self.page.locator("#transcript .from-bot", has_text=fragment).last
        await entry.wait_for(timeout=DEADLINE_MS)
        return str(await entry.inner_text())

    async def transcript(self) -> str:
        return str(await self.page.locator("#transcript").inner_text())


async def counts_settle(service: Service, announcement_id: str, delivered: int) -> None:
    async def settled() -> bool:
        counts = await announcements.counts(service.core, announcement_id)
        return counts.pending == 0 and counts.delivered == delivered

    await eventually(settled, "the announcement to be delivered")


async def test_a_session_across_web_chat_telegram_and_matrix(
    platforms: Platforms, browser: Any, synapse_server: Synapse, tmp_path: Path
) -> None:
    service = platforms.service
    texts = service.core.texts
    moderator = await counsellor(service, "ohjaaja", "Ohjaaja")
    now = datetime.now(UTC)
    group = await create_session(
        service.core,
        moderator,
        SessionDraft(
            title="Etäkahvila",
            description="Jutellaan yhdessä",
            language="fi",
            topic_id="other",
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=1),
            capacity=10,
            channels=("webchat", "telegram", "matrix"),
            code=CODE,
        ),
    )
    await group_sweep(service.core)

    context = await browser.new_context(viewport={"width": 360, "height": 640})
    page = await context.new_page()
    page.set_default_timeout(DEADLINE_MS)
    web_resident = WebChat(page)
    telegram = Telegram(
        platforms.stand_in,
        Person(700555111, "Maijazq", "Virtanenzq", "maija_zq81", "+358401112233", "fi"),
    )
    async with contextlib.AsyncExitStack() as stack:
        resident = await stack.enter_async_context(
            matrix_resident(synapse_server, tmp_path / "resident")
        )
        room_id = await resident.open_direct_chat(platforms.matrix.user_id, encrypted=False)
        matrix = Matrix(resident, room_id)

        # Everyone joins with the code, from their own app.
        await page.goto(f"{platforms.base}/chat?lang=fi")
        await page.get_by_role("button", name=texts.text("fi", "topic_money")).wait_for()
        await web_resident.write(f"/join {CODE}")
        web_name = (await participant_on(service, "webchat")).nickname
        await web_resident.sees(web_name)
        await telegram.write(f"/join {CODE}")
        await telegram.sees("Etäkahvila")
        tg_name = (await participant_on(service, "telegram")).nickname
        await matrix.write(f"/join {CODE}")
        await matrix.sees("Etäkahvila")
        mx_name = (await participant_on(service, "matrix")).nickname
        assert len({web_name, tg_name, mx_name}) == 3

        # Each sees the others' messages under their nicknames, and nothing of their identity.
        await web_resident.write("Hei kaikki zqhei")
        assert await telegram.sees("zqhei") == f"{web_name}: Hei kaikki zqhei"
        assert await matrix.sees("zqhei") == f"{web_name}: Hei kaikki zqhei"
        await telegram.write("Moi zqmoi")
        # The page puts its own "service:" label before what the bot relays.
        assert (await web_resident.sees("zqmoi")).endswith(f"{tg_name}: Moi zqmoi")
        assert await matrix.sees("zqmoi") == f"{tg_name}: Moi zqmoi"
        await matrix.write("Terve zqterve")
        assert (await web_resident.sees("zqterve")).endswith(f"{mx_name}: Terve zqterve")
        assert await telegram.sees("zqterve") == f"{mx_name}: Terve zqterve"
        everything = "\n".join(telegram.texts() + matrix.texts()) + await web_resident.transcript()
        for identity in ("Maijazq", "Virtanenzq", "maija_zq81", "700555111", resident.user.user_id):
            assert identity not in everything

        # A phone number is hidden before anyone else sees it; the sender is told kindly.
        await web_resident.write("Soita 040 123 4567 zqphone")
        for other in (telegram, matrix):
            relayed = await other.sees("zqphone")
            assert relayed == f"{web_name}: Soita [PHONE] zqphone"
        await web_resident.sees(texts.text("fi", "pii_hidden_notice"))

        # A removed participant cannot come back.
        participant = await participant_on(service, "matrix")
        await moderation.restrict(service.core, moderator, group.id, participant.id, remove=True)
        await matrix.sees(texts.text("fi", "group_removed", title="Etäkahvila"))
        await matrix.write(f"/join {CODE}")
        await matrix.sees(texts.text("fi", "group_removed_cannot_rejoin", title="Etäkahvila"))

        # News: the web chat and Telegram residents opt in, the Matrix resident does not.
        await web_resident.write("tilaa uutiset 6")  # "other" is the sixth topic
        await web_resident.sees("Valmis:")
        await telegram.press("news:other:fi")
        await telegram.sees("Valmis:")
        first = await announcements.send(
            service.core, moderator, topic_id="other", language="fi", text="Uutinen zqnews1"
        )
        assert first.recipients == 2
        await web_resident.sees("zqnews1")
        await telegram.sees("zqnews1")
        await counts_settle(service, first.id, delivered=2)
        assert not any("zqnews1" in text for text in matrix.texts())

        # The web chat resident withdraws: the next announcement reaches Telegram only.
        await web_resident.write("lopeta uutiset")
        await web_resident.sees(texts.text("fi", "news_withdrawn"))
        second = await announcements.send(
            service.core, moderator, topic_id="other", language="fi", text="Uutinen zqnews2"
        )
        assert second.recipients == 1
        await telegram.sees("zqnews2")
        await counts_settle(service, second.id, delivered=1)
        assert "zqnews2" not in await web_resident.transcript()

        # After the end, the raw database holds no group message text.
        await moderation.end(service.core, moderator, group.id)
        await telegram.sees(texts.text("fi", "group_ended", title="Etäkahvila"))
        await context.close()
    raw = await raw_database(service)
    for secret in (
        b"zqhei",
        b"zqmoi",
        b"zqterve",
        b"zqphone",
        b"040 123 4567",
        b"Hei kaikki",
    ):
        assert secret not in raw
