"""Real-time fan-out of core events to console sessions and web-chat sockets of this process.

Events carry ids and states, never message text: subscribers fetch content through actions,
which check roles and write the audit record.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .logs import log_event

log = logging.getLogger("somesossu.hub")


@dataclass(frozen=True, slots=True)
class HubEvent:
    """`topic` is e.g. "queue", "conversation:<id>"; `kind` is what happened."""

    topic: str
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)


class Subscription:
    def __init__(self, topics: set[str], maxsize: int) -> None:
        self.topics = topics
        self.queue: asyncio.Queue[HubEvent] = asyncio.Queue(maxsize=maxsize)
        self.overflowed = False

    async def get(self) -> HubEvent:
        return await self.queue.get()


class Hub:
    """In-process publish/subscribe. A slow subscriber is marked overflowed, never blocks."""

    def __init__(self, *, queue_size: int = 1000) -> None:
        self._subscriptions: set[Subscription] = set()
        self._queue_size = queue_size

    @contextmanager
    def subscribe(self, topics: set[str]) -> Iterator[Subscription]:
        subscription = Subscription(set(topics), self._queue_size)
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)

    def publish(self, event: HubEvent) -> None:
        for subscription in list(self._subscriptions):
            if event.topic in subscription.topics or "*" in subscription.topics:
                try:
                    subscription.queue.put_nowait(event)
                except asyncio.QueueFull:
                    subscription.overflowed = True
                    log_event(log, "hub.overflow", logging.WARNING, topic=event.topic.split(":")[0])

    @property
    def subscriber_count(self) -> int:
        return len(self._subscriptions)
