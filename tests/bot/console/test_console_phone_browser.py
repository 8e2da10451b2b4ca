"""The staff console on a phone, in real Chromium (issue 20, points 7 and 8): the queue board
fits the screen with Claim in reach, and the admin forms keep each checkbox beside its label
and the queue settings page in short sections."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.support.browser import launch_browser
from tests.support.chat import Harness

from .helpers import waiting_conversation
from .test_console_browser import base_of, open_board, sign_in, watch_errors

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


async def phone_page(browser: Any) -> tuple[Any, Any, list[str]]:
    context = await browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = await context.new_page()
    return context, page, watch_errors(page)


async def no_horizontal_overflow(page: Any) -> bool:
    return bool(
        await page.evaluate(
            "() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"
        )
    )


async def test_the_queue_board_fits_a_phone_and_claim_is_in_reach(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    await harness.staff("anna")
    conversation = await waiting_conversation(harness)
    base = base_of(client)
    context, page, errors = await phone_page(browser)
    await sign_in(page, base, "anna")
    await open_board(page, base)
    claim = page.locator(f"button.claim[data-conversation='{conversation}']")
    await claim.wait_for()
    assert await no_horizontal_overflow(page)
    await claim.scroll_into_view_if_needed()
    box = await claim.bounding_box()
    assert box is not None
    assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"], box
    # A real tap reaches the button (nothing covers it) and claims the conversation.
    await claim.tap()
    await page.wait_for_url(f"**/console/conversations/{conversation}")
    await page.locator("#reply-form").wait_for(state="visible")
    assert await no_horizontal_overflow(page)
    assert errors == []
    await context.close()


async def checkboxes_off_their_labels(page: Any) -> list[str]:
    """Visible checkboxes whose label's first line of text does not run beside the box."""
    return list(
        await page.evaluate(
            """() => Array.from(document.querySelectorAll("main input[type=checkbox]"))
              .filter((box) => box.offsetParent !== null)
              .filter((box) => {
                const label = box.closest("label")
                  || (box.id && document.querySelector(`label[for="${box.id}"]`));
                if (!label) return true;
                const text = Array.from(label.childNodes).find(
                  (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
                if (!text) return true;
                const range = document.createRange();
                range.selectNodeContents(text);
                const first = Array.from(range.getClientRects()).find((r) => r.width > 0);
                const b = box.getBoundingClientRect();
                const middle = b.top + b.height / 2;
                return !(first && first.top <= middle && middle <= first.bottom);
              })
              .map((box) => `${box.name}=${box.value}`)"""
        )
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_admin_checkboxes_sit_beside_their_labels_and_queue_settings_are_short(
    harness: Harness, client: TestClient[Any, Any], browser: Any, viewport: dict[str, int]
) -> None:
    await harness.staff("ada", role="admin", queues=())
    await harness.staff("anna")
    base = base_of(client)
    context = await browser.new_context(viewport=viewport)
    page = await context.new_page()
    errors = watch_errors(page)
    await sign_in(page, base, "ada")
    await page.goto(f"{base}/console/admin/queues")
    height = await page.evaluate("document.scrollingElement.scrollHeight")
    # The page was one form of about 6,000 pixels; its sections now open one at a time.
    assert height < 2000, height
    for path in ("/console/admin/queues", "/console/admin/users"):
        await page.goto(f"{base}{path}")
        await page.evaluate(
            "document.querySelectorAll('details').forEach((d) => { d.open = true; })"
        )
        assert await page.locator("main input[type=checkbox]:visible").count() > 0, path
        assert await checkboxes_off_their_labels(page) == [], path
        assert await no_horizontal_overflow(page), path
    assert errors == []
    await context.close()
