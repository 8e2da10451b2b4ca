"""Shared fixtures: settings in a temporary data directory and a migrated service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Service, build_service, prepare_database
from bot.config import Settings, load_settings

ENV_PREFIX = "SOMESOSSU_"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's .env or SOMESOSSU_* variables."""
    import os

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
    await prepare_database(built)
    yield built
    await built.core.database.dispose()


@pytest.fixture
async def harness(service: Service) -> AsyncIterator[object]:
    from tests.support.chat import Harness, InProcessAdapter

    adapter = InProcessAdapter()
    service.add_adapter(adapter)
    await adapter.start(service.dispatcher.receive)
    yield Harness(service, adapter)
