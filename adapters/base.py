"""The protocol every chat-platform adapter implements.

Adapters depend on `bot.events` only; the core never imports an adapter (except the
composition root). Adapters drop names, usernames and profile data at their boundary.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from aiohttp import web

from bot.events import ChannelName, DeliveryId, Inbound, Outbound, ReplyAddress, ResidentSignal

InboundSink = Callable[[Inbound], Awaitable[None]]
"""Returns only after the message is durably stored; raises StoreUnavailable otherwise.

Adapters acknowledge the platform (webhook 200, polling offset) only after it returns.
"""


SignalSink = Callable[[ResidentSignal], Awaitable[None]]
"""Ephemeral resident signals (typing): never stored, only forwarded to the console."""


@dataclass(frozen=True, slots=True)
class Capabilities:
    buttons: bool
    message_deletion: bool
    typing: bool
    max_length: int


@runtime_checkable
class Adapter(Protocol):
    @property
    def name(self) -> ChannelName: ...

    @property
    def capabilities(self) -> Capabilities: ...

    async def start(self, sink: InboundSink) -> None:
        """Begin receiving; call `await sink(inbound)` for each resident message."""

    async def send(self, address: ReplyAddress, outbound: Outbound) -> DeliveryId:
        """Deliver one message; raise RetryableDeliveryError or PermanentDeliveryError."""

    async def stop(self) -> None:
        """Stop receiving and release every resource."""


@runtime_checkable
class ServesWeb(Protocol):
    """An adapter that receives over the service's own HTTP server (web chat, webhooks)."""

    def routes(self) -> Iterable[web.AbstractRouteDef]:
        """Routes the composition root adds to the aiohttp application."""


@runtime_checkable
class SendsSignals(Protocol):
    """An adapter that reports resident typing; the app hands it the signal sink."""

    def attach_signals(self, signals: SignalSink) -> None: ...


@runtime_checkable
class DeliversLocally(Protocol):
    """An adapter whose residents are connected to one instance (the web chat's sockets).

    The outbox lets the instance holding the resident's socket deliver; after a grace
    period any instance may (the message then waits in the resident's history).
    """

    def holds(self, address: ReplyAddress) -> bool: ...


@runtime_checkable
class HoldsSockets(Protocol):
    """An adapter with long-lived connections the server must close before it can stop."""

    async def close_sockets(self) -> None: ...
