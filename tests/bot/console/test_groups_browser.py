"""The group-session console page in Chromium: live session, moderation, announcements.

A resident joins over the in-process channel; the supervisor opens the session, sees it live,
posts, pins an agenda, removes a message and mutes the participant. axe-core finds nothing
serious, and the screenshot groups.png is taken here (into docs/ by `make screenshots`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.groups.jobs import group_sweep
from bot.groups.sessions import SessionDraft, create_session
from tests.support.browser import launch_browser
from tests.support.chat import Harness

from .test_console_browser import SCREENSHOTS, assert_accessible, base_of, console_page, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


async def test_a_moderator_runs_a_live_group_session_from_the_console(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    sari = await harness.staff("sari", role="supervisor", display_name="Sari M")
    now = datetime.now(UTC)
    group = await create_session(
        harness.core,
        sari,
        SessionDraft(
            title="Etäkahvila",
            description="Jutellaan",
            language="fi",
            topic_id="other",
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=1),
            capacity=8,
            channels=("test",),
            code="KAHVI5",
        ),
    )
    await group_sweep(harness.core)
    resident = harness.resident("aino")
    await resident.write("/join KAHVI5")
    await harness.deliver()
    base = base_of(client)
    context, page, errors = await console_page(browser)
    await sign_in(page, base, "sari")
    await page.goto(f"{base}/console/groups")
    await page.wait_for_function("document.body.dataset.live === 'connected'")
    await page.get_by_role("button", name="Open Etäkahvila").click()
    await page.locator("#participants .participant").first.wait_for()
    await page.wait_for_function(f"document.body.dataset.watchingGroup === '{group.id}'")

    # Live: the resident's message (redacted) arrives through the websocket.
    await resident.write("soita 040 1234567")
    await harness.deliver()
    message = page.locator("#group-messages .msg", has_text="[PHONE]")
    await message.wait_for()
    assert "1234567" not in await page.locator("#group-messages").inner_text()

    await page.fill("#post-text", "Tervetuloa kaikki!")
    await page.click("#post-form button[type=submit]")
    await page.locator("#group-messages .msg.counsellor", has_text="Tervetuloa").wait_for()
    await harness.deliver()
    assert any("Tervetuloa kaikki!" in text for text in resident.texts())

    await page.fill("#agenda-text", "1. Esittäytyminen 2. Vapaa keskustelu")
    await page.click("#agenda-form button[type=submit]")
    await page.locator("#live-agenda", has_text="Esittäytyminen").wait_for()

    await assert_accessible(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "groups.png"), full_page=True)

    await message.get_by_role("button", name="Remove message").click()
    await page.locator("#group-messages .msg.removed").wait_for()
    await page.locator("#participants button", has_text="Mute").click()
    await page.locator("#participants", has_text="muted").wait_for()

    page.once("dialog", lambda dialog: dialog.accept())
    await page.click("#end-session")
    await page.locator("#live-meta", has_text="ended").wait_for()
    assert errors == []
    await context.close()
