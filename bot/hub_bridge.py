"""Carries hub events between instances that share one PostgreSQL database (LISTEN/NOTIFY).

Events are sent with pg_notify inside the transaction that caused them, so other instances
hear of a change only once it is committed. Payloads hold ids and kinds, never text.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from .hub import Hub, HubEvent
from .leader import asyncpg_dsn
from .logs import log_event

log = logging.getLogger("somesossu.hub_bridge")

CHANNEL = "somesossu_hub"
RECONNECT_SECONDS = (0.5, 1, 2, 5, 10)
# PostgreSQL refuses notification payloads of 8,000 bytes or more.
MAX_PAYLOAD_BYTES = 7000
_NOTIFY_ALL = text(
    "SELECT pg_notify(:channel, payload) FROM unnest(CAST(:payloads AS text[])) AS payload"
)


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def encode(origin: str, events: list[HubEvent]) -> list[str]:
    """Payloads of at most MAX_PAYLOAD_BYTES, each `{"o": origin, "e": [[topic, kind,
    payload], ...]}`: a transaction's events travel in as few notifications as fit."""
    head = f'{{"o":{_dumps(origin)},"e":['
    payloads: list[str] = []
    parts: list[str] = []
    size = len(head) + 2
    for event in events:
        part = _dumps([event.topic, event.kind, event.payload])
        if parts and size + len(part.encode()) + 1 > MAX_PAYLOAD_BYTES:
            payloads.append(head + ",".join(parts) + "]}")
            parts, size = [], len(head) + 2
        parts.append(part)
        size += len(part.encode()) + 1
    if parts:
        payloads.append(head + ",".join(parts) + "]}")
    return payloads


def decode(payload: str) -> tuple[str, list[HubEvent]]:
    data = json.loads(payload)
    events = [HubEvent(str(topic), str(kind), dict(body)) for topic, kind, body in data["e"]]
    return str(data["o"]), events


async def notify(session: AsyncSession, origin: str, events: list[HubEvent]) -> None:
    """Queue the events for other instances; PostgreSQL delivers them on commit.

    One statement however many events (a batch of inbound messages makes hundreds).
    """
    await session.execute(_NOTIFY_ALL, {"channel": CHANNEL, "payloads": encode(origin, events)})


class PostgresHubListener:
    """Listens on a dedicated connection and republishes other instances' events locally."""

    def __init__(
        self, database_url: str, origin: str, hub: Hub, *, search_path: str | None = None
    ) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._search_path = search_path
        self._origin = origin
        self._own_prefix = f'{{"o":{_dumps(origin)},'
        self._hub = hub
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.on_event: list[Any] = []

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="hub-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _received(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload.startswith(self._own_prefix):
            return  # our own events, already published locally after commit
        try:
            origin, events = decode(payload)
        except (ValueError, KeyError, TypeError):
            log_event(log, "hub_bridge.bad_payload", logging.WARNING)
            return
        if origin == self._origin:
            return
        for event in events:
            for callback in self.on_event:
                callback(event)
            self._hub.publish(event)

    async def _run(self) -> None:
        import asyncpg

        attempt = 0
        while True:
            connection = None
            try:
                settings = {"search_path": self._search_path} if self._search_path else None
                connection = await asyncpg.connect(self._dsn, timeout=10, server_settings=settings)
                await connection.add_listener(CHANNEL, self._received)
                self.connected.set()
                attempt = 0
                log_event(log, "hub_bridge.listening")
                while not connection.is_closed():
                    await asyncio.sleep(5)
                    await connection.execute("SELECT 1")
            except asyncio.CancelledError:
                if connection is not None:
                    await connection.close()
                raise
            except (OSError, TimeoutError, asyncpg.PostgresError) as error:
                log_event(
                    log, "hub_bridge.disconnected", logging.WARNING, error=type(error).__name__
                )
            self.connected.clear()
            if connection is not None and not connection.is_closed():
                await connection.close()
            await asyncio.sleep(RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)])
            attempt += 1
