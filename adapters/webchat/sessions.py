"""The resident's tabs in memory: one open socket, one session per token, its reply address.

Never keeps the token anywhere but the session's sender id, and never shows it in a repr;
the reply address is a hash that cannot open the session.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.events import ReplyAddress

from . import frames
from .limits import SlidingWindow

SEND_TIMEOUT_SECONDS = 10.0


class Connection:
    """One open socket; sends are serialised because the outbox and the reader both write.

    `origin` is the client's address, handed to the core with each message (which keeps only
    a keyed digest of it) and otherwise only in memory.
    """

    def __init__(self, socket: web.WebSocketResponse, origin: str | None = None) -> None:
        self.socket = socket
        self.origin = origin
        self._lock = asyncio.Lock()

    async def send(self, frame: dict[str, Any]) -> bool:
        if self.socket.closed:
            return False
        try:
            async with self._lock, asyncio.timeout(SEND_TIMEOUT_SECONDS):
                await self.socket.send_str(frames.encode(frame))
        except (ConnectionError, RuntimeError, TimeoutError):
            return False
        return True


@dataclass(eq=False)
class WebSession:
    """One browser tab's conversation, known by the hash of its token (the reply address)."""

    address: ReplyAddress
    sender_id: str
    language: str
    messages: SlidingWindow
    connections: set[Connection] = field(default_factory=set)
    counsellors: set[str] = field(default_factory=set)
    last_typing: float = float("-inf")
    last_active: float = 0.0

    def __repr__(self) -> str:
        # The sender id is the token: keep it out of every repr and traceback.
        return f"WebSession(connections={len(self.connections)})"


def address_of(token: str) -> ReplyAddress:
    """The reply address stored (sealed) by the core: a hash, so it cannot open the session."""
    return ReplyAddress("web:" + hashlib.sha256(f"webchat:{token}".encode()).hexdigest()[:40])
