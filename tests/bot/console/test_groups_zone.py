"""The group-session form names the zone in which its times are read (SOMESOSSU_TIME_ZONE)."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.support.chat import Harness

from .helpers import login


async def test_the_session_form_names_the_services_zone(
    harness: Harness, client: TestClient[Any, Any]
) -> None:
    await harness.staff("mod")
    await login(client, "mod")
    page = await (await client.get("/console/groups")).text()
    assert "Starts (Finnish time)" in page
    harness.core.settings = harness.core.settings.model_copy(
        update={"time_zone": "Europe/Stockholm"}
    )
    page = await (await client.get("/console/groups")).text()
    assert "Starts (Europe/Stockholm time)" in page
    assert "Ends (Europe/Stockholm time)" in page
