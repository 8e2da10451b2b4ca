"""Officer scripts open the core alone: no platform adapter is built, whatever the settings."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.app import build_service
from bot.config import ConfigError, Settings
from bot.defaults import DEFAULT_QUEUE
from bot.officer.common import open_service
from bot.service import Service
from bot.store import queues as queue_store


async def test_officer_scripts_open_the_core_without_building_any_adapter(
    service: Service, settings: Settings
) -> None:
    # Matrix named without a password or token: building its adapter refuses to start.
    platforms = settings.model_copy(
        update={
            "telegram_token": SecretStr("123456:not-a-real-token"),
            "matrix_homeserver": "https://matrix.example.org",
            "matrix_user_id": "@bot:example.org",
        }
    )
    with pytest.raises(ConfigError):
        build_service(platforms)
    async with open_service(platforms) as officer:
        assert officer.channels == ("webchat", "telegram", "matrix")
        assert not hasattr(officer, "adapters")
        # The core reads the service's database: the default queue its first start made.
        async with officer.core.database.session() as session:
            assert await queue_store.queue_exists(session, DEFAULT_QUEUE)
