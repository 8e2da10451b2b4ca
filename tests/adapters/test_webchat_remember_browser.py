"""'Remember this device' on the resident web chat in real Chromium (issue 21): off by default
(this tab only), on by the resident's choice (a new tab or a restarted browser continues as the
same resident), and gone from the device on unticking, on quick exit and on end-and-forget."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot.store.tables import Conversation
from tests.adapters.test_webchat_browser import (
    Served,
    browser,
    only_conversation,
    served,
    watched_page,
    watched_tab,
)

pytestmark = pytest.mark.browser

__all__ = ["browser", "served"]  # fixtures, used by name

REMEMBER = "Remember this device"
# Every key of the chat's, also ones a later change might add, is under this prefix.
OURS = "somesossu."


async def ours(page: Any, storage: str) -> dict[str, str]:
    """The chat's keys in `localStorage` or `sessionStorage` of the page's origin."""
    found: dict[str, str] = await page.evaluate(
        """([storage, prefix]) => {
          const store = window[storage], found = {};
          for (let i = 0; i < store.length; i++) {
            const key = store.key(i);
            if (key.startsWith(prefix)) { found[key] = store.getItem(key); }
          }
          return found;
        }""",
        [storage, OURS],
    )
    return found


async def conversations(served: Served) -> list[Conversation]:
    async with served.service.core.database.session() as session:
        return list((await session.execute(select(Conversation))).scalars())


async def chat_with_one_message(page: Any, served: Served, words: str) -> None:
    """Open an English chat in `page` and have `words` delivered."""
    texts = served.service.core.texts
    await page.goto(f"{served.base}/chat?lang=en")
    await page.get_by_role("button", name=texts.text("en", "topic_work")).click()
    await page.get_by_label("Your message").fill(words)
    await page.get_by_role("button", name="Send").click()
    await page.locator("#transcript .from-resident", has_text=words).wait_for()
    await page.locator("#transcript .pending").wait_for(state="detached")


async def test_unticked_a_new_tab_starts_afresh_and_the_device_keeps_nothing(
    browser: Any, served: Served
) -> None:
    texts = served.service.core.texts
    context, page, problems = await watched_page(browser, served.base)
    await chat_with_one_message(page, served, "Only for this tab")
    assert not await page.get_by_role("checkbox", name=REMEMBER).is_checked()
    token = (await ours(page, "sessionStorage"))["somesossu.token"]
    assert await ours(page, "localStorage") == {}
    await page.close()

    again = await watched_tab(context, served.base, problems)
    await again.goto(f"{served.base}/chat")
    # No remembered language: the picker, not a redirect into the old chat.
    await again.get_by_role("link", name="English").click()
    await again.wait_for_url("**/chat?lang=en")
    await again.get_by_role("button", name=texts.text("en", "topic_work")).wait_for()
    assert await again.locator("#transcript", has_text="Only for this tab").count() == 0
    assert (await ours(again, "sessionStorage"))["somesossu.token"] != token
    assert await ours(again, "localStorage") == {}
    rows = await conversations(served)
    assert len(rows) == 2 and rows[0].pseudonym != rows[1].pseudonym
    assert problems == []
    await context.close()


async def test_ticked_a_new_tab_and_a_restarted_browser_continue_as_the_same_resident(
    browser: Any, served: Served
) -> None:
    context, page, problems = await watched_page(browser, served.base)
    await chat_with_one_message(page, served, "Please keep my place")
    await page.get_by_role("checkbox", name=REMEMBER).check()
    token = (await ours(page, "sessionStorage"))["somesossu.token"]
    assert await ours(page, "localStorage") == {
        "somesossu.remember": "1",
        "somesossu.token": token,
        "somesossu.lang": "en",
    }
    await page.close()

    again = await watched_tab(context, served.base, problems)
    await again.goto(f"{served.base}/chat")
    await again.wait_for_url("**/chat?lang=en")
    await again.locator("#transcript .from-resident", has_text="Please keep my place").wait_for()
    assert await again.get_by_role("checkbox", name=REMEMBER).is_checked()
    assert (await ours(again, "sessionStorage"))["somesossu.token"] == token
    kept = await only_conversation(served.service)  # the server saw the same resident

    # A browser restart: a new context with what the old one had kept on disk.
    state = await context.storage_state()
    await context.close()
    restarted = await browser.new_context(storage_state=state)
    page = await watched_tab(restarted, served.base, problems)
    await page.goto(f"{served.base}/chat")
    await page.locator("#transcript .from-resident", has_text="Please keep my place").wait_for()
    assert (await only_conversation(served.service)).id == kept.id
    assert problems == []
    await restarted.close()


async def test_quick_exit_after_ticking_leaves_neither_storage_a_way_back(
    browser: Any, served: Served
) -> None:
    context, page, problems = await watched_page(browser, served.base)
    await chat_with_one_message(page, served, "Someone is coming")
    await page.get_by_role("checkbox", name=REMEMBER).check()
    assert "somesossu.token" in await ours(page, "localStorage")
    assert problems == []  # checked now: the neutral page after leaving has no favicon
    await page.get_by_role("button", name="Leave quickly").click()
    await page.wait_for_url("**/healthz")  # same origin: its storages are the chat's
    assert await ours(page, "localStorage") == {}
    assert await ours(page, "sessionStorage") == {}

    later: list[str] = []
    again = await watched_tab(context, served.base, later)
    await again.goto(f"{served.base}/chat")
    await again.get_by_role("link", name="English").wait_for()
    assert again.url == f"{served.base}/chat"
    assert later == []
    await context.close()


async def test_end_and_forget_after_ticking_clears_the_device_too(
    browser: Any, served: Served
) -> None:
    context, page, problems = await watched_page(browser, served.base)
    await chat_with_one_message(page, served, "Forget me everywhere")
    page.on("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("checkbox", name=REMEMBER).check()
    assert "somesossu.token" in await ours(page, "localStorage")
    await page.get_by_role("button", name="End and forget").click()
    await page.get_by_text("The conversation was deleted.").wait_for()
    assert await ours(page, "localStorage") == {}
    assert await ours(page, "sessionStorage") == {}
    assert problems == []
    await context.close()


async def test_unticking_by_keyboard_clears_the_device_and_the_chat_goes_on(
    browser: Any, served: Served
) -> None:
    context, page, problems = await watched_page(browser, served.base)
    await chat_with_one_message(page, served, "First words")
    # Reached by Tab from the control before it, and toggled by Space, like any checkbox.
    await page.get_by_role("link", name="Change language").focus()
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "remember"
    await page.keyboard.press("Space")
    assert await page.get_by_role("checkbox", name=REMEMBER).is_checked()
    assert "somesossu.token" in await ours(page, "localStorage")
    token = (await ours(page, "sessionStorage"))["somesossu.token"]

    await page.keyboard.press("Space")
    assert not await page.get_by_role("checkbox", name=REMEMBER).is_checked()
    assert await ours(page, "localStorage") == {}
    assert (await ours(page, "sessionStorage"))["somesossu.token"] == token

    await page.get_by_label("Your message").fill("Still here")
    await page.get_by_role("button", name="Send").click()
    await page.locator("#transcript .from-resident", has_text="Still here").wait_for()
    await page.locator("#transcript .pending").wait_for(state="detached")
    assert await ours(page, "localStorage") == {}
    await only_conversation(served.service)
    assert problems == []
    await context.close()


async def test_typing_the_delete_word_forgets_the_remembered_device_too(
    browser: Any, served: Served
) -> None:
    context, page, problems = await watched_page(browser, served.base)
    await chat_with_one_message(page, served, "Keep me for now")
    await page.get_by_role("checkbox", name=REMEMBER).check()
    assert "somesossu.token" in await ours(page, "localStorage")
    await page.get_by_label("Your message").fill("delete my data")
    await page.get_by_role("button", name="Send").click()
    # The server erased everything and said so: nothing on the device leads back to it.
    await page.locator("#transcript", has_text="Keep me for now").wait_for(state="detached")
    await page.wait_for_function("!window.localStorage.getItem('somesossu.token')")
    assert await ours(page, "localStorage") == {}
    assert await conversations(served) == []
    assert problems == []
    await context.close()
