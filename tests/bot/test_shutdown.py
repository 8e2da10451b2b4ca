"""Stopping the service with residents and counsellors connected: sockets are closed with
1001 (going away) so pages reconnect, and the process does not hang on them."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp

from tests.support.server import ChatClient, Server, base_env, http_session, run_cli, sign_in

PASSWORD = "a long enough password"


async def test_sigterm_closes_open_sockets_as_going_away_and_exits(tmp_path: Path) -> None:
    env = base_env(tmp_path / "data")
    run_cli(
        env,
        "user",
        "add",
        "anna",
        "--role",
        "supervisor",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    server = Server(env)
    server.start()
    try:
        async with http_session() as http:
            resident = ChatClient(http, server.url)
            await resident.connect()
            await sign_in(http, server.url, "anna", PASSWORD)
            console = await http.ws_connect(f"{server.url}/console/ws")
            assert server.process is not None
            server.process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(30):
                while not console.closed:
                    await console.receive()  # the hello, then the close
            assert console.close_code == aiohttp.WSCloseCode.GOING_AWAY
            assert await resident.wait_closed() == aiohttp.WSCloseCode.GOING_AWAY
            await resident.close()
        assert await asyncio.to_thread(server.process.wait, 30) == 0
    finally:
        server.kill()
