"""The console in real Chromium: sign in, a live conversation arrives, claim it by keyboard,
reply, reveal with a reason, close; axe-core finds no serious or critical violations.

Also writes the screenshots in docs/screenshots/. The resident is driven through the
in-process platform (the web chat adapter is tested on its own).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.support.browser import axe_violations, launch_browser
from tests.support.chat import Harness

from .helpers import PASSWORD, waiting_conversation

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


async def eventually(check: Callable[[], Awaitable[bool] | bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def sign_in(page: Any, base: str, username: str) -> None:
    await page.goto(f"{base}/console/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(lambda url: "/console/login" not in url)


async def assert_accessible(page: Any) -> None:
    violations = await axe_violations(page)
    assert violations == [], violations


async def tab_to(page: Any, selector: str, limit: int = 40) -> None:
    """Keyboard only: press Tab until the element matching `selector` has focus."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with the keyboard")


async def test_a_counsellor_holds_a_whole_conversation_in_the_browser(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    await harness.staff("anna", display_name="Anna S")
    await harness.staff("sari", role="supervisor")
    base = str(client.make_url("")).rstrip("/")
    # bypass_csp only so axe-core can be injected inline; the CSP itself is tested over HTTP.
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    await page.goto(f"{base}/console/login")
    await assert_accessible(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "sign-in.png"))
    await sign_in(page, base, "anna")
    await page.wait_for_selector("#board-status:has-text('Updated')")
    await page.wait_for_function("document.body.dataset.live === 'connected'")

    # A resident writes now: the board shows it without a reload, with a title notice.
    conversation = await waiting_conversation(harness, text="soita 040 1234567 kiitos")
    claim = page.locator(f"button.claim[data-conversation='{conversation}']")
    await claim.wait_for()
    await eventually(lambda: _title_has_count(page))
    await assert_accessible(page)
    await page.screenshot(path=str(SCREENSHOTS / "queue-board.png"))

    await tab_to(page, "button.claim")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/console/conversations/{conversation}")
    await page.wait_for_selector("#transcript .msg.resident")
    chip = page.locator("#transcript button.chip").first
    assert "1234567" not in await page.locator("#transcript").inner_text()

    await page.fill("#reply-text", "Hei, soitan sinulle pian.")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    resident = harness.resident("resident")
    await eventually(lambda: any(o.text == "Hei, soitan sinulle pian." for o in resident.received))
    assert resident.last().display_name == "Anna S"

    await resident.write("kiitos paljon")
    await page.wait_for_selector("#transcript .msg.resident:has-text('kiitos paljon')")

    await chip.click()
    await page.fill("#reveal-reason", "resident asked for a phone call")
    await page.click("#reveal-form button[type=submit]")
    await page.wait_for_selector("#reveal-result:has-text('Revealed')")
    assert "1234567" in (await page.inner_text("#reveal-result")).replace(" ", "")
    await assert_accessible(page)
    await page.screenshot(path=str(SCREENSHOTS / "conversation.png"))

    await page.click("#close-box summary")
    await page.select_option("#close-outcome", "advice_given")
    await page.fill("#close-tags", "housing")
    await page.click("#close-form button[type=submit]")
    await page.wait_for_selector("#conv-meta:has-text('closed')")
    assert errors == []

    supervisor = await browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    board = await supervisor.new_page()
    await sign_in(board, base, "sari")
    await board.goto(f"{base}/console/dashboard")
    await board.wait_for_selector("#d-today:has-text('1')")
    await assert_accessible(board)
    await board.screenshot(path=str(SCREENSHOTS / "dashboard.png"))
    await supervisor.close()
    await context.close()


async def _title_has_count(page: Any) -> bool:
    return (await page.title()).startswith("(")
