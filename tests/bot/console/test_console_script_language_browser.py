"""The page script speaks the counsellor's language, in real Chromium: a browser set to Finnish
(Accept-Language fi-FI) shows the queue board in Finnish, a Swedish one in Swedish, an English
one as before, with language codes and topic codes as names ("Venäjä", not "ru")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from bot.store.tables import Conversation
from tests.support.browser import launch_browser
from tests.support.chat import Harness

from .test_console_browser import SCREENSHOTS, base_of, sign_in, watch_errors

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# What the board shows for a conversation in Russian about housing, by browser language.
BOARD = {
    "fi-FI": {
        "updated": "Päivitetty",
        "claim": "Ota vastaan",
        "language": "Venäjä",
        "topic": "Asuminen",
        "column": "Kieli",
        "sound": "Ääni päällä",
    },
    "sv-FI": {
        "updated": "Uppdaterad",
        "claim": "Ta emot",
        "language": "Ryska",
        "topic": "Boende",
        "column": "Språk",
        "sound": "Ljud på",
    },
    "en-GB": {
        "updated": "Updated",
        "claim": "Claim",
        "language": "Russian",
        "topic": "Housing",
        "column": "Language",
        "sound": "Sound on",
    },
}


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


async def russian_housing_conversation(harness: Harness) -> str:
    resident = harness.resident("olga")
    await resident.write("привет")
    await resident.press("lang:ru")
    await resident.press("topic:housing")
    await resident.write("мне нужна помощь с квартирой")
    async with harness.core.database.session() as session:
        found = (
            (
                await session.execute(
                    select(Conversation).where(
                        col(Conversation.state).in_(("queued", "waiting_hours"))
                    )
                )
            )
            .scalars()
            .one()
        )
    assert found.language == "ru"
    return str(found.id)


@pytest.mark.parametrize("locale", list(BOARD))
async def test_the_queue_board_speaks_the_browsers_language(
    harness: Harness, client: TestClient[Any, Any], browser: Any, locale: str
) -> None:
    await harness.staff("anna")
    conversation = await russian_housing_conversation(harness)
    expected = BOARD[locale]
    # The context's locale is what Chromium sends as Accept-Language (and uses for Intl).
    context = await browser.new_context(viewport=DESKTOP, locale=locale)
    page = await context.new_page()
    errors = watch_errors(page)
    base = base_of(client)
    await sign_in(page, base, "anna")
    await page.goto(f"{base}/console/queues")
    await page.locator("#board-status", has_text=expected["updated"]).wait_for()

    claim = page.locator(f"button.claim[data-conversation='{conversation}']")
    await claim.wait_for()
    assert (await claim.inner_text()).strip() == expected["claim"]
    label = await claim.get_attribute("aria-label") or ""
    assert expected["language"] in label and expected["topic"] in label, label
    row = page.locator("tr", has=claim)
    cells = row.locator("td")
    assert (await cells.nth(0).inner_text()).strip() == expected["language"]
    assert await cells.nth(0).get_attribute("data-label") == expected["column"]
    assert (await cells.nth(1).inner_text()).strip() == expected["topic"]
    header = page.locator("table.queue thead th").first
    assert (await header.inner_text()).strip() == expected["column"]
    assert (await page.locator("#mute").inner_text()).strip() == expected["sound"]
    # Nothing shows a bare code where a name belongs.
    assert "ru" not in [(await cell.inner_text()).strip() for cell in await cells.all()]
    if locale == "fi-FI":  # docs/console.md shows the Finnish board, on a desktop and a phone
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "queue-board-fi.png"))
        await page.set_viewport_size(PHONE)
        await claim.scroll_into_view_if_needed()
        await page.screenshot(path=str(SCREENSHOTS / "queue-board-fi-phone.png"))
    assert errors == []
    await context.close()
