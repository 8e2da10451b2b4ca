"""Which database the suite runs on: SQLite by default, PostgreSQL with TEST_DATABASE_URL.

On PostgreSQL every test gets its own database, copied from a template migrated once per
session (CREATE DATABASE ... TEMPLATE is a file copy: much faster than migrating each time).
"""

from __future__ import annotations

import os

import pytest

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
"""When set (postgresql+asyncpg://.../test), tests run on PostgreSQL databases made from it."""

on_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not set")
sqlite_only = pytest.mark.skipif(bool(POSTGRES_URL), reason="about SQLite itself")


def database_url(name: str) -> str:
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


async def postgres_admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
