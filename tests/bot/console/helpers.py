"""Helpers for console tests: sign in over the API, make a waiting conversation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from bot.store.tables import AuditRow, Conversation
from tests.support.chat import Harness

PASSWORD = "a long test password"


async def login(client: TestClient[Any, Any], username: str, password: str = PASSWORD) -> str:
    """Sign in on this client's cookie jar; returns the CSRF token."""
    response = await client.post("/api/login", json={"username": username, "password": password})
    assert response.status == 200, await response.text()
    return str((await response.json())["csrf_token"])


async def waiting_conversation(harness: Harness, name: str = "resident", text: str = "") -> str:
    resident = harness.resident(name)
    await resident.write("hei")
    await resident.press("lang:fi")
    await resident.press("topic:housing")
    await resident.write(text or "tarvitsen apua asunnon kanssa")
    async with harness.core.database.session() as session:
        found = (
            (
                await session.execute(
                    select(Conversation)
                    .where(col(Conversation.state).in_(("queued", "waiting_hours")))
                    .order_by(col(Conversation.created_at).desc())
                )
            )
            .scalars()
            .first()
        )
    assert found is not None
    return found.id


async def audit_rows(harness: Harness) -> list[AuditRow]:
    async with harness.core.database.session() as session:
        return list((await session.execute(select(AuditRow).order_by(col(AuditRow.seq)))).scalars())


def headers(csrf: str) -> dict[str, str]:
    return {"X-CSRF-Token": csrf}


def shift_clock(harness: Harness, by: timedelta) -> None:
    """Move the core's clock forward (expiry and lockout use core.now())."""
    harness.core.clock = lambda: datetime.now(UTC) + by
