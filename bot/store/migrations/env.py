"""Alembic environment: runs on the connection the service hands over (see Database.migrate).

Never opens its own engine from a URL in a config file: settings come from the environment.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from bot.store import (
    attachments,  # noqa: F401  (residents' files, sealed)
    consultations,  # noqa: F401  (consultants invited into a conversation)
    group_tables,  # noqa: F401  (group-session tables)
    library,  # noqa: F401  (the organisation's public documents)
    queue_waits,  # noqa: F401  (the rolling aggregate of recent waits)
    returning,  # noqa: F401  (returning residents' consent)
    tables,  # noqa: F401  (registers every table on the metadata)
)

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `somesossu migrate`, which supplies a connection")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
