"""Prometheus metrics of one service instance, on its own registry (no global state), and
where they are served: a separate listener and/or the service port behind a bearer token.

Labels are channels, routes, states and kinds: never text, pseudonyms or platform ids. Never
served to an anonymous caller on the service port (it faces the internet through the proxy).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import hdrs, web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from .config import Settings
from .http_defaults import install_http_defaults
from .logs import log_event

log = logging.getLogger("somesossu.metrics")

METRICS_PATH = "/metrics"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.http_requests = Counter(
            "somesossu_http_requests_total",
            "HTTP requests served",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.inbound_messages = Counter(
            "somesossu_inbound_messages_total",
            "Resident messages received and stored",
            ["channel"],
            registry=self.registry,
        )
        self.inbound_duplicates = Counter(
            "somesossu_inbound_duplicates_total",
            "Platform redeliveries dropped",
            ["channel"],
            registry=self.registry,
        )
        self.outbound_messages = Counter(
            "somesossu_outbound_messages_total",
            "Delivery attempts by outcome",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.redaction_findings = Counter(
            "somesossu_redaction_findings_total",
            "Personal data items removed before storage, by kind",
            ["kind"],
            registry=self.registry,
        )
        self.pipeline_seconds = Histogram(
            "somesossu_inbound_pipeline_seconds",
            "Time from receiving a resident message to its commit",
            ["channel"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.inbound_batch_size = Histogram(
            "somesossu_inbound_batch_size",
            "Resident messages stored together in one transaction (group commit)",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
            registry=self.registry,
        )
        self.websocket_connections = Gauge(
            "somesossu_websocket_connections",
            "Open websocket connections",
            ["kind"],
            registry=self.registry,
        )
        self.sqlite_wal_bytes = Gauge(
            "somesossu_sqlite_wal_bytes",
            "Size of the SQLite write-ahead log file (bounded by the checkpoints)",
            registry=self.registry,
        )
        self.audit_records = Counter(
            "somesossu_audit_records_total",
            "Audit records written, by action",
            ["action"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


def metrics_handler(metrics: Metrics, token: str | None) -> Handler:
    """Serves the Prometheus text; with a `token`, only to `Authorization: Bearer <token>`."""
    expected = f"Bearer {token}".encode() if token is not None else None

    async def serve_metrics(request: web.Request) -> web.Response:
        if expected is not None:
            sent = request.headers.get(hdrs.AUTHORIZATION, "").encode("utf-8", "replace")
            # Constant time: the comparison must not reveal how much of a guess was right.
            if not hmac.compare_digest(sent, expected):
                raise web.HTTPUnauthorized(
                    headers={hdrs.WWW_AUTHENTICATE: 'Bearer realm="metrics"'}
                )
        return web.Response(body=metrics.render(), content_type="text/plain", charset="utf-8")

    return serve_metrics


def add_metrics_route(app: web.Application, metrics: Metrics, settings: Settings) -> None:
    """/metrics on the service port only with SOMESOSSU_METRICS_TOKEN; otherwise it is a 404."""
    if settings.metrics_token is not None:
        token = settings.metrics_token.get_secret_value()
        app.router.add_get(METRICS_PATH, metrics_handler(metrics, token))


def metrics_listener(
    metrics: Metrics, settings: Settings
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A `cleanup_ctx` entry serving /metrics alone on SOMESOSSU_METRICS_HOST:PORT.

    Off unless SOMESOSSU_METRICS_PORT is set. The token, when set, is asked here too, so a
    listener bound wider than loopback by mistake still does not hand out the figures.
    """

    async def listen(_: web.Application) -> AsyncIterator[None]:
        if settings.metrics_port is None:
            yield
            return
        token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
        app = web.Application()
        install_http_defaults(app, settings)
        app.router.add_get(METRICS_PATH, metrics_handler(metrics, token))
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.metrics_host, settings.metrics_port).start()
            log_event(log, "metrics.listening", port=settings.metrics_port)
            yield
        finally:
            await runner.cleanup()

    return listen
