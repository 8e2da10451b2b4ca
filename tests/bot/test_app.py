from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.app import Service, build_service, build_web_app, configured_channels
from bot.config import Settings
from bot.store.db import Database


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[TestClient[object, object]]:
    service = build_service(settings)
    async with TestClient(TestServer(build_web_app(service))) as test_client:
        yield test_client


async def test_healthz_reports_the_database_reachable(client: TestClient[object, object]) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "database": True}


async def test_healthz_reports_503_when_the_database_is_gone(
    settings: Settings, tmp_path: Path
) -> None:
    service: Service = build_service(settings)
    async with TestClient(TestServer(build_web_app(service))) as test_client:
        healthy = service.core.database
        gone = tmp_path / "gone"
        service.core.database = Database(f"sqlite+aiosqlite:///{gone}/x.db")
        gone.rmdir()
        response = await test_client.get("/healthz")
        assert response.status == 503
        assert (await response.json())["database"] is False
        service.core.database = healthy


async def test_every_response_carries_the_security_headers(
    client: TestClient[object, object],
) -> None:
    response = await client.get("/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    missing = await client.get("/no/such/page")
    assert missing.status == 404
    assert missing.headers["X-Content-Type-Options"] == "nosniff"


def test_the_data_directory_is_private(settings: Settings) -> None:
    import stat

    build_service(settings)
    assert stat.S_IMODE(settings.data_dir.stat().st_mode) == 0o700


def test_configured_channels_name_exactly_the_adapters_the_service_builds(
    settings: Settings,
) -> None:
    # Officer scripts list the channels without building adapters: both must agree.
    assert [a.name for a in build_service(settings).adapters] == ["webchat"]
    assert configured_channels(settings) == ("webchat",)
    platforms = settings.model_copy(
        update={
            "telegram_token": SecretStr("123456:not-a-real-token"),
            "matrix_homeserver": "https://matrix.example.org",
            "matrix_user_id": "@bot:example.org",
            "matrix_password": SecretStr("not-a-real-password"),
        }
    )
    built = tuple(a.name for a in build_service(platforms).adapters)
    assert built == configured_channels(platforms) == ("webchat", "telegram", "matrix")
