"""The dashboard in Chromium says in words when a queue misses its service target."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.actions import admin as admin_actions
from tests.support.browser import launch_browser
from tests.support.chat import Harness

from .helpers import waiting_conversation
from .test_console_browser import base_of, console_page, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


async def test_a_missed_target_is_said_in_a_banner_and_in_its_row(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    ada = await harness.staff("ada", role="admin", queues=())
    await admin_actions.save_queue(
        harness.core, ada.actor(), "general", name="General", languages=["fi"],
        opening_hours={}, transcript_days=30, pii_vault_hours=24, target_minutes=10,
        target_percent=90,
    )  # fmt: skip
    await harness.staff("sari", role="supervisor", queues=())
    await waiting_conversation(harness, "waits-long")
    later = harness.core.now() + timedelta(minutes=12)
    harness.core.clock = lambda: later
    context, page, errors = await console_page(browser)
    await sign_in(page, base_of(client), "sari")
    await page.goto(f"{base_of(client)}/console/dashboard")
    banner = page.locator("#d-targets")
    await banner.wait_for(state="visible")
    assert await banner.inner_text() == "Service target missed: General"
    row = page.locator("#d-queues tr", has_text="General")
    cell = row.locator("td.target-missed")
    assert "90 % within 10 min" in await cell.inner_text()
    assert "MISSED" in await cell.inner_text()
    assert errors == []
    await context.close()
