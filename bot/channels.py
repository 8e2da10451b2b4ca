"""What the core asks of a chat-platform adapter, and what it hands one: the adapter contract.

Adapters import only this module and `bot.events` from the core; the core never imports an
adapter (except the composition root, `bot.app`). Nothing here may carry personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from aiohttp import web

from .events import (
    LANGUAGE_CHOICE_PREFIX,
    ChannelName,
    DeliveryId,
    Inbound,
    Outbound,
    ReplyAddress,
    ResidentSignal,
)
from .logs import log_event

InboundSink = Callable[[Inbound], Awaitable[None]]
"""Returns only after the message is durably stored; raises StoreUnavailable otherwise.

Adapters acknowledge the platform (webhook 200, polling offset) only after it returns.
"""


SignalSink = Callable[[ResidentSignal], Awaitable[None]]
"""Ephemeral resident signals (typing): never stored, only forwarded to the console."""


class EventLog(Protocol):
    """Records one event: its name and id or count fields, never text, names or platform ids."""

    def __call__(self, event: str, level: int = logging.INFO, /, **fields: object) -> None: ...


def event_log(logger: logging.Logger) -> EventLog:
    """The service's structured log bound to one logger: what the composition root hands out."""

    def record(event: str, level: int = logging.INFO, /, **fields: object) -> None:
        log_event(logger, event, level, **fields)

    return record


@dataclass(frozen=True, slots=True)
class Languages:
    """The languages residents may choose, for an adapter that shows pages of its own."""

    codes: tuple[str, ...]
    default: str
    right_to_left: frozenset[str]


def chosen_language(choice: str) -> str | None:
    """The language code a choice picks, or None for any other choice."""
    if choice.startswith(LANGUAGE_CHOICE_PREFIX):
        return choice.removeprefix(LANGUAGE_CHOICE_PREFIX)
    return None


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
