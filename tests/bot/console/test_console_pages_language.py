"""The console's pages speak the staff member's language: the one saved in their profile, else
their browser's (Finnish, Swedish), else English; codes (roles) read as names."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlmodel import select

from bot.store.tables import StaffUser
from tests.support.chat import Harness

from .helpers import login

Client = TestClient[Any, Any]
FINNISH = {"Accept-Language": "fi-FI,fi;q=0.9,en;q=0.5"}
SWEDISH = {"Accept-Language": "sv-FI,sv;q=0.9,en;q=0.5"}


async def page(client: Client, path: str, headers: dict[str, str] | None = None) -> str:
    response = await client.get(path, headers=headers or {})
    assert response.status == 200, await response.text()
    return await response.text()


async def saved_language(harness: Harness, username: str) -> str:
    async with harness.core.database.session() as session:
        user = (
            (await session.execute(select(StaffUser).where(StaffUser.username == username)))
            .scalars()
            .one()
        )
    return str(user.console_language)


async def test_a_finnish_browser_gets_finnish_pages(harness: Harness, client: Client) -> None:
    sign_in = await page(client, "/console/login", FINNISH)
    assert '<html lang="fi">' in sign_in and ">Kirjaudu sisään</h1>" in sign_in

    await harness.staff("anna")
    await login(client, "anna")
    profile = await page(client, "/console/profile", FINNISH)
    assert '<html lang="fi">' in profile
    assert "<h1>Omat tiedot</h1>" in profile and ">Vaihda salasana</button>" in profile
    assert "Change password" not in profile


async def test_a_swedish_browser_gets_swedish_pages(harness: Harness, client: Client) -> None:
    sign_in = await page(client, "/console/login", SWEDISH)
    assert '<html lang="sv">' in sign_in and ">Logga in</h1>" in sign_in

    await harness.staff("anna")
    await login(client, "anna")
    board = await page(client, "/console/queues", SWEDISH)
    assert '<html lang="sv">' in board and "<h1>Köer</h1>" in board and ">Mina samtal</h2>" in board


async def test_no_language_the_console_has_reads_english(client: Client) -> None:
    sign_in = await page(client, "/console/login", {"Accept-Language": "de-DE,de;q=0.9"})
    assert '<html lang="en">' in sign_in and ">Sign in</h1>" in sign_in


async def test_the_profiles_language_wins_over_the_browsers(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    csrf = await login(client, "anna")
    saved = await client.post(
        "/console/profile/language",
        data={"csrf_token": csrf, "console_language": "sv"},
        headers=FINNISH,
        allow_redirects=False,
    )
    assert saved.status == 303
    assert await saved_language(harness, "anna") == "sv"

    profile = await page(client, "/console/profile?saved=language", FINNISH)
    assert '<html lang="sv">' in profile
    assert "<h1>Profil</h1>" in profile and "Konsolens språk har sparats." in profile
    assert "Omat tiedot" not in profile

    # Back to "as in my browser": the browser's Finnish again.
    cleared = await client.post(
        "/console/profile/language",
        data={"csrf_token": csrf, "console_language": ""},
        allow_redirects=False,
    )
    assert cleared.status == 303
    assert '<html lang="fi">' in await page(client, "/console/profile", FINNISH)


async def test_a_role_shows_as_its_name_not_its_code(harness: Harness, client: Client) -> None:
    await harness.staff("olli", role="privacy_officer", queues=())
    await login(client, "olli")
    english = await page(client, "/console/profile")
    assert '<span class="role">(privacy officer)</span>' in english
    assert "Signed in as olli, role privacy officer." in english
    finnish = await page(client, "/console/profile", FINNISH)
    assert '<span class="role">(tietosuojavastaava)</span>' in finnish
    assert ">privacy_officer<" not in finnish and "(privacy_officer)" not in finnish


async def test_an_unknown_console_language_is_refused(harness: Harness, client: Client) -> None:
    await harness.staff("anna")
    csrf = await login(client, "anna")
    refused = await client.post(
        "/console/profile/language",
        data={"csrf_token": csrf, "console_language": "de"},
        headers=FINNISH,
    )
    assert refused.status == 422
    text = await refused.text()
    assert '<html lang="fi">' in text and "tuntematon konsolin kieli" in text
    assert await saved_language(harness, "anna") == ""
