"""A file from the web chat to the console in real Chromium: the resident picks a photo and a
voice message, the counsellor sees placeholders (nothing fetched), opens the photo (audited,
never cached) and plays the voice in the page; a privacy officer opens the photo with a
reason; both pages pass axe."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from bot.actions import conversations as actions
from bot.actions.context import SYSTEM
from bot.actions.users import create_user
from bot.roles import Role
from bot.store.tables import AuditRow
from tests.adapters.conftest import counsellor
from tests.adapters.test_webchat_browser import (  # noqa: F401  (fixtures)
    Served,
    browser,
    only_conversation,
    served,
    watched_page,
)
from tests.bot.console.test_console_browser import assert_accessible, console_page, sign_in
from tests.support.browser import axe_violations
from tests.support.files import SECRET_DEVICE, opus_voice, photo_with_gps

pytestmark = pytest.mark.browser


async def test_a_photo_and_a_voice_message_go_from_the_web_chat_to_the_console(
    browser: Any,  # noqa: F811
    served: Served,  # noqa: F811
) -> None:
    texts = served.service.core.texts
    context, page, problems = await watched_page(browser, served.base, bypass_csp=True)
    await page.goto(f"{served.base}/chat?lang=fi")
    await page.get_by_role("button", name=texts.text("fi", "topic_money")).click()
    queued = texts.text("fi", "queued", position=1, minutes=5)
    await page.locator("#transcript").get_by_text(queued).wait_for()
    sent = texts.text("fi", "webchat_file_sent")

    picker = page.get_by_label(texts.text("fi", "webchat_attach"))
    photo = {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps(400, 300)}
    await picker.set_input_files(files=[photo])
    await page.locator("#transcript .pending", has_text=sent).wait_for()
    voice = {"name": "voice.ogg", "mimeType": "audio/ogg", "buffer": opus_voice()}
    await picker.set_input_files(files=[voice])
    await page.locator("#transcript .pending", has_text=sent).nth(1).wait_for()
    assert await axe_violations(page) == []
    assert problems == []
    await context.close()

    tiina = await counsellor(served.service, "tiina", "Tiina")
    conversation = await only_conversation(served.service)
    await actions.claim(served.service.core, tiina, conversation.id)

    staff_context, console, errors = await console_page(browser)
    fetched: list[str] = []
    console.on("request", lambda r: fetched.append(r.url) if "/attachments/" in r.url else None)
    await sign_in(console, served.base, "tiina")
    await console.goto(f"{served.base}/console/conversations/{conversation.id}")
    link = console.locator("#transcript a.file")
    await link.wait_for()
    assert "photo" in (await link.inner_text()) and "kB" in await link.inner_text()
    play = console.locator("#transcript button.file")
    await play.wait_for()
    assert fetched == []  # placeholders only: nothing is prefetched
    await assert_accessible(console)

    async with staff_context.expect_page() as opened_info:
        await link.click()
    opened = await opened_info.value
    await opened.wait_for_load_state()
    response = await opened.request.get(opened.url)  # the same answer, read by the test
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-type"] == "image/jpeg"
    body = await response.body()
    assert body.startswith(b"\xff\xd8") and SECRET_DEVICE.encode() not in body
    await opened.close()

    await play.click()
    audio = console.locator("#transcript audio")
    await audio.wait_for()
    assert (await audio.get_attribute("src") or "").startswith(
        f"/api/conversations/{conversation.id}/attachments/"
    )
    assert len(fetched) >= 1  # the voice, on "play" (the photo opened in a tab of its own)
    assert errors == []

    async with served.service.core.database.session() as session:
        rows = (
            await session.execute(
                select(AuditRow)
                .where(AuditRow.object_type == "attachment")
                .order_by(col(AuditRow.seq))
            )
        ).scalars()
        # The photo (opened twice within the read window: one record) and the voice.
        assert [row.action for row in rows] == ["read", "read"]
    await staff_context.close()

    # A privacy officer opens the photo with the reason they read the transcript for.
    await create_user(
        served.service.core,
        SYSTEM,
        username="olli",
        role=Role.PRIVACY_OFFICER,
        password="a long test password",
    )
    officer_context, officer, officer_errors = await console_page(browser)
    await sign_in(officer, served.base, "olli")
    await officer.goto(f"{served.base}/console/conversations/{conversation.id}")
    await officer.fill("#read-reason-text", "complaint case 44 review")
    await officer.locator("#read-reason button[type=submit]").click()
    link = officer.locator("#transcript a.file")
    await link.wait_for()
    async with officer_context.expect_page() as opened_info:
        await link.click()
    opened = await opened_info.value
    await opened.wait_for_load_state()
    assert "reason=complaint" in opened.url
    response = await opened.request.get(opened.url)
    assert response.status == 200 and (await response.body()).startswith(b"\xff\xd8")
    assert officer_errors == []
    await officer_context.close()
    async with served.service.core.database.session() as session:
        query = select(AuditRow).where(
            AuditRow.object_type == "attachment", AuditRow.actor_role == "privacy_officer"
        )
        [officer_open] = (await session.execute(query)).scalars()
        assert officer_open.purpose == "complaint case 44 review"
