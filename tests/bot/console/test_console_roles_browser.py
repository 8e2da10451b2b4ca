"""In real Chromium: a role sees only the buttons it can use, and every failed action shows its
error beside what was pressed, outlives the next refresh and keeps what was typed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.actions import conversations as actions
from bot.hub import HubEvent
from bot.hub_topics import conversation_topic
from bot.store.tables import StaffUser
from tests.support.browser import launch_browser
from tests.support.chat import Harness

from .helpers import waiting_conversation
from .test_console_browser import base_of, console_page, open_board, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


async def test_an_admin_sees_the_queue_without_claim_buttons_and_why_a_chat_is_closed_to_them(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    await harness.staff("ada", role="admin", queues=())
    conversation = await waiting_conversation(harness)
    base = base_of(client)
    context, page, errors = await console_page(browser)
    await sign_in(page, base, "ada")
    await open_board(page, base)
    await page.locator("table.queue tbody tr", has_text="housing").wait_for()
    assert await page.locator("button.claim").count() == 0

    await page.goto(f"{base}/console/conversations/{conversation}")
    error = page.locator("#conv-error")
    await error.wait_for(state="visible")
    # Nobody claimed it: it is the admin's role, not a colleague, that keeps it closed.
    assert "role" in await error.inner_text()
    assert "colleague" not in await error.inner_text()
    for hidden in ("#claim", "#reply-form", "#close-box", "#notes-box"):
        assert await page.locator(hidden).is_hidden(), hidden
    assert errors == [] or all("403" in e for e in errors), errors
    await context.close()


async def test_a_refused_claim_stays_on_the_board_after_the_refresh(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    anna = await harness.staff("anna")
    async with harness.core.database.session() as session:
        user = await session.get(StaffUser, anna.user_id)
        assert user is not None
        user.max_concurrent = 1  # what the console reads for the signed-in user
    first = await waiting_conversation(harness, "first")
    await actions.claim(harness.core, anna, first)
    await waiting_conversation(harness, "second")
    base = base_of(client)
    context, page, _errors = await console_page(browser)
    await sign_in(page, base, "anna")
    await open_board(page, base)
    await page.locator("button.claim").click()
    board_error = page.locator("#board-error")
    await board_error.wait_for(state="visible")
    assert "maximum" in await board_error.inner_text()
    # The refresh that follows a failure redraws the board and leaves the error in place.
    updated = await page.inner_text("#board-status")
    await page.wait_for_function(
        "(before) => document.getElementById('board-status').textContent !== before", arg=updated
    )
    assert await board_error.is_visible()
    assert "maximum" in await board_error.inner_text()
    await context.close()


async def test_a_reply_refused_after_closing_shows_why_beside_send_and_keeps_the_text(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    anna = await harness.staff("anna")
    conversation = await waiting_conversation(harness)
    await actions.claim(harness.core, anna, conversation)
    base = base_of(client)
    context, page, _errors = await console_page(browser)
    await sign_in(page, base, "anna")
    await page.goto(f"{base}/console/conversations/{conversation}")
    await page.locator("#reply-form").wait_for(state="visible")

    # The page misses the closing (its reads fail for a moment), so Send is still offered.
    async def stale(route: Any) -> None:
        if route.request.method == "GET":
            await route.abort()
        else:
            await route.continue_()

    await page.route(f"**/api/conversations/{conversation}", stale)
    await actions.close(harness.core, anna, conversation, outcome="advice_given")
    typed = "Soitan sinulle huomenna kello 10."
    await page.fill("#reply-text", typed)
    await page.click("#reply-form button[type=submit]")
    refusal = page.locator("#reply-form .action-error")
    await refusal.wait_for(state="visible")
    assert "Reply not sent" in await refusal.inner_text()
    assert "not active" in await refusal.inner_text()
    assert await page.input_value("#reply-text") == typed

    # The page catches up: the conversation is closed; the error and the text stay in view.
    await page.unroute(f"**/api/conversations/{conversation}")
    payload = {"conversation": conversation}
    harness.core.hub.publish(HubEvent(conversation_topic(conversation), "closed", payload))
    await page.locator("#conv-meta", has_text="closed").wait_for()
    assert await refusal.is_visible()
    assert "Reply not sent" in await refusal.inner_text()
    assert await page.locator("#reply-text").is_visible()
    assert await page.input_value("#reply-text") == typed
    assert await page.locator("#reply-form button[type=submit]").is_disabled()
    await context.close()


async def test_text_typed_when_the_conversation_ends_stays_in_view_with_the_reason(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    anna = await harness.staff("anna")
    conversation = await waiting_conversation(harness)
    await actions.claim(harness.core, anna, conversation)
    base = base_of(client)
    context, page, _errors = await console_page(browser)
    await sign_in(page, base, "anna")
    await page.goto(f"{base}/console/conversations/{conversation}")
    await page.locator("#reply-form").wait_for(state="visible")
    await page.wait_for_function("document.body.dataset.watching !== undefined")
    typed = "Hetki, tarkistan asian."
    await page.fill("#reply-text", typed)
    await actions.close(harness.core, anna, conversation, outcome="advice_given")
    await page.locator("#conv-meta", has_text="closed").wait_for()
    assert await page.locator("#reply-text").is_visible()
    assert await page.input_value("#reply-text") == typed
    notice = page.locator("#reply-form .action-error")
    assert "no longer" in await notice.inner_text()
    assert await page.locator("#reply-form button[type=submit]").is_disabled()
    await context.close()
