"""Supervisor dashboard: queue lengths, longest wait, people online, today's numbers, feedback.

Aggregates only (SQL counts and averages): never a conversation's content or a resident.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.roles import Capability
from bot.service import SERVICE

from . import queries
from .auth import staff_of
from .live import CONNECTED
from .pages import render

routes = web.RouteTableDef()


async def dashboard_numbers(request: web.Request) -> dict[str, Any]:
    core = request.app[SERVICE].core
    now = core.now()
    async with core.database.session() as session:
        stats = await queries.queue_stats(session, now)
        queues = await queries.queues_with_members(session)
        online = await queries.counsellors_online(session, now, set(request.app[CONNECTED].keys()))
        today = await queries.conversations_since(session, queries.start_of_day(now))
        feedback = await queries.feedback_averages(
            session, (now - timedelta(days=30)).date().isoformat()
        )
    rows = []
    for queue in queues:
        numbers = stats.get(queue["id"], queries.QueueStats(0, 0, 0, 0))
        rows.append(
            {
                "id": queue["id"],
                "name": queue["name"],
                "waiting": numbers.waiting,
                "urgent": numbers.urgent,
                "longest_wait_seconds": numbers.longest_wait_seconds,
                "active": numbers.active,
            }
        )
    return {
        "queues": rows,
        "waiting": sum(s.waiting for s in stats.values()),
        "urgent": sum(s.urgent for s in stats.values()),
        "active": sum(s.active for s in stats.values()),
        "longest_wait_seconds": max((s.longest_wait_seconds for s in stats.values()), default=0),
        "counsellors_online": online,
        "conversations_today": today,
        "feedback": feedback,
    }


@routes.get("/api/dashboard")
async def dashboard_api(request: web.Request) -> web.Response:
    staff_of(request, Capability.DASHBOARD)
    return web.json_response(await dashboard_numbers(request))


@routes.get("/console/dashboard")
async def dashboard_page(request: web.Request) -> web.Response:
    staff_of(request, Capability.DASHBOARD)
    return render(request, "dashboard.html", page="dashboard")
