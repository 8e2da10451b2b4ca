"""A working day in the console in Finnish and in Swedish, in real Chromium (issue 20): a
counsellor whose browser is Finnish claims, replies, writes a note, reveals a hidden number
and closes, on a desktop and on a phone; an admin who chose Swedish in the profile opens every
page. No page shows a text key instead of words, an English heading, a script error or a
failure the user is not told about.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.console.texts import console_texts
from tests.support.browser import launch_browser
from tests.support.chat import Harness

from .helpers import waiting_conversation
from .test_console_browser import base_of, sign_in, watch_errors

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _key_shown() -> re.Pattern[str]:
    """A text key shown as it is ("board.claim"): the script's t() shows a key it lacks."""
    texts = console_texts()
    keys = texts.keys("en", "console") | texts.keys("en", "console_js")
    areas = sorted({key.split(".")[0] for key in keys if "." in key})
    return re.compile(r"\b(?:" + "|".join(areas) + r")\.[a-z_]+\b")


KEY_SHOWN = _key_shown()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


async def words_only(page: Any, lang: str) -> str:
    """The page's visible text, after checking it is in `lang` with no text key in it."""
    assert await page.get_attribute("html", "lang") == lang
    text = str(await page.locator("body").inner_text())
    assert KEY_SHOWN.findall(text) == [], page.url
    return text


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_a_counsellor_works_a_conversation_through_in_finnish(
    harness: Harness, client: TestClient[Any, Any], browser: Any, viewport: dict[str, int]
) -> None:
    texts = console_texts()
    await harness.staff("anna", display_name="Anna S")
    conversation = await waiting_conversation(harness, text="Soita minulle 040 1234567")
    base = base_of(client)
    context = await browser.new_context(viewport=viewport, locale="fi-FI")
    page = await context.new_page()
    errors = watch_errors(page)
    await sign_in(page, base, "anna")

    await page.goto(f"{base}/console/queues")
    await page.locator("#board-status", has_text="Päivitetty").wait_for()
    board = await words_only(page, "fi")
    assert "Odottavat" in board and "Waiting" not in board
    claim = page.locator(f"button.claim[data-conversation='{conversation}']")
    await claim.scroll_into_view_if_needed()
    await claim.click()
    await page.wait_for_url(f"**/console/conversations/{conversation}")
    await page.locator("#transcript .msg.resident").first.wait_for()

    await page.fill("#reply-text", "Hei, soitan sinulle pian.")
    await page.click("#reply-form button[type=submit]")
    await page.locator("#transcript .msg.counsellor", has_text="soitan sinulle").wait_for()
    assert await page.input_value("#reply-text") == ""

    await page.fill("#note-text", "Soittopyyntö, vuokra-asia.")
    await page.click("#note-form button[type=submit]")
    await page.locator("#notes", has_text="Soittopyyntö").wait_for()

    await page.locator("#transcript button.chip").first.click()
    await page.fill("#reveal-reason", "asukas pyysi soittoa")
    await page.click("#reveal-form button[type=submit]")
    revealed = page.locator("#reveal-result")
    await revealed.wait_for()
    await page.wait_for_function("document.getElementById('reveal-result').textContent.length")
    assert "1234567" in (await revealed.inner_text()).replace(" ", "")
    await words_only(page, "fi")

    await page.click("#close-box summary")
    await page.select_option("#close-outcome", "advice_given")
    await page.click("#close-form button[type=submit]")
    closed = texts.script_texts("fi")["state.closed"]
    assert isinstance(closed, str)
    await page.locator("#conv-meta", has_text=closed).wait_for()

    # A closed conversation offers no reply box to type into in vain.
    await page.locator("#reply-form").wait_for(state="hidden")
    await words_only(page, "fi")
    assert errors == []
    await context.close()


async def test_an_admin_who_chose_swedish_sees_every_page_in_swedish(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    await harness.staff("ada", role="admin")
    base = base_of(client)
    # The browser asks for English: the profile's choice wins.
    context = await browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = await context.new_page()
    errors = watch_errors(page)
    await sign_in(page, base, "ada")
    await page.goto(f"{base}/console/profile")
    await page.select_option("#console_language", "sv")
    await page.click("#console_language ~ button[type=submit]")
    await page.wait_for_url("**/console/profile?saved=language")
    assert "Konsolens språk har sparats." in await words_only(page, "sv")
    paths = await page.eval_on_selector_all(
        "header nav a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert {"/console/admin/users", "/console/admin/queues", "/console/admin/canned"} <= set(paths)
    for path in paths:
        response = await page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        await page.wait_for_load_state("networkidle")
        shown = await words_only(page, "sv")
        assert "Sign out" not in shown and "Logga ut" in shown, path
    assert errors == []
    await context.close()
