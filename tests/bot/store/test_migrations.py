from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from bot.app import Service
from bot.store import tables  # noqa: F401


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def test_migrations_build_exactly_the_schema_of_the_models(service: Service) -> None:
    async with service.core.database.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []


async def test_migrating_twice_changes_nothing(service: Service) -> None:
    await service.core.database.migrate()
    async with service.core.database.engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
