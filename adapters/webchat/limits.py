"""In-memory limits of the web chat: messages per minute per session, sockets per address.

Counts only, in this process's memory: never stores, logs or exports an IP address (addresses
are keyed by a salted hash that changes with every process start).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import deque


class SlidingWindow:
    """At most `limit` events in any `window` seconds; refused events are not counted."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._times: deque[float] = deque()

    def take(self, now: float) -> float | None:
        """Count one event at `now`; None if allowed, else seconds until one would be."""
        while self._times and self._times[0] <= now - self.window:
            self._times.popleft()
        if len(self._times) >= self.limit:
            return max(0.1, self._times[0] + self.window - now)
        self._times.append(now)
        return None


class ConnectionCounter:
    """Open sockets per remote address, keyed by a salted hash (never the address itself)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._salt = secrets.token_bytes(16)
        self._open: dict[str, int] = {}

    def _key(self, address: str) -> str:
        return hashlib.blake2b(address.encode(), key=self._salt, digest_size=16).hexdigest()

    def acquire(self, address: str) -> str | None:
        """Count one socket; returns a release key, or None when the address is at its limit."""
        key = self._key(address)
        if self._open.get(key, 0) >= self.limit:
            return None
        self._open[key] = self._open.get(key, 0) + 1
        return key

    def release(self, key: str) -> None:
        left = self._open.get(key, 0) - 1
        if left > 0:
            self._open[key] = left
        else:
            self._open.pop(key, None)

    @property
    def total(self) -> int:
        return sum(self._open.values())
