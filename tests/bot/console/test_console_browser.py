"""The console and the real resident web chat in Chromium, both served by the same app.

A resident on /chat chooses Finnish and a topic and writes; the counsellor sees it arrive on
the queue board, claims it by keyboard, replies (the resident sees it live), reveals a hidden
phone number with a reason and closes. axe-core finds no serious or critical violations, and
the screenshots of docs/screenshots/ are taken here (written there by `make screenshots`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.actions import conversations as actions
from tests.support.browser import axe_violations, launch_browser
from tests.support.chat import Harness
from tests.support.screenshots import screenshot_dir

from .helpers import PASSWORD, waiting_conversation

pytestmark = pytest.mark.browser
# build/screenshots/ (ignored by git); docs/screenshots/ only from `make screenshots`.
SCREENSHOTS = screenshot_dir()
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 720}


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


def base_of(client: TestClient[Any, Any]) -> str:
    return str(client.make_url("")).rstrip("/")


def watch_errors(page: Any) -> list[str]:
    """Console errors (a CSP violation is one) and uncaught exceptions on `page`."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


async def console_page(browser: Any) -> tuple[Any, Any, list[str]]:
    # bypass_csp only so axe-core can be injected inline; the CSP itself is tested over HTTP
    # and the resident's page below runs under the real policy.
    context = await browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = await context.new_page()
    return context, page, watch_errors(page)


async def resident_page(browser: Any) -> tuple[Any, Any, list[str]]:
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    return context, page, watch_errors(page)


async def sign_in(page: Any, base: str, username: str) -> None:
    await page.goto(f"{base}/console/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(lambda url: "/console/login" not in url)


async def open_board(page: Any, base: str) -> None:
    await page.goto(f"{base}/console/queues")
    await page.wait_for_selector("#board-status:has-text('Updated')")
    await page.wait_for_function("document.body.dataset.live === 'connected'")


async def resident_opens_chat(page: Any, base: str, harness: Harness) -> None:
    """Open /chat, pick Suomi from the language list, then the housing topic."""
    await page.goto(f"{base}/chat")
    await page.get_by_role("link", name="Suomi").click()
    await page.wait_for_url("**/chat?lang=fi")
    await page.get_by_role("button", name=harness.core.texts.text("fi", "topic_housing")).click()
    await page.locator("#choices").wait_for(state="hidden")


async def resident_writes(page: Any, text: str) -> None:
    await page.fill("#text", text)
    await page.click("#send")
    await page.locator("#transcript .from-resident", has_text=text).wait_for()
    await page.locator("#transcript .pending").wait_for(state="detached")


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


async def test_a_counsellor_and_a_resident_hold_a_whole_conversation_in_the_browser(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    await harness.staff("anna", display_name="Anna S")
    await harness.staff("sari", role="supervisor")
    base = base_of(client)
    context, page, errors = await console_page(browser)
    chat_context, chat, chat_errors = await resident_page(browser)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    await page.goto(f"{base}/console/login")
    await assert_accessible(page)
    await page.screenshot(path=str(SCREENSHOTS / "sign-in.png"))
    await sign_in(page, base, "anna")
    await open_board(page, base)

    # The resident, on the real web chat: the board shows them without a reload.
    await resident_opens_chat(chat, base, harness)
    claim = page.locator("button.claim")
    await claim.wait_for()
    conversation = await claim.get_attribute("data-conversation")
    await page.wait_for_function("document.title.startsWith('(1) ')")
    await resident_writes(chat, "Soita minulle 040 1234567 kiitos")
    await assert_accessible(page)
    await page.screenshot(path=str(SCREENSHOTS / "queue-board.png"))

    await tab_to(page, "button.claim")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/console/conversations/{conversation}")
    await page.wait_for_selector("#transcript .msg.resident:has-text('Soita minulle')")
    assert "1234567" not in await page.locator("#transcript").inner_text()
    await chat.locator("#status", has_text="Anna S").wait_for()

    await page.fill("#reply-text", "Hei, soitan sinulle pian.")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    answer = chat.locator("#transcript .from-counsellor", has_text="Hei, soitan sinulle pian.")
    await answer.wait_for()
    assert "Anna S" in await answer.inner_text()
    await page.wait_for_selector("#transcript .delivery:has-text('delivered')")

    await resident_writes(chat, "kiitos paljon")
    await page.wait_for_selector("#transcript .msg.resident:has-text('kiitos paljon')")
    await chat.screenshot(path=str(SCREENSHOTS / "web-chat.png"))

    await page.locator("#transcript button.chip").first.click()
    await page.fill("#reveal-reason", "resident asked for a phone call")
    await page.click("#reveal-form button[type=submit]")
    await page.wait_for_selector("#reveal-result:has-text('Revealed')")
    assert "1234567" in (await page.inner_text("#reveal-result")).replace(" ", "")
    await assert_accessible(page)
    await page.screenshot(path=str(SCREENSHOTS / "conversation.png"))

    await page.click("#close-box summary")
    await page.select_option("#close-outcome", "advice_given")
    await page.check("#close-tag-housing")
    await page.click("#close-form button[type=submit]")
    await page.wait_for_selector("#conv-meta:has-text('closed')")
    assert errors == []
    assert chat_errors == []

    supervisor = await browser.new_context(viewport=DESKTOP, bypass_csp=True)
    board = await supervisor.new_page()
    await sign_in(board, base, "sari")
    await board.goto(f"{base}/console/dashboard")
    await board.wait_for_selector("#d-today:has-text('1')")
    await assert_accessible(board)
    await board.screenshot(path=str(SCREENSHOTS / "dashboard.png"))
    for opened in (supervisor, chat_context, context):
        await opened.close()


async def test_new_and_urgent_conversations_show_in_the_title_and_alert_and_mute_is_kept(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    await harness.staff("anna")
    base = base_of(client)
    context, page, errors = await console_page(browser)
    chat_context, chat, chat_errors = await resident_page(browser)
    await sign_in(page, base, "anna")
    await open_board(page, base)

    mute = page.locator("#mute")
    assert await mute.get_attribute("aria-pressed") == "false"
    await mute.click()
    assert await page.evaluate("localStorage.getItem('somesossu.muted')") == "1"
    await open_board(page, base)  # a reload: the choice is remembered in this browser
    assert await mute.get_attribute("aria-pressed") == "true"
    assert await mute.inner_text() == "Sound off"

    alert = page.locator("#alert")
    assert await alert.is_hidden()
    await resident_opens_chat(chat, base, harness)
    await page.wait_for_function("document.title.startsWith('(1) Queues')")
    assert await alert.is_hidden()

    await resident_writes(chat, "haluan kuolla")
    await page.wait_for_function("document.title.startsWith('(!) ')")
    await alert.wait_for(state="visible")
    assert "urgent" in await alert.inner_text()
    await page.wait_for_selector("tr.urgent-row .badge.urgent")
    await alert.click()  # pressing the banner dismisses it
    await alert.wait_for(state="hidden")
    assert errors == [] and chat_errors == []
    for opened in (chat_context, context):
        await opened.close()


async def test_profile_admin_reports_audit_and_blocks_pages_pass_axe(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    anna = await harness.staff("anna")
    await harness.staff("ada", role="admin", queues=())
    await harness.staff("olli", role="privacy_officer", queues=())
    conversation = await waiting_conversation(harness)
    await actions.claim(harness.core, anna, conversation)
    await actions.block(
        harness.core, anna, conversation, days=7, reason="repeated abusive messages"
    )
    base = base_of(client)
    context, page, errors = await console_page(browser)

    await sign_in(page, base, "ada")
    await page.goto(f"{base}/console/profile")
    await page.locator("#totp-qr svg[role=img]").wait_for()
    await assert_accessible(page)
    await page.screenshot(path=str(SCREENSHOTS / "profile.png"), full_page=True)
    await page.goto(f"{base}/console/admin/users")
    await assert_accessible(page)
    await page.screenshot(path=str(SCREENSHOTS / "admin-users.png"))
    await page.goto(f"{base}/console/admin/canned")
    await assert_accessible(page)
    await page.goto(f"{base}/console/reports?by=day")  # the block closed one conversation
    await page.locator("#report-figures").wait_for()
    await assert_accessible(page)
    await page.screenshot(path=str(SCREENSHOTS / "reports.png"), full_page=True)

    await sign_in(page, base, "olli")
    await page.goto(f"{base}/console/audit")
    await page.wait_for_selector("text=block")
    await assert_accessible(page)
    await page.screenshot(path=str(SCREENSHOTS / "audit.png"))
    await page.goto(f"{base}/console/blocks")
    await page.wait_for_selector("td:has-text('active')")
    await assert_accessible(page)
    await page.screenshot(path=str(SCREENSHOTS / "blocks.png"))
    assert errors == []
    await context.close()
