"""Which database the suite runs on: SQLite by default, PostgreSQL with TEST_DATABASE_URL."""

from __future__ import annotations

import os

import pytest

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
"""When set (postgresql+asyncpg://...), every test's service runs on its own PostgreSQL schema."""

on_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not set")
sqlite_only = pytest.mark.skipif(bool(POSTGRES_URL), reason="about SQLite itself")
