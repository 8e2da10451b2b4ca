"""Shared fixtures: settings in a temporary data directory and a migrated service."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import Service, build_service, prepare_database
from bot.config import Settings, load_settings
from bot.store.db import Database
from tests.support.db import POSTGRES_URL, database_url, postgres_admin

ENV_PREFIX = "SOMESOSSU_"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's .env or SOMESOSSU_* variables."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated once, copied for every test."""
    name = f"tpl_{uuid.uuid4().hex[:12]}"
    asyncio.run(postgres_admin(f"CREATE DATABASE {name}"))

    async def migrate() -> None:
        database = Database(database_url(name))
        await database.migrate()
        await database.dispose()

    asyncio.run(migrate())
    yield name
    asyncio.run(postgres_admin(f"DROP DATABASE {name} WITH (FORCE)"))


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    overrides: dict[str, str] = {}
    if POSTGRES_URL:
        template = request.getfixturevalue("postgres_template")
        name = f"t_{uuid.uuid4().hex[:16]}"
        asyncio.run(postgres_admin(f"CREATE DATABASE {name} TEMPLATE {template}"))
        overrides["database_url"] = database_url(name)
        request.addfinalizer(
            lambda: asyncio.run(postgres_admin(f"DROP DATABASE {name} WITH (FORCE)"))
        )
    return load_settings(data_dir=tmp_path / "data", log_format="text", **overrides)


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[Service]:
    built = build_service(settings)
    await prepare_database(built)
    yield built
    built.core.sanitiser.close()
    await built.core.database.dispose()


@pytest.fixture
async def harness(service: Service) -> AsyncIterator[object]:
    from tests.support.chat import Harness, InProcessAdapter

    adapter = InProcessAdapter()
    service.add_adapter(adapter)
    await adapter.start(service.dispatcher.receive)
    yield Harness(service, adapter)
