"""The board in Chromium shows who gets a waiting resident first: "first for speakers of …"
instead of Claim, and "interpreter needed" where nobody in the queue speaks the language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.bot.test_language_routing import waiting_in, with_languages
from tests.support.browser import launch_browser
from tests.support.chat import Harness

from .test_console_browser import base_of, console_page, open_board, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


async def test_the_board_says_who_gets_a_resident_first_and_who_needs_an_interpreter(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    anna = await harness.staff("anna")
    olga = await harness.staff("olga")
    await with_languages(harness, anna, "fi")
    await with_languages(harness, olga, "ru")
    await waiting_in(harness, "ivan", "ru")
    await waiting_in(harness, "amal", "ar")
    context, page, errors = await console_page(browser)
    await sign_in(page, base_of(client), "anna")
    await open_board(page, base_of(client))
    russian = page.locator("tr", has_text="Russian")
    await russian.locator("td.hint", has_text="first for speakers of Russian").wait_for()
    assert await russian.locator("button.claim").count() == 0
    arabic = page.locator("tr", has_text="Arabic")
    await arabic.locator(".badge.interpreter", has_text="interpreter needed").wait_for()
    assert await arabic.locator("button.claim").count() == 1
    assert errors == []
    await context.close()
