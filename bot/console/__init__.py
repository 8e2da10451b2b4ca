"""The staff console: pages under /console, JSON API under /api, websocket at /console/ws.

`setup_console(app)` wires it onto the service's aiohttp app; it never writes a table itself
(every change goes through `bot.actions`) and never serves an asset from another host.
"""

from __future__ import annotations

import weakref
from collections import Counter
from pathlib import Path

from aiohttp import web

from . import api, live, pages
from .admin import routes as admin_routes
from .admin_api import routes as admin_api_routes
from .audit_job import setup_chain_verification
from .audit_view import routes as audit_routes
from .auth import console_guard
from .blocks import routes as block_routes
from .close_tags import routes as close_tag_routes
from .consultations import routes as consultation_routes
from .dashboard import routes as dashboard_routes
from .files import routes as file_routes
from .groups import setup_group_routes
from .library import routes as library_routes
from .openapi import routes as openapi_routes
from .reports import routes as report_routes
from .returning import routes as returning_routes

STATIC = Path(__file__).parent / "static"
CONSOLE_READY = web.AppKey("console_ready", bool)


def setup_console(app: web.Application) -> None:
    """Add the console's routes and guard to `app` (a second call does nothing)."""
    if app.get(CONSOLE_READY):
        return
    app[CONSOLE_READY] = True
    app.middlewares.append(console_guard)
    app[pages.JINJA] = pages.make_environment()
    app[live.CONNECTED] = Counter()
    app[live.OPEN_SOCKETS] = weakref.WeakSet()
    app.on_shutdown.append(live.close_all)
    setup_chain_verification(app)
    for table in (
        api.routes,
        pages.routes,
        live.routes,
        dashboard_routes,
        block_routes,
        audit_routes,
        admin_routes,
        admin_api_routes,
        close_tag_routes,
        openapi_routes,
        report_routes,
        returning_routes,
        file_routes,
        library_routes,
        consultation_routes,
    ):
        app.router.add_routes(table)
    setup_group_routes(app)
    app.router.add_static("/console/static/", STATIC, name="console-static")


__all__ = ["setup_console"]
