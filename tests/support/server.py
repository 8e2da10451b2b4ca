"""Real `somesossu serve` processes for multi-instance and crash tests, on loopback ports."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from privacy.keyfile import encode_key, generate_keyring


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def shared_key_env() -> dict[str, str]:
    ring = generate_keyring()
    return {
        "SOMESOSSU_KEKS": f"1:{encode_key(ring.kek(1))}",
        "SOMESOSSU_PEPPER": encode_key(ring.pepper),
        "SOMESOSSU_AUDIT_KEY": encode_key(ring.audit_key),
    }


def base_env(data_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOMESOSSU_")}
    env.update(
        SOMESOSSU_DATA_DIR=str(data_dir),
        SOMESOSSU_LOG_LEVEL="WARNING",
        SOMESOSSU_WEBCHAT_MESSAGES_PER_MINUTE="600",
    )
    env.update(settings)
    return env


def run_cli(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@dataclass
class Server:
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**self.env, "SOMESOSSU_HTTP_PORT": str(self.port)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.process.stderr.read()[-2000:]}")  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("server did not become healthy")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


class ChatClient:
    """A resident on the web chat: resends what was not acknowledged, keeps what arrived."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self.http = http
        self.base_url = base_url
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.token: str | None = None
        self.acked: set[str] = set()
        self.received: dict[str, dict[str, Any]] = {}
        self.arrivals: list[str] = []
        self._reader: asyncio.Task[None] | None = None
        self.changed = asyncio.Event()

    async def connect(self, base_url: str | None = None) -> None:
        self.base_url = base_url or self.base_url
        self.ws = await self.http.ws_connect(f"{self.base_url}/chat/ws")
        await self.ws.send_json({"type": "hello", "token": self.token, "lang": "fi"})
        self._reader = asyncio.create_task(self._read())
        await self.wait_for(lambda: self.token is not None)

    async def _read(self) -> None:
        assert self.ws is not None
        async for raw in self.ws:
            if raw.type is not aiohttp.WSMsgType.TEXT:
                break
            frame = raw.json()
            if frame["type"] == "welcome":
                self.token = frame["token"]
            elif frame["type"] == "delivered":
                self.acked.add(frame["client_id"])
            elif frame["type"] == "message":
                self.arrivals.append(frame["id"])
                self.received[frame["id"]] = frame
            elif frame["type"] == "history":
                for message in frame.get("messages", []):
                    self.received[message["id"]] = message
            self.changed.set()

    async def wait_for(self, condition: Any, seconds: float = 20.0) -> None:
        async with asyncio.timeout(seconds):
            while not condition():
                self.changed.clear()
                await self.changed.wait()

    async def send(
        self,
        client_id: str,
        *,
        text: str | None = None,
        choice: str | None = None,
        wait: bool = True,
    ) -> None:
        assert self.ws is not None
        frame: dict[str, Any] = {
            "type": "message" if text is not None else "choice",
            "client_id": client_id,
        }
        if text is not None:
            frame["text"] = text
        else:
            frame["value"] = choice
        await self.ws.send_json(frame)
        if wait:
            await self.wait_for(lambda: client_id in self.acked)

    def texts_from(self, author: str) -> list[str]:
        return [m["text"] for m in self.received.values() if m.get("from") == author]

    async def wait_closed(self, seconds: float = 30.0) -> int | None:
        """Wait until the server closes the socket; its close code."""
        assert self._reader is not None and self.ws is not None
        async with asyncio.timeout(seconds):
            await self._reader
        return self.ws.close_code

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()


def http_session(*behind_tls: str) -> aiohttp.ClientSession:
    """A client that keeps cookies for 127.0.0.1 (aiohttp refuses IP-address cookies by default).

    `behind_tls`: base URLs of servers in production mode, whose cookies are `Secure`; the
    client sends them back as a browser behind the deployment's TLS proxy would.
    """
    jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=list(behind_tls) or None)
    return aiohttp.ClientSession(cookie_jar=jar)


async def sign_in(http: aiohttp.ClientSession, base_url: str, username: str, password: str) -> str:
    """Signs in through the JSON API; returns the CSRF token (the cookie stays in `http`)."""
    async with http.post(
        f"{base_url}/api/login", json={"username": username, "password": password}
    ) as response:
        assert response.status == 200, await response.text()
        return str((await response.json())["csrf_token"])
