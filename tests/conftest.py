"""Shared fixtures: settings in a temporary data directory and a migrated service."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Service, build_service, prepare_database
from bot.config import Settings, load_settings
from bot.store.db import Database
from tests.support.db import POSTGRES_URL

ENV_PREFIX = "SOMESOSSU_"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's .env or SOMESOSSU_* variables."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data", log_format="text")


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[Service]:
    built = build_service(settings)
    schema = None
    if POSTGRES_URL:
        schema = f"t_{uuid.uuid4().hex[:16]}"
        await _postgres_admin(f"CREATE SCHEMA {schema}")
        await built.core.database.dispose()
        built.core.database = Database(POSTGRES_URL, search_path=schema)
    await prepare_database(built)
    yield built
    await built.core.database.dispose()
    if schema is not None:
        await _postgres_admin(f"DROP SCHEMA {schema} CASCADE")


async def _postgres_admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
async def harness(service: Service) -> AsyncIterator[object]:
    from tests.support.chat import Harness, InProcessAdapter

    adapter = InProcessAdapter()
    service.add_adapter(adapter)
    await adapter.start(service.dispatcher.receive)
    yield Harness(service, adapter)
