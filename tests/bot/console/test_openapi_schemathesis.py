"""Schemathesis against /api/openapi.json on a live server: no 5xx, no undocumented answer.

The server runs in its own thread and event loop, because Schemathesis calls it synchronously.
/api/admin/* runs as an admin (so its writes are really exercised), the rest as a supervisor.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

# Calls that would end the session the run uses.
SKIPPED = {"/api/logout", "/api/logout-everywhere", "/api/me/password"}
PASSWORD = "a long test password"


Signed = tuple[str, dict[str, str], dict[str, str]]


class LiveServer:
    """The whole app (console included) on 127.0.0.1, with a signed-in supervisor and admin."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.loop = asyncio.new_event_loop()
        self.ready: Future[Signed] = Future()
        self.stopped: asyncio.Event | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._main())

    async def _main(self) -> None:
        import aiohttp
        from aiohttp import web

        from bot.actions.context import SYSTEM
        from bot.actions.users import create_user
        from bot.app import build_service, build_web_app
        from bot.config import load_settings
        from bot.console import setup_console
        from bot.roles import Role

        self.stopped = asyncio.Event()
        try:
            service = build_service(load_settings(data_dir=self.data_dir, log_format="text"))
            app = build_web_app(service)
            setup_console(app)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            base = f"http://127.0.0.1:{port}"
            signed: list[dict[str, str]] = []
            for username, role in (("sari", Role.SUPERVISOR), ("ada", Role.ADMIN)):
                await create_user(
                    service.core,
                    SYSTEM,
                    username=username,
                    role=role,
                    password=PASSWORD,
                    queues=("general",) if role is Role.SUPERVISOR else (),
                )
                async with aiohttp.ClientSession() as session:
                    answer = await session.post(
                        f"{base}/api/login", json={"username": username, "password": PASSWORD}
                    )
                    csrf = (await answer.json())["csrf_token"]
                    token = answer.cookies["somesossu_session"].value
                signed.append({"Cookie": f"somesossu_session={token}", "X-CSRF-Token": csrf})
            self.ready.set_result((base, signed[0], signed[1]))
        except Exception as error:  # surface start-up failures in the test thread
            self.ready.set_exception(error)
            return
        await self.stopped.wait()
        await runner.cleanup()

    def __enter__(self) -> Signed:
        self.thread.start()
        return self.ready.result(timeout=60)

    def __exit__(self, *exc: object) -> None:
        if self.stopped is not None:
            self.loop.call_soon_threadsafe(self.stopped.set)
        self.thread.join(timeout=30)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Signed]:
    with LiveServer(tmp_path / "data") as started:
        yield started


def exercise(operation: Any, base: str, headers: dict[str, str]) -> None:
    """Up to 15 generated calls of one operation; each must pass the checks."""
    from schemathesis.checks import not_a_server_error, response_schema_conformance

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def call(case: Any) -> None:
        case.call_and_validate(
            base_url=base,
            headers=headers,
            checks=[not_a_server_error, response_schema_conformance],
        )

    call()


def test_the_api_never_fails_and_always_answers_as_documented(live_server: Signed) -> None:
    from bot.console.openapi import document

    base, supervisor, admin = live_server
    schema = schemathesis.openapi.from_dict(document())
    checked = 0
    for result in schema.get_all_operations():
        operation: Any = result.ok()
        if operation.path in SKIPPED:
            continue
        exercise(operation, base, admin if operation.path.startswith("/api/admin/") else supervisor)
        checked += 1
    assert checked >= 30
