"""Quick exit ends the contact, in real Chromium (issue 20, point 4): the resident presses
"Leave quickly" on a phone; the counsellor's open conversation says at once that the resident
has left, and a reply sent anyway is refused with that message, the typed text kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.actions import conversations as actions
from bot.conversation import RESIDENT_LEFT
from bot.store.tables import Conversation
from tests.support.browser import launch_browser
from tests.support.chat import Harness

from .test_console_browser import base_of, console_page, resident_opens_chat, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


async def test_a_resident_who_leaves_quickly_is_shown_as_left_and_replies_are_refused(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    anna = await harness.staff("anna")
    base = base_of(client)
    chat_context = await browser.new_context(viewport=PHONE)
    chat = await chat_context.new_page()
    await resident_opens_chat(chat, base, harness)
    from sqlmodel import select

    async with harness.core.database.session() as session:
        conversation = (await session.execute(select(Conversation))).scalars().one().id
    await actions.claim(harness.core, anna, conversation)

    context, page, _errors = await console_page(browser)
    await sign_in(page, base, "anna")
    await page.goto(f"{base}/console/conversations/{conversation}")
    await page.locator("#reply-form").wait_for(state="visible")
    await page.wait_for_function(f"document.body.dataset.watching === '{conversation}'")
    left_notice = page.locator("#resident-left")
    assert await left_notice.is_hidden()
    typed = "Oletko vielä siellä?"
    await page.fill("#reply-text", typed)

    # The console's reads fail from now on: the notice must come from the live event alone.
    async def stale(route: Any) -> None:
        if route.request.method == "GET":
            await route.abort()
        else:
            await route.continue_()

    await page.route(f"**/api/conversations/{conversation}", stale)
    await chat.get_by_role("button", name="Poistu nopeasti").click()
    await chat.wait_for_url(lambda url: "/chat" not in url)
    await left_notice.wait_for(state="visible")
    assert "left" in await left_notice.inner_text()

    await page.click("#reply-form button[type=submit]")
    refusal = page.locator("#reply-form .action-error")
    await refusal.wait_for(state="visible")
    assert "Reply not sent" in await refusal.inner_text()
    assert "resident has left" in await refusal.inner_text()
    assert await page.input_value("#reply-text") == typed

    # Once the page reads again, the conversation shows as closed and left; the text stays.
    await page.unroute(f"**/api/conversations/{conversation}")
    await page.reload()
    await page.locator("#conv-meta", has_text="closed").wait_for()
    assert await left_notice.is_visible()
    async with harness.core.database.session() as session:
        stored = await session.get(Conversation, conversation)
        assert stored is not None and stored.close_outcome == RESIDENT_LEFT
    for opened in (chat_context, context):
        await opened.close()
