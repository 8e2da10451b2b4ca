"""The audit page while a long verification runs: its progress, then the verdict (issue 23).

The workers are held mid-trail by a file gate, so the page is shown before the verdict; its
script follows the job and writes the verdict when the gate opens.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.console import audit_view
from bot.core import SYSTEM, unit_of_work
from bot.officer import audit_verify
from privacy.audit import AuditAction
from tests.support.audit_gate import gated_read
from tests.support.browser import launch_browser
from tests.support.chat import Harness

from .helpers import PASSWORD

pytestmark = pytest.mark.browser
BATCH = 5


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


async def test_the_audit_page_shows_progress_then_the_verdict(
    harness: Harness,
    client: TestClient[Any, Any],
    browser: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await harness.staff("olli", role="privacy_officer", queues=())
    async with unit_of_work(harness.core) as work:
        for n in range(30):
            await work.audit(SYSTEM, AuditAction.RETENTION, object_type="test", object_id=str(n))
    read = audit_verify.range_reader(harness.core.database)
    if read is None:
        pytest.skip("workers read their own ranges from a SQLite file or PostgreSQL")
    gate = tmp_path / "open"
    monkeypatch.setattr(audit_verify, "BATCH", BATCH)
    monkeypatch.setattr(
        audit_verify, "range_reader", lambda database: partial(gated_read, gate, BATCH, read)
    )
    monkeypatch.setattr(audit_view, "PAGE_WAIT_S", 0.0)
    base = str(client.make_url("")).rstrip("/")
    context = await browser.new_context()
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"{base}/console/login")
    await page.fill("#username", "olli")
    await page.fill("#password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(lambda url: "/console/login" not in url)
    await page.goto(f"{base}/console/audit")
    status = page.locator("#chain-status")
    # The script's own redraw from the progress endpoint (the page itself may say 0 of 0).
    await page.wait_for_selector(f"#chain-status:has-text('{BATCH} of ')")
    assert await status.get_attribute("data-verifying") == "1"
    gate.touch()
    await page.wait_for_selector("#chain-status.ok:has-text('Chain intact')")
    assert await status.get_attribute("data-verifying") is None
    assert errors == []
    await context.close()
