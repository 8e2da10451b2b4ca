"""What one running instance owns, and the typed key it is stored under on the aiohttp app.

A plain container: built by `bot.app`, read by the console and adapters' web routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from .actions.context import Core
from .channels import Adapter, DeliversLocally, SendsSignals
from .config import Settings
from .dispatcher import Dispatcher
from .outbox import OutboxWorker


@dataclass
class Service:
    """Everything one running instance owns."""

    settings: Settings
    core: Core
    dispatcher: Dispatcher
    outbox: OutboxWorker
    adapters: list[Adapter] = field(default_factory=list)
    scheduler: AsyncIOScheduler = field(default_factory=lambda: AsyncIOScheduler(timezone="UTC"))

    def add_adapter(self, adapter: Adapter) -> None:
        """Register a platform; a later adapter for the same channel replaces the earlier one."""
        self.adapters = [a for a in self.adapters if a.name != adapter.name]
        self.adapters.append(adapter)
        holds = adapter.holds if isinstance(adapter, DeliversLocally) else None
        self.outbox.register(adapter.name, adapter.send, holds=holds)
        if isinstance(adapter, SendsSignals):
            adapter.attach_signals(self.dispatcher.signal)


SERVICE = web.AppKey("service", Service)
