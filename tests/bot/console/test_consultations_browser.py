"""Consultants in Chromium: the counsellor invites from the conversation page, the resident
answers, the consultant's own page shows only what was written after their joining and sends
a reply and follows the chat live; the counsellor ends it. Both pages pass axe."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.actions import consultations as consult
from bot.actions import conversations as actions
from tests.bot.console.helpers import waiting_conversation
from tests.support.browser import launch_browser
from tests.support.chat import Harness

from .test_console_browser import assert_accessible, base_of, console_page, sign_in

pytestmark = pytest.mark.browser

ORGANISATION = "Velkaneuvonta ry"
LIVE_MS = 5000


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


async def test_invite_answer_read_reply_and_end_in_the_browser(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    anna = await harness.staff("anna", display_name="Anna")
    admin = await harness.staff("ada", role="admin", queues=())
    mira = await harness.staff("mira", role="consultant", queues=(), display_name="Mira")
    await consult.set_consultant_account(
        harness.core,
        admin,
        mira.user_id,
        organisation=ORGANISATION,
        valid_until=harness.core.now() + timedelta(days=7),
    )
    conversation = await waiting_conversation(harness, text="Vanha asia ennen kutsua")
    resident = harness.resident("resident")
    await actions.claim(harness.core, anna, conversation)
    base = base_of(client)

    context, page, errors = await console_page(browser)
    await sign_in(page, base, "anna")
    await page.goto(f"{base}/console/conversations/{conversation}")
    box = page.locator("#consult-box")
    await box.wait_for()
    await box.locator("summary").click()
    await page.locator(f"#consult-who option[value='{mira.user_id}']").wait_for(state="attached")
    await page.select_option("#consult-who", mira.user_id)
    await page.select_option("#consult-purpose", "debt")
    await box.locator("button[type=submit]").click()
    await page.locator("#consult-current li", has_text="waiting for the resident").wait_for()
    await assert_accessible(page)
    await harness.deliver()
    await resident.press("consult:yes")
    await resident.write("Velkaa on paljon")

    other, mira_page, mira_errors = await console_page(browser)
    await sign_in(mira_page, base, "mira")
    assert mira_page.url.endswith("/console/consultations")
    await mira_page.locator("#consult-list button").click()
    transcript = mira_page.locator("#consult-transcript")
    await transcript.locator("li.msg.resident", has_text="Velkaa on paljon").wait_for()
    assert "Vanha asia ennen kutsua" not in await transcript.inner_text()
    await mira_page.fill("#consult-reply-text", "Hei, autan velka-asiassa.")
    await mira_page.locator("#consult-reply button[type=submit]").click()
    await transcript.locator("li.msg", has_text="Hei, autan velka-asiassa.").wait_for()
    await assert_accessible(mira_page)
    await harness.deliver()
    assert resident.last().display_name == f"Mira ({ORGANISATION})"
    # Live, not polled: the resident's next message is on the consultant's page at once (the
    # page asks again by itself only every 30 s).
    await mira_page.locator("body[data-watching]").wait_for(state="attached")
    await resident.write("Kiitos, tässä vielä lisää")
    live = transcript.locator("li.msg.resident", has_text="Kiitos, tässä vielä lisää")
    await live.wait_for(timeout=LIVE_MS)

    await page.locator("#consult-current li", has_text="in the chat").wait_for()
    # The counsellor reads the consultant's message under the consultant's name.
    written = page.locator("#transcript li.msg.counsellor", has_text="Hei, autan velka-asiassa.")
    await written.locator("span.author", has_text="Mira").wait_for()

    # The counsellor shows one earlier message: it reaches the consultant's page as shared.
    share = page.locator("#consult-current details.share")
    await share.locator("summary").click()
    await share.get_by_label("Vanha asia ennen kutsua", exact=False).check()
    await assert_accessible(page)
    await share.get_by_role("button", name="Show the chosen messages").click()
    await share.locator("input:checked").wait_for(state="detached")
    await transcript.locator("li.msg", has_text="Vanha asia ennen kutsua").wait_for()
    await page.locator("#consult-current").get_by_role("button", name="End").click()
    await page.locator("#consult-current li", has_text="ended").wait_for()
    # Sent away: the watch ends and the page drops the consultation at once.
    await mira_page.locator("#consult-list li.hint").wait_for(timeout=LIVE_MS)
    assert await mira_page.locator("#consult-view").is_hidden()
    assert errors == [] and mira_errors == []
    await other.close()
    await context.close()
