"""A returning resident who agreed, in Chromium: the counsellor sees the badge, lists the
earlier conversation and reads it redacted in the conversation page; the page passes axe."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import select

from bot.actions import conversations as actions
from bot.store.tables import Conversation
from privacy.pseudonym import pseudonymise
from tests.support.browser import launch_browser
from tests.support.chat import Harness, Resident

from .test_console_browser import assert_accessible, base_of, console_page, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


async def _conversation_ids(harness: Harness, resident: Resident) -> list[str]:
    pseudonym = pseudonymise(harness.core.keyring.pepper, "test", resident.sender_id)
    async with harness.core.database.session() as session:
        rows = await session.execute(
            select(Conversation.id)
            .where(Conversation.pseudonym == pseudonym)
            .order_by(Conversation.created_at)  # type: ignore[arg-type]
        )
        return list(rows.scalars())


async def test_the_counsellor_opens_a_returning_residents_earlier_chat(
    harness: Harness, client: TestClient[Any, Any], browser: Any
) -> None:
    anna = await harness.staff("anna")
    resident = harness.resident("palaava")
    for text in ("Vuokra on rästissä, soita 040 765 4321", ""):
        await resident.write("hei")
        await resident.press("lang:fi")
        await resident.press("topic:housing")
        if text:
            await resident.write(text)
            await resident.write("lopeta")
    await resident.press("returning:yes")
    first, current = await _conversation_ids(harness, resident)
    await actions.claim(harness.core, anna, current)

    context, page, errors = await console_page(browser)
    await sign_in(page, base_of(client), "anna")
    await page.goto(f"{base_of(client)}/console/conversations/{current}")
    await page.locator("#returning-badge").wait_for()
    box = page.locator("#earlier-box")
    await box.locator("summary").click()
    await box.locator(f"button[data-earlier='{first}']").click()
    transcript = page.locator("#earlier-transcript")
    await transcript.locator("li.msg.resident", has_text="Vuokra on rästissä").wait_for()
    assert "040 765 4321" not in await transcript.inner_text()
    assert await transcript.locator("button.chip").count() == 0  # nothing to reveal here
    await assert_accessible(page)
    assert errors == []
    await context.close()
