"""An in-process chat platform for driving whole conversations through the real core."""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import col, select

from adapters.base import Capabilities, InboundSink
from bot.access import Staff
from bot.app import Service
from bot.events import (
    ChannelName,
    DeliveryError,
    DeliveryId,
    Inbound,
    MediaKind,
    Outbound,
    PlatformFile,
    ReplyAddress,
)
from bot.store.tables import OutboxRow


@dataclass
class InProcessAdapter:
    """A platform whose residents are test code; records everything the bot sends."""

    channel: str = "test"
    buttons: bool = True
    sent: dict[str, list[Outbound]] = field(default_factory=lambda: defaultdict(list))
    failures: list[DeliveryError] = field(default_factory=list)
    sink: InboundSink | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def name(self) -> ChannelName:
        return ChannelName(self.channel)

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            buttons=self.buttons, message_deletion=True, typing=False, max_length=4096
        )

    async def start(self, sink: InboundSink) -> None:
        self.sink = sink

    async def send(self, address: ReplyAddress, outbound: Outbound) -> DeliveryId:
        if self.failures:
            raise self.failures.pop(0)
        self.sent[address].append(outbound)
        return DeliveryId(f"d{next(self._ids)}")

    async def stop(self) -> None:
        self.sink = None


@dataclass
class Resident:
    """One resident on the in-process platform."""

    harness: Harness
    sender_id: str
    address: str
    language_hint: str | None = None

    async def write(self, text: str, *, message_id: str | None = None) -> None:
        await self.harness.inbound(self, text=text, message_id=message_id)

    async def press(self, value: str) -> None:
        await self.harness.inbound(self, choice=value)

    async def send_media(self, kind: MediaKind) -> None:
        await self.harness.inbound(self, media=kind)

    async def send_file(self, data: bytes) -> None:
        """A file as a channel that takes files (the web chat) hands it to the core."""
        await self.harness.inbound(self, file=data)

    async def send_platform_file(self, platform_file: PlatformFile) -> None:
        """A file as a platform that keeps it (Telegram, Matrix) announces it: by reference."""
        await self.harness.inbound(self, platform_file=platform_file)

    @property
    def received(self) -> list[Outbound]:
        return self.harness.adapter.sent[self.address]

    def texts(self) -> list[str]:
        return [outbound.text for outbound in self.received]

    def last(self) -> Outbound:
        assert self.received, "the resident received nothing"
        return self.received[-1]

    def choices(self) -> list[str]:
        return [choice.value for choice in self.last().choices]

    def new_since(self, count: int) -> list[str]:
        return self.texts()[count:]


@dataclass
class Harness:
    service: Service
    adapter: InProcessAdapter
    _messages: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def core(self):  # type: ignore[no-untyped-def]
        return self.service.core

    def resident(self, name: str, *, language_hint: str | None = None) -> Resident:
        return Resident(
            self, sender_id=f"user-{name}", address=f"chat-{name}", language_hint=language_hint
        )

    async def inbound(
        self,
        resident: Resident,
        *,
        text: str = "",
        choice: str | None = None,
        media: MediaKind | None = None,
        message_id: str | None = None,
        file: bytes | None = None,
        platform_file: PlatformFile | None = None,
    ) -> None:
        await self.service.dispatcher.receive(
            Inbound(
                channel=ChannelName(self.adapter.channel),
                sender_id=resident.sender_id,
                reply_address=ReplyAddress(resident.address),
                platform_message_id=message_id or f"m{next(self._messages)}",
                received_at=datetime.now(UTC),
                text=text,
                choice=choice,
                media=media,
                language_hint=resident.language_hint,
                file=file,
                platform_file=platform_file,
            )
        )
        await self.deliver()

    async def deliver(self) -> int:
        """Sweep the outbox until nothing due is left, waiting (with a deadline) for rows
        another worker of the same service (a running app's) has leased and is sending."""
        total = 0
        deadline = asyncio.get_running_loop().time() + 10
        waited = False
        while True:
            sent = await self.service.outbox.deliver_due()
            total += sent
            if sent:
                continue
            if await self._in_flight() and asyncio.get_running_loop().time() < deadline:
                waited = True
                await asyncio.sleep(0.02)
                continue
            if not waited:
                return total
            # The other worker finished: messages queued behind its one may be due now.
            waited = False

    async def settle(self, condition: Callable[[], bool], seconds: float = 10.0) -> None:
        """Deliver until `condition()` holds: for tests where a running app's own outbox
        worker races this one for the same messages."""
        async with asyncio.timeout(seconds):
            while True:
                await self.deliver()
                if condition():
                    return
                await asyncio.sleep(0.02)

    async def _in_flight(self) -> bool:
        """Whether another worker is sending a message right now (it holds the lease)."""
        now = self.core.now()
        async with self.core.database.session() as session:
            rows = await session.execute(
                select(OutboxRow.id).where(
                    OutboxRow.state == "pending",
                    col(OutboxRow.leased_until).is_not(None),
                    col(OutboxRow.leased_until) > now,
                )
            )
            return rows.first() is not None

    async def staff(
        self,
        username: str,
        *,
        role: str = "counsellor",
        queues: tuple[str, ...] = ("general",),
        display_name: str | None = None,
        max_concurrent: int = 3,
    ) -> Staff:
        from bot.actions.context import SYSTEM
        from bot.actions.users import create_user
        from bot.roles import Role

        user = await create_user(
            self.core,
            SYSTEM,
            username=username,
            role=Role(role),
            password="a long test password",
            queues=queues,
            display_name=display_name or username.title(),
        )
        if max_concurrent != user.max_concurrent:
            # Transfers read a colleague's limit from their row, as the console sets it.
            from bot.store.tables import StaffUser

            async with self.core.database.session() as session:
                stored = await session.get(StaffUser, user.id)
                assert stored is not None
                stored.max_concurrent = max_concurrent
                session.add(stored)
        return Staff(user.id, Role(role), user.display_name, frozenset(queues), max_concurrent)
