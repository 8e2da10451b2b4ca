"""The resident web chat: an aiohttp page, widget script and WebSocket endpoint at `/chat`.

Keeps nothing about a resident but in-memory sockets; never logs addresses or tokens.
"""

from __future__ import annotations

from .adapter import WebChatAdapter

__all__ = ["WebChatAdapter"]
