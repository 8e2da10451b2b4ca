"""Fixtures for console tests: the real web app with the console, over a loopback test server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_web_app
from bot.console import setup_console
from tests.support.chat import Harness


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: production cost (about 1 s here) would dominate the suite."""
    from argon2 import PasswordHasher

    from bot import passwords

    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", fast)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", fast.hash("dummy password for timing"))


@pytest.fixture
async def client(harness: Harness) -> AsyncIterator[TestClient[object, object]]:
    app = build_web_app(harness.service)
    setup_console(app)
    setup_console(app)  # idempotent: the lead wires it in build_web_app too
    async with TestClient(TestServer(app)) as test_client:
        yield test_client
