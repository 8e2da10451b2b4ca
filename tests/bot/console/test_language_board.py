"""The board says who gets a waiting resident first (issue 21, routing by language): a
counsellor who does not speak the resident's language sees no Claim for the first minutes,
and a conversation nobody in the queue can serve shows "interpreter needed"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from tests.bot.test_language_routing import waiting_in, with_languages
from tests.support.chat import Harness

from .helpers import login


async def board(client: TestClient[Any, Any]) -> dict[str, dict[str, Any]]:
    response = await client.get("/api/conversations", params={"state": "waiting"})
    assert response.status == 200, await response.text()
    return {row["id"]: row for row in await response.json()}


async def test_the_board_leaves_the_first_minutes_to_speakers_of_the_language(
    harness: Harness, client: TestClient[Any, Any]
) -> None:
    anna = await harness.staff("anna")
    olga = await harness.staff("olga")
    await with_languages(harness, anna, "fi")
    await with_languages(harness, olga, "ru")
    _, russian = await waiting_in(harness, "ivan", "ru")
    _, arabic = await waiting_in(harness, "amal", "ar")

    await login(client, "anna")
    rows = await board(client)
    assert rows[russian]["language_first"] and not rows[russian]["claimable"]
    assert rows[arabic]["interpreter_needed"] and rows[arabic]["claimable"]
    await login(client, "olga")
    rows = await board(client)
    assert rows[russian]["claimable"] and not rows[russian]["language_first"]

    later = harness.core.now() + timedelta(minutes=harness.core.settings.language_first_minutes)
    harness.core.clock = lambda: later
    await login(client, "anna")
    rows = await board(client)
    assert rows[russian]["claimable"] and not rows[russian]["language_first"]
