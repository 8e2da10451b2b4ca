"""Recording a voice message in the web chat, in real Chromium with its fake microphone: the
resident records and sends, the service keeps Ogg Opus (remuxed from Chromium's WebM) and the
counsellor plays it in the console; cancelling or leaving quickly keeps nothing; no recorder,
no button."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import select

from bot.actions import conversations as actions
from bot.store.attachments import Attachment
from privacy.attachments import Detected, detect
from privacy.attachments.ogg import read_pages
from privacy.attachments.voice import EMPTY_TAGS
from tests.adapters.conftest import counsellor
from tests.adapters.test_webchat_browser import (  # noqa: F401  (fixture)
    Served,
    only_conversation,
    served,
    watched_page,
)
from tests.bot.console.test_console_browser import assert_accessible, console_page, sign_in
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.support.screenshots import screenshot_dir

pytestmark = pytest.mark.browser

SCREENSHOTS = screenshot_dir()
FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Chromium with its test microphone (a beep) that needs no permission prompt."""
    require_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + FAKE_MICROPHONE
        )
        try:
            yield launched
        finally:
            await launched.close()


async def past_triage(page: Any, at: Served, lang: str = "fi") -> None:
    texts = at.service.core.texts
    await page.goto(f"{at.base}/chat?lang={lang}")
    await page.get_by_role("button", name=texts.text(lang, "topic_money")).click()
    queued = texts.text(lang, "queued", position=1, minutes=5)
    await page.locator("#transcript").get_by_text(queued).wait_for()


async def stored_attachments(at: Served) -> list[Attachment]:
    async with at.service.core.database.session() as session:
        return list((await session.execute(select(Attachment))).scalars())


async def watch_microphone(context: Any, page: Any) -> list[str]:
    """Each microphone track the page stops says so, so a test sees it before the page goes."""
    await context.add_init_script(
        "const stop = MediaStreamTrack.prototype.stop;"
        "MediaStreamTrack.prototype.stop = function () {"
        " console.log('microphone off'); return stop.call(this); };"
    )
    released: list[str] = []
    page.on("console", lambda m: released.append(m.text) if m.text == "microphone off" else None)
    return released


def count_uploads(page: Any) -> list[str]:
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if "/chat/upload" in r.url else None)
    return uploads


async def test_a_recorded_voice_message_reaches_the_console_as_ogg_opus_and_plays(
    browser: Any,
    served: Served,  # noqa: F811
) -> None:
    texts = served.service.core.texts
    # The resident's page under its real Content-Security-Policy: no refusal may show up.
    context, page, problems = await watched_page(browser, served.base)
    # A copy of what the page uploads (Playwright does not show a Blob body), for the test.
    await context.add_init_script(
        "const send = window.fetch; window.uploaded = [];"
        "window.fetch = function (url, init) {"
        " if (String(url).indexOf('/chat/upload') >= 0) {"
        "  init.body.arrayBuffer()"
        "   .then((b) => window.uploaded.push(Array.from(new Uint8Array(b))));"
        " } return send.apply(this, arguments); };"
    )
    await past_triage(page, served)
    record = page.get_by_role("button", name=texts.text("fi", "webchat_record"))
    await record.click()
    status = page.get_by_role("status").filter(has_text=texts.text("fi", "webchat_recording"))
    await status.wait_for()
    await page.locator("#record-time", has_text="0:02 /").wait_for()
    await page.get_by_role("button", name=texts.text("fi", "webchat_record_send")).click()
    sent = texts.text("fi", "webchat_file_sent")
    await page.locator("#transcript .from-resident .pending", has_text=sent).wait_for()
    await record.wait_for()  # back to the button, ready for another
    assert await page.evaluate("localStorage.length") == 0
    assert await page.evaluate("indexedDB.databases().then((all) => all.length)") == 0
    # What Chromium sent: WebM, naming the recorder in its header.
    (uploaded,) = [bytes(b) for b in await page.evaluate("window.uploaded")]
    assert detect(uploaded) is Detected.WEBM and b"Chrome" in uploaded
    assert problems == []
    await context.close()

    (stored,) = await stored_attachments(served)
    assert (stored.kind, stored.media_type) == ("voice", "audio/ogg")

    tiina = await counsellor(served.service, "tiina", "Tiina")
    conversation = await only_conversation(served.service)
    await actions.claim(served.service.core, tiina, conversation.id)
    staff_context, console, errors = await console_page(browser)
    await sign_in(console, served.base, "tiina")
    await console.goto(f"{served.base}/console/conversations/{conversation.id}")
    await console.locator("#transcript button.file").click()
    audio = console.locator("#transcript audio")
    await audio.wait_for()
    # The browser reads the file from the same-origin URL and knows how long it lasts.
    await console.wait_for_function(
        "() => { const a = document.querySelector('#transcript audio');"
        " return a.readyState >= 1 && Number.isFinite(a.duration); }"
    )
    duration = await audio.evaluate("(a) => a.duration")
    assert 1.5 < duration < 4.0
    await assert_accessible(console)
    assert errors == []

    answer = await console.request.get(f"{served.base}{await audio.get_attribute('src')}")
    body = await answer.body()
    pages = read_pages(body)
    assert answer.headers["content-type"] == "audio/ogg" and pages is not None
    assert pages[0].body.startswith(b"OpusHead") and pages[1].body == EMPTY_TAGS
    assert b"Chrome" not in body  # the recorder's muxing and writing application
    await staff_context.close()


async def test_a_cancelled_recording_or_a_quick_exit_sends_and_keeps_nothing(
    browser: Any,
    served: Served,  # noqa: F811
) -> None:
    texts = served.service.core.texts
    # bypass_csp only so axe-core can be injected; the test above runs under the real policy.
    context, page, problems = await watched_page(browser, served.base, bypass_csp=True)
    uploads = count_uploads(page)
    released = await watch_microphone(context, page)
    await past_triage(page, served, "en")
    record = page.get_by_role("button", name=texts.text("en", "webchat_record"))
    await record.click()
    await page.locator("#record-time", has_text="0:01 /").wait_for()
    await assert_accessible(page)  # the recording state: timer, both buttons, status
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.locator("#record").scroll_into_view_if_needed()
    await page.screenshot(path=str(SCREENSHOTS / "web-chat-recording-phone.png"))
    await page.get_by_role("button", name=texts.text("en", "webchat_record_cancel")).click()
    await (
        page.get_by_role("status")
        .filter(has_text=texts.text("en", "webchat_record_discarded"))
        .wait_for()
    )
    await record.wait_for()
    assert released == ["microphone off"]

    await record.click()
    await page.locator("#record-time", has_text="0:01 /").wait_for()
    # Checked before leaving: the page left for may ask for its own favicon.
    assert problems == []
    await page.get_by_role("button", name=texts.text("en", "webchat_leave")).click()
    await page.wait_for_url("**/healthz")
    assert released == ["microphone off"] * 2  # stopped by the quick exit itself
    assert uploads == []
    assert await stored_attachments(served) == []
    await context.close()


async def test_without_a_media_recorder_there_is_no_record_button(
    browser: Any,
    served: Served,  # noqa: F811
) -> None:
    texts = served.service.core.texts
    context, page, problems = await watched_page(browser, served.base)
    await context.add_init_script("delete window.MediaRecorder;")
    await past_triage(page, served, "sv")
    assert await page.get_by_label(texts.text("sv", "webchat_attach")).is_visible()
    record = page.get_by_role("button", name=texts.text("sv", "webchat_record"))
    assert await record.count() == 0
    assert await page.locator("#record").is_hidden()
    assert problems == []
    await context.close()

    # The same browser with its recorder: the button is there, and nothing was asked yet.
    context, page, problems = await watched_page(browser, served.base)
    await page.goto(f"{served.base}/chat?lang=sv")
    record = page.get_by_role("button", name=texts.text("sv", "webchat_record"))
    await record.wait_for()
    assert await page.locator("#recording").is_hidden()
    await context.close()


async def test_a_recording_stops_and_is_sent_by_itself_at_the_time_limit(
    browser: Any,
    served: Served,  # noqa: F811
) -> None:
    texts = served.service.core.texts
    context, page, problems = await watched_page(browser, served.base)
    # A limit of 2 seconds instead of the service's 598, set before the page's script reads it.
    await context.add_init_script(
        "new MutationObserver(() => { const chat = document.getElementById('chat');"
        " if (chat) { chat.dataset.maxRecordingSeconds = '2'; } })"
        ".observe(document, { childList: true, subtree: true });"
    )
    await past_triage(page, served, "uk")
    await page.get_by_role("button", name=texts.text("uk", "webchat_record")).click()
    await page.locator("#record-time", has_text="/ 0:02").wait_for()
    sent = texts.text("uk", "webchat_file_sent")
    await page.locator("#transcript .from-resident .pending", has_text=sent).wait_for()
    assert await page.locator("#recording").is_hidden()
    assert problems == []
    await context.close()
    (stored,) = await stored_attachments(served)
    assert stored.kind == "voice"


async def test_end_and_forget_turns_the_microphone_off_and_sends_nothing(
    browser: Any,
    served: Served,  # noqa: F811
) -> None:
    texts = served.service.core.texts
    context, page, problems = await watched_page(browser, served.base)
    released = await watch_microphone(context, page)
    page.on("dialog", lambda dialog: dialog.accept())
    uploads = count_uploads(page)
    await past_triage(page, served, "ru")
    await page.get_by_role("button", name=texts.text("ru", "webchat_record")).click()
    await page.locator("#record-time", has_text="0:01 /").wait_for()
    await page.get_by_role("button", name=texts.text("ru", "webchat_forget")).click()
    await page.get_by_text(texts.text("ru", "webchat_forgotten")).wait_for()
    assert released == ["microphone off"]
    assert uploads == [] and await stored_attachments(served) == []
    assert problems == []
    await context.close()
