"""The composition root: builds settings, keys, store, hub, scheduler and adapters, and wires them.

The only module of `bot` that may import adapters. No module-level singletons: everything
is built here per process and stored on the aiohttp application under typed keys.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from .actions.context import Core
from .config import Settings
from .hub import Hub
from .keys import load_keyring
from .logs import log_event
from .metrics import Metrics
from .store.db import Database

log = logging.getLogger("somesossu.app")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Service:
    """Everything one running instance owns."""

    settings: Settings
    core: Core
    scheduler: AsyncIOScheduler = field(default_factory=lambda: AsyncIOScheduler(timezone="UTC"))


SERVICE = web.AppKey("service", Service)


def build_service(settings: Settings) -> Service:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    keyring = load_keyring(settings)
    database = Database(settings.resolved_database_url)
    core = Core(
        database=database,
        keyring=keyring,
        hub=Hub(),
        metrics=Metrics(),
        checkpoint_path=settings.data_dir / "audit-checkpoint.json",
    )
    return Service(settings=settings, core=core)


async def prepare_database(service: Service) -> None:
    await service.core.database.migrate()


async def _database_ctx(app: web.Application) -> AsyncIterator[None]:
    service = app[SERVICE]
    await prepare_database(service)
    yield
    await service.core.database.dispose()


async def _scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
    scheduler = app[SERVICE].scheduler
    scheduler.start()
    yield
    scheduler.shutdown(wait=False)


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
}


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers, metrics and one access-log line without address or query string."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
    except web.HTTPException as error:
        status = error.status
        for header, value in SECURITY_HEADERS.items():
            error.headers.setdefault(header, value)
        raise
    finally:
        route = _route_name(request)
        app = request.app
        if SERVICE in app:
            app[SERVICE].core.metrics.http_requests.labels(
                route=route, method=request.method, status=str(status)
            ).inc()
        log_event(
            log,
            "http.request",
            logging.DEBUG,
            route=route,
            method=request.method,
            status=status,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    return response


def _route_name(request: web.Request) -> str:
    # The route template, not the path: paths may hold ids or a webhook secret.
    info = request.match_info.route.resource
    if info is None:
        return "unmatched"
    return info.canonical


async def healthz(request: web.Request) -> web.Response:
    database_ok = await request.app[SERVICE].core.database.ping()
    return web.json_response(
        {"status": "ok" if database_ok else "degraded", "database": database_ok},
        status=200 if database_ok else 503,
    )


async def metrics(request: web.Request) -> web.Response:
    body = request.app[SERVICE].core.metrics.render()
    return web.Response(body=body, content_type="text/plain", charset="utf-8")


def build_web_app(service: Service) -> web.Application:
    app = web.Application(middlewares=[observe], client_max_size=256 * 1024)
    app[SERVICE] = service
    app.cleanup_ctx.append(_database_ctx)
    app.cleanup_ctx.append(_scheduler_ctx)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app
