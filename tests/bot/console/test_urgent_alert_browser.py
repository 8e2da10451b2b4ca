"""An urgent conversation alerts, by banner and sound, every supervisor of its queue wherever
they are in the console (dashboard or board), once; nobody outside the queue is disturbed
(issue 21, "the partial rows made whole")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.store.tables import Queue
from tests.support.browser import launch_browser
from tests.support.chat import Harness

from .helpers import waiting_conversation
from .test_console_browser import base_of, console_page, open_board, sign_in

pytestmark = pytest.mark.browser

# Counts the tones the console plays: each note of a beep is one oscillator.
COUNT_TONES = """
window.__tones = 0;
const RealAudioContext = window.AudioContext;
window.AudioContext = class extends RealAudioContext {
  createOscillator() { window.__tones += 1; return super.createOscillator(); }
};
"""
URGENT_TONES = 3  # console.js beep(urgent): three notes


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


async def staff_page(
    browser: Any, base: str, username: str, path: str
) -> tuple[Any, Any, list[str]]:
    context, page, errors = await console_page(browser)
    await context.add_init_script(COUNT_TONES)
    await sign_in(page, base, username)
    if path == "queues":
        await open_board(page, base)
    else:
        await page.goto(f"{base}/console/{path}")
        await page.wait_for_selector("#d-today")
    await page.wait_for_function("document.body.dataset.live === 'connected'")
    return context, page, errors


async def test_an_urgent_conversation_alerts_every_supervisor_of_its_queue_once(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    await harness.staff("sari", role="supervisor", queues=("general",))
    await harness.staff("hanna", role="supervisor", queues=())  # head of service: every queue
    await harness.staff("anna", queues=("general",))
    async with harness.core.database.session() as session:
        session.add(Queue(id="money", name="Money", languages=["fi"], opening_hours={}))
    await harness.staff("mikko", queues=("money",))
    base = base_of(client)
    pages = {
        "sari": await staff_page(browser, base, "sari", "dashboard"),
        "hanna": await staff_page(browser, base, "hanna", "queues"),
        "anna": await staff_page(browser, base, "anna", "queues"),
        "mikko": await staff_page(browser, base, "mikko", "queues"),
    }

    await waiting_conversation(harness, "in-crisis", text="haluan kuolla")

    for name in ("sari", "hanna", "anna"):
        _, page, _ = pages[name]
        alert = page.locator("#alert")
        await alert.wait_for(state="visible")
        assert "urgent" in (await alert.inner_text()).lower(), name
        await page.wait_for_function("document.title.startsWith('(!) ')")
        await page.wait_for_function(f"window.__tones >= {URGENT_TONES}")
    sari = pages["sari"][1]
    await sari.wait_for_function(
        "[...document.querySelectorAll('#d-queues tr')].some("
        "(row) => row.cells[2].textContent === '1')"
    )
    await asyncio.sleep(0.5)  # time for a second alert or a stray one to arrive
    for name in ("sari", "hanna", "anna"):
        # Once, though the queue's topic and the staff topic both carry the event.
        assert await pages[name][1].evaluate("window.__tones") == URGENT_TONES, name
    _, mikko, _ = pages["mikko"]
    assert await mikko.locator("#alert").is_hidden()
    assert await mikko.evaluate("window.__tones") == 0
    assert not (await mikko.title()).startswith("(!)")

    for context, _, errors in pages.values():
        assert errors == []
        await context.close()
