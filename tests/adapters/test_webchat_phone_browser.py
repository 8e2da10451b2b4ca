"""The resident web chat on a phone in real Chromium (issue 20, point 3): the quick-exit button
stays in view however long the conversation grows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.adapters.test_webchat_browser import Served, browser, served

pytestmark = pytest.mark.browser

__all__ = ["browser", "served"]  # fixtures, used by name

PHONE = {"width": 390, "height": 844}


async def leave_button_in_view(page: Any) -> bool:
    return bool(
        await page.evaluate(
            """() => {
              const box = document.getElementById("leave").getBoundingClientRect();
              const x = box.left + box.width / 2, y = box.top + box.height / 2;
              const hit = document.elementFromPoint(x, y);
              return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0
                && hit !== null && hit.closest("#leave") !== null;
            }"""
        )
    )


async def test_the_quick_exit_button_stays_in_view_on_a_phone_after_many_messages(
    browser: Any, served: Served
) -> None:
    texts = served.service.core.texts
    context = await browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = await context.new_page()
    await page.goto(f"{served.base}/chat?lang=en")
    await page.get_by_role("button", name=texts.text("en", "topic_work")).click()
    await page.locator("#choices").wait_for(state="hidden")
    assert await leave_button_in_view(page)
    for number in range(8):
        await page.get_by_label("Your message").fill(f"Message number {number}\nwith a second line")
        await page.get_by_role("button", name="Send").click()
        await page.locator("#transcript .pending").wait_for(state="detached")
    # Where a resident looks after sending (the composer) and after reading back up.
    await page.get_by_label("Your message").focus()
    await page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
    assert await leave_button_in_view(page)
    await page.locator("#transcript .from-resident").last.scroll_into_view_if_needed()
    assert await leave_button_in_view(page)
    await page.get_by_role("button", name="Leave quickly").click()
    await page.wait_for_url("**/healthz")
    await context.close()
