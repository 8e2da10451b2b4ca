"""The composition root: builds settings, keys, store, hub, scheduler and adapters, and wires them.

The only module of `bot` that may import adapters. No module-level singletons: everything
is built here per process and stored on the aiohttp application under typed keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from .actions.context import Core
from .actions.residents import ResidentView, resident_view
from .channels import Adapter, HoldsSockets, Languages, ServesWeb, event_log
from .config import ConfigError, Settings
from .console import setup_console
from .defaults import ensure_defaults
from .dispatcher import Dispatcher
from .events import ChannelName, OutboundDocument
from .http_defaults import api_errors, install_http_defaults
from .hub import Hub, HubEvent
from .hub_bridge import PostgresHubListener
from .keys import load_keyring, secure_key_ring
from .leader import Leadership
from .logs import log_event
from .metrics import Metrics, add_metrics_route, metrics_listener
from .outbox import OutboxWorker
from .scheduler import schedule_core_jobs
from .service import SERVICE, Service
from .store import library as library_store
from .store.db import Database
from .texts import DEFAULT_LANGUAGE, LANGUAGES, RTL_LANGUAGES

log = logging.getLogger("somesossu.app")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


RESIDENT_LANGUAGES = Languages(LANGUAGES, DEFAULT_LANGUAGE, RTL_LANGUAGES)
"""The languages residents choose from, as handed to adapters that show pages of their own."""
WEBCHAT = ChannelName("webchat")
TELEGRAM = ChannelName("telegram")
MATRIX = ChannelName("matrix")


def build_core(settings: Settings, *, serving: bool = False) -> Core:
    """The core alone (store, keys, hub, metrics): what officer scripts need, no platform.

    `serving`: for `somesossu serve`, which repeats the development-key warning at every
    start (other commands show it once per data directory).
    """
    # The data directory holds the database, keys and checkpoint: only this user may enter.
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):
        settings.data_dir.chmod(0o700)
    keyring = load_keyring(settings, always_warn=serving)
    database = Database(settings.resolved_database_url)
    metrics = Metrics()
    metrics.sqlite_wal_bytes.set_function(database.wal_bytes)
    return Core(
        database=database,
        keyring=keyring,
        hub=Hub(),
        metrics=metrics,
        settings=settings,
        checkpoint_path=settings.data_dir / "audit-checkpoint.json",
    )


def build_service(settings: Settings, *, serving: bool = False) -> Service:
    """The core with its dispatcher, outbox and every configured platform adapter."""
    core = build_core(settings, serving=serving)
    service = Service(
        settings=settings,
        core=core,
        dispatcher=Dispatcher(core),
        outbox=OutboxWorker(core),
    )
    for adapter in configured_adapters(settings, core):
        service.add_adapter(adapter)
    return service


def library_lookup(core: Core) -> Callable[[str], Awaitable[OutboundDocument | None]]:
    """How the web chat reads a published document it serves (`/chat/library/{id}`)."""

    async def library(document_id: str) -> OutboundDocument | None:
        async with core.database.session() as session:
            return await library_store.outbound_document(session, document_id)

    return library


def webchat_adapter(settings: Settings, core: Core) -> Adapter:
    from adapters.webchat import WebChatAdapter

    gauge = core.metrics.websocket_connections.labels(kind="webchat")

    def history(sender: str) -> Awaitable[ResidentView]:
        return resident_view(core, "webchat", sender)

    return WebChatAdapter(
        texts=core.texts,
        languages=RESIDENT_LANGUAGES,
        history=history,
        max_message_chars=settings.max_message_chars,
        messages_per_minute=settings.webchat_messages_per_minute,
        connections_per_address=settings.webchat_connections_per_address,
        frame_ancestors=settings.webchat_frame_ancestors,
        leave_url=settings.webchat_leave_url,
        connections_gauge=gauge.set,
        max_upload_bytes=settings.attachment_max_bytes,
        library=library_lookup(core),
        trusted_proxies=frozenset(
            proxy.strip() for proxy in settings.webchat_trusted_proxies.split(",") if proxy.strip()
        ),
    )


def telegram_adapter(settings: Settings, core: Core) -> Adapter:
    from adapters.telegram import TelegramAdapter

    token = settings.telegram_token
    if token is None:  # configured_channels names Telegram only with a token
        raise ConfigError("SOMESOSSU_TELEGRAM_TOKEN is required")
    secret = settings.telegram_webhook_secret
    return TelegramAdapter(
        token=token.get_secret_value(),
        mode=settings.telegram_mode,
        webhook_url=settings.telegram_webhook_url or settings.public_url,
        webhook_secret=secret.get_secret_value() if secret else None,
        api_url=settings.telegram_api_url,
        protect_content=settings.telegram_protect_content,
        log=event_log(logging.getLogger("somesossu.telegram")),
        texts=core.texts,
    )


def matrix_adapter(settings: Settings, core: Core) -> Adapter:
    from adapters.matrix import MatrixAdapter

    if settings.matrix_password is None and settings.matrix_access_token is None:
        raise ConfigError(
            "SOMESOSSU_MATRIX_PASSWORD or SOMESOSSU_MATRIX_ACCESS_TOKEN is required with "
            "SOMESOSSU_MATRIX_HOMESERVER"
        )
    return MatrixAdapter.from_settings(settings, event_log(logging.getLogger("somesossu.matrix")))


def configured_channels(settings: Settings) -> tuple[ChannelName, ...]:
    """The platforms these settings enable, named without building (or importing) an adapter."""
    channels = [WEBCHAT]
    if settings.telegram_token is not None:
        channels.append(TELEGRAM)
    if settings.matrix_homeserver and settings.matrix_user_id:
        channels.append(MATRIX)
    return tuple(channels)


def configured_adapters(settings: Settings, core: Core) -> list[Adapter]:
    """The registry of platforms: one builder per channel, enabled by its settings."""
    builders = {WEBCHAT: webchat_adapter, TELEGRAM: telegram_adapter, MATRIX: matrix_adapter}
    return [builders[channel](settings, core) for channel in configured_channels(settings)]


async def prepare_database(service: Service) -> None:
    """Migrate the schema, refuse keys that did not write it, create the defaults on first start."""
    await service.core.database.migrate()
    await secure_key_ring(service.settings, service.core.database, service.core.keyring)
    await ensure_defaults(service.core)


async def _database_ctx(app: web.Application) -> AsyncIterator[None]:
    service = app[SERVICE]
    # The redactor's name lists load in a thread meanwhile, not on the first message.
    preload = asyncio.create_task(asyncio.to_thread(service.core.redactor.preload))
    try:
        await prepare_database(service)
    finally:
        await preload
    yield
    service.core.sanitiser.close()
    await service.core.database.dispose()


async def _scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
    service = app[SERVICE]
    leadership = Leadership(service.core.database.url)
    schedule_core_jobs(service.scheduler, service.core, leadership)
    service.scheduler.start()
    yield
    service.scheduler.shutdown(wait=False)
    await leadership.close()


async def _hub_bridge_ctx(app: web.Application) -> AsyncIterator[None]:
    core = app[SERVICE].core
    if core.database.is_sqlite:
        yield
        return
    listener = PostgresHubListener(
        core.database.url, core.instance_id, core.hub, search_path=core.database.search_path
    )

    def forget_erased(event: HubEvent) -> None:
        # Something changed elsewhere: a reply for a socket held here may be waiting.
        core.outbox_wakeup.set()
        # Another instance shredded these keys; drop our cached copies too.
        if event.kind == "conversation.erased":
            core.keys.forget(str(event.payload.get("conversation", "")))
        elif event.kind == "config.changed":
            core.flow.invalidate()

    listener.on_event.append(forget_erased)
    listener.start()
    yield
    await listener.stop()


async def _outbox_ctx(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(app[SERVICE].outbox.run(), name="outbox")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _adapters_ctx(app: web.Application) -> AsyncIterator[None]:
    service = app[SERVICE]
    started: list[Adapter] = []
    try:
        for adapter in service.adapters:
            await adapter.start(service.dispatcher.receive)
            started.append(adapter)
            log_event(log, "adapter.started", channel=adapter.name)
        yield
    finally:
        for adapter in reversed(started):
            try:
                await adapter.stop()
            except Exception:
                log.exception("adapter.stop_failed")


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


def build_web_app(service: Service) -> web.Application:
    # api_errors sits inside observe (which then counts and headers its JSON 500s) and
    # outside the console guard that setup_console appends.
    app = web.Application(middlewares=[observe, api_errors], client_max_size=256 * 1024)
    app[SERVICE] = service
    install_http_defaults(app, service.settings)
    app.cleanup_ctx.append(_database_ctx)
    app.cleanup_ctx.append(_hub_bridge_ctx)
    app.cleanup_ctx.append(_outbox_ctx)
    app.cleanup_ctx.append(_scheduler_ctx)
    app.cleanup_ctx.append(_adapters_ctx)
    app.cleanup_ctx.append(metrics_listener(service.core.metrics, service.settings))
    app.router.add_get("/healthz", healthz)
    add_metrics_route(app, service.core.metrics, service.settings)
    for adapter in service.adapters:
        if isinstance(adapter, ServesWeb):
            app.router.add_routes(list(adapter.routes()))
    app.on_shutdown.append(_close_adapter_sockets)
    setup_console(app)
    return app


async def _close_adapter_sockets(app: web.Application) -> None:
    # The server waits for open connections before it stops: close long-lived ones first.
    for adapter in app[SERVICE].adapters:
        if isinstance(adapter, HoldsSockets):
            await adapter.close_sockets()


__all__ = [
    "RESIDENT_LANGUAGES",
    "SERVICE",
    "Service",
    "build_core",
    "build_service",
    "build_web_app",
    "configured_channels",
    "prepare_database",
]
