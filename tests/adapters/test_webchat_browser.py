"""The resident web chat in real Chromium: a whole conversation, reload, leaving, accessibility."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

from bot.actions import conversations as actions
from bot.app import Service, build_web_app
from bot.store.tables import Conversation
from tests.adapters.conftest import build_adapter, counsellor
from tests.support.browser import axe_violations, launch_browser
from tests.support.screenshots import screenshot_dir

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 640}
SCREENSHOTS = screenshot_dir()


@dataclass
class Served:
    service: Service
    base: str


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async for launched in launch_browser():
        yield launched


@pytest.fixture
async def served(service: Service) -> AsyncIterator[Served]:
    # Leaving goes to a page of this server: the test sees the navigation, nothing external.
    service.add_adapter(build_adapter(service, leave_url="/healthz"))
    runner = web.AppRunner(build_web_app(service), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield Served(service, f"http://127.0.0.1:{port}")
    finally:
        await runner.cleanup()


async def only_conversation(service: Service) -> Conversation:
    from sqlmodel import select

    async with service.core.database.session() as session:
        rows = list((await session.execute(select(Conversation))).scalars())
    assert len(rows) == 1
    return rows[0]


async def watched_page(browser: Any, base: str, **context_options: Any) -> tuple[Any, Any, list]:
    context = await browser.new_context(viewport=PHONE, **context_options)
    problems: list[str] = []
    page = await watched_tab(context, base, problems)
    return context, page, problems


async def watched_tab(context: Any, base: str, problems: list[str]) -> Any:
    """A new page in `context` whose script errors and third-party requests go to problems."""
    page = await context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "request",
        lambda r: (
            problems.append(f"third party: {r.url}")
            if not r.url.startswith((base, "data:"))
            else None
        ),
    )
    return page


async def test_a_resident_talks_to_a_counsellor_reloads_and_leaves_quickly(
    browser: Any, served: Served
) -> None:
    texts = served.service.core.texts
    context, page, problems = await watched_page(browser, served.base)
    await page.goto(f"{served.base}/chat")
    await page.get_by_role("link", name="Suomi").click()
    await page.wait_for_url("**/chat?lang=fi")
    assert await page.get_attribute("html", "lang") == "fi"

    await page.get_by_role("button", name=texts.text("fi", "topic_money")).click()
    queued = texts.text("fi", "queued", position=1, minutes=5)
    await page.locator("#transcript").get_by_text(queued).wait_for()

    await page.get_by_label("Viestisi").fill("Vuokra on myöhässä")
    await page.get_by_role("button", name="Lähetä").click()
    await page.locator("#transcript .from-resident", has_text="Vuokra on myöhässä").wait_for()
    await page.locator("#transcript .pending").wait_for(state="detached")

    tiina = await counsellor(served.service, "tiina", "Tiina")
    conversation = await only_conversation(served.service)
    await actions.claim(served.service.core, tiina, conversation.id)
    await page.locator("#status", has_text="Tiina").wait_for()
    await actions.reply(served.service.core, tiina, conversation.id, "Kerro lisää, autan.")
    reply = page.locator("#transcript .from-counsellor", has_text="Kerro lisää, autan.")
    await reply.wait_for()
    assert "Tiina" in await reply.inner_text()

    await page.reload()
    await page.locator("#transcript .from-counsellor", has_text="Kerro lisää, autan.").wait_for()
    await page.locator("#transcript .from-resident", has_text="Vuokra on myöhässä").wait_for()
    assert await page.evaluate("sessionStorage.getItem('somesossu.token')")

    assert problems == []  # no CSP refusal, script error, failed load or third-party request

    await page.get_by_role("button", name="Poistu nopeasti").click()
    await page.wait_for_url("**/healthz")
    assert await page.evaluate("sessionStorage.length") == 0
    assert await context.cookies() == []
    await context.close()


async def test_end_and_forget_leaves_nothing_on_the_device_or_server(
    browser: Any, served: Served
) -> None:
    texts = served.service.core.texts
    context, page, problems = await watched_page(browser, served.base)
    page.on("dialog", lambda dialog: dialog.accept())
    await page.goto(f"{served.base}/chat?lang=en")
    await page.get_by_role("button", name=texts.text("en", "topic_work")).click()
    await page.get_by_label("Your message").fill("Please forget me")
    await page.get_by_role("button", name="Send").click()
    await page.locator("#transcript .pending").wait_for(state="detached")
    await page.get_by_role("button", name="End and forget").click()
    await page.get_by_text("The conversation was deleted.").wait_for()
    assert await page.evaluate("sessionStorage.length") == 0
    assert await page.locator("#transcript").count() == 0
    from sqlmodel import select

    async with served.service.core.database.session() as session:
        assert list((await session.execute(select(Conversation))).scalars()) == []
    assert problems == []
    await context.close()


@pytest.mark.parametrize("lang", ["fi", "ar"])
async def test_the_chat_has_no_serious_accessibility_violations(
    browser: Any, served: Served, lang: str
) -> None:
    texts = served.service.core.texts
    # axe-core is injected as an inline script, which the page's CSP rightly forbids.
    context, page, _ = await watched_page(browser, served.base, bypass_csp=True)
    await page.goto(f"{served.base}/chat")
    assert await axe_violations(page) == []
    await page.goto(f"{served.base}/chat?lang={lang}")
    assert await page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    await page.get_by_role("button", name=texts.text(lang, "topic_housing")).wait_for()
    if lang == "ar":  # docs/console.md shows the Arabic chat as a resident's phone has it
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / "web-chat-ar-phone.png"))
    await page.locator("#text").fill("hello")
    assert await axe_violations(page) == []
    await context.close()


async def bubbles_start_with_their_words(page: Any, at_least: int) -> None:
    """What the resident sees: the author on its own line, then the words, no space before."""
    bubbles = await page.locator("#transcript .entry").all()
    assert len(bubbles) >= at_least
    for bubble in bubbles:
        lines = (await bubble.inner_text()).split("\n")
        assert len(lines) >= 2, lines
        assert all(line == line.lstrip() for line in lines), lines


async def test_bubbles_start_with_their_words_and_a_nameless_counsellor_is_no_login(
    browser: Any, served: Served
) -> None:
    from bot.actions.context import SYSTEM
    from bot.actions.conversations import Staff
    from bot.actions.users import create_user
    from bot.roles import Role

    texts = served.service.core.texts
    context, page, problems = await watched_page(browser, served.base)
    await page.goto(f"{served.base}/chat?lang=fi")
    await page.get_by_role("button", name=texts.text("fi", "topic_money")).click()
    await page.get_by_label("Viestisi").fill("Vuokra on myöhässä")
    await page.get_by_role("button", name="Lähetä").click()
    await page.locator("#transcript .pending").wait_for(state="detached")
    await bubbles_start_with_their_words(page, at_least=2)

    # Made without a display name, as `somesossu user add maija.k --role counsellor` does.
    user = await create_user(
        served.service.core,
        SYSTEM,
        username="maija.k",
        role=Role.COUNSELLOR,
        password="a long test password",
        queues=("general",),
    )
    maija = Staff.of(user, ["general"])
    conversation = await only_conversation(served.service)
    await actions.claim(served.service.core, maija, conversation.id)
    neutral = texts.text("fi", "webchat_counsellor")
    await page.locator("#status", has_text=neutral).wait_for()
    await actions.reply(served.service.core, maija, conversation.id, "Kerro lisää.")
    await page.locator("#transcript .from-counsellor", has_text="Kerro lisää.").wait_for()
    assert "maija" not in (await page.locator("body").inner_text()).casefold()

    await bubbles_start_with_their_words(page, at_least=4)
    assert problems == []
    await context.close()
