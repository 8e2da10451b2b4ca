"""The document library in real Chromium: an administrator publishes a form from the console
page, the counsellor sends it from the conversation page, and the resident downloads it from
the web chat; every page passes axe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.actions import conversations as actions
from bot.actions.context import SYSTEM
from bot.actions.users import create_user
from bot.roles import Role
from bot.store.library import LibraryDocument
from tests.adapters.conftest import counsellor
from tests.adapters.test_webchat_browser import (  # noqa: F401  (fixtures)
    Served,
    browser,
    only_conversation,
    served,
    watched_page,
)
from tests.bot.console.helpers import PASSWORD
from tests.bot.console.test_console_browser import assert_accessible, console_page, sign_in
from tests.support.files import SECRET_NAME, pdf_with_extras

pytestmark = pytest.mark.browser

TITLE = "Asumistuki: hakemuslomake"


async def test_a_form_goes_from_the_library_to_the_resident_in_the_browser(
    browser: Any,  # noqa: F811
    served: Served,  # noqa: F811
) -> None:
    service = served.service
    texts = service.core.texts
    await create_user(
        service.core, SYSTEM, username="ada", role=Role.ADMIN, password=PASSWORD, queues=()
    )
    admin_context, admin, admin_errors = await console_page(browser)
    await sign_in(admin, served.base, "ada")
    await admin.goto(f"{served.base}/console/admin/library")
    await assert_accessible(admin)
    await admin.get_by_label("Title").fill(TITLE)
    form = {"name": "Lomake_Virtanen.pdf", "mimeType": "application/pdf"}
    await admin.get_by_label("File").set_input_files(
        files=[{**form, "buffer": pdf_with_extras(pages=1)}]
    )
    await admin.get_by_role("button", name="Publish").click()
    await admin.get_by_role("link", name=TITLE).wait_for()
    await assert_accessible(admin)
    assert admin_errors == []
    await admin_context.close()

    context, page, problems = await watched_page(browser, served.base, bypass_csp=True)
    await page.goto(f"{served.base}/chat?lang=fi")
    await page.get_by_role("button", name=texts.text("fi", "topic_money")).click()
    queued = texts.text("fi", "queued", position=1, minutes=5)
    await page.locator("#transcript").get_by_text(queued).wait_for()

    tiina = await counsellor(service, "tiina", "Tiina")
    conversation = await only_conversation(service)
    await actions.claim(service.core, tiina, conversation.id)
    staff_context, console, errors = await console_page(browser)
    await sign_in(console, served.base, "tiina")
    await console.goto(f"{served.base}/console/conversations/{conversation.id}")
    choice = console.locator("#document-choice")
    await console.locator(f"#document-choice option:has-text('{TITLE}')").wait_for(state="attached")
    await choice.select_option(label=TITLE)
    await console.get_by_role("button", name="Send the document").click()
    await console.locator("#transcript").get_by_text(f"Document: {TITLE}").wait_for()
    await assert_accessible(console)
    assert errors == []
    await staff_context.close()

    link = page.locator("#transcript a.document")
    await link.wait_for()
    assert TITLE in await link.inner_text()
    async with page.expect_download() as download_info:
        await link.click()
    download = await download_info.value
    assert download.suggested_filename == "asumistuki-hakemuslomake.pdf"
    data = Path(await download.path()).read_bytes()
    async with service.core.database.session() as session:
        [published] = list((await session.execute(select(LibraryDocument))).scalars())
    assert data == published.data and SECRET_NAME.encode() not in data
    await assert_accessible(page)
    assert problems == []
    await context.close()
