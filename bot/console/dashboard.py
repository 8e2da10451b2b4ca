"""Supervisor dashboard: queue lengths, longest wait, people online, today's numbers, feedback.

Aggregates only (SQL counts and averages): never a conversation's content or a resident.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlmodel import select

from bot.reports import TARGET_DAYS, target_status
from bot.roles import Capability
from bot.service import SERVICE
from bot.store.tables import Queue

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
        targets_set = {
            queue.id: (queue.target_minutes, queue.target_percent)
            for queue in (await session.execute(select(Queue))).scalars()
            if queue.target_minutes
        }
        online = await queries.counsellors_online(session, now, set(request.app[CONNECTED].keys()))
        today = await queries.conversations_since(session, queries.start_of_day(now))
        feedback = await queries.feedback_averages(
            session, (now - timedelta(days=30)).date().isoformat()
        )
    targets = await target_status(
        core, targets_set, {queue_id: s.longest_wait_seconds for queue_id, s in stats.items()}
    )
    rows = []
    for queue in queues:
        numbers = stats.get(queue["id"], queries.QueueStats(0, 0, 0, 0))
        target = targets.get(queue["id"])
        rows.append(
            {
                "id": queue["id"],
                "name": queue["name"],
                "waiting": numbers.waiting,
                "urgent": numbers.urgent,
                "longest_wait_seconds": numbers.longest_wait_seconds,
                "active": numbers.active,
                "target": None
                if target is None
                else {
                    "minutes": target.minutes,
                    "percent": target.percent,
                    "days": TARGET_DAYS,
                    "reached": target.reached,
                    "share": target.share,
                    "waiting_over": target.waiting_over,
                    "missed": target.missed,
                },
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
        "targets_missed": [row["id"] for row in rows if row["target"] and row["target"]["missed"]],
    }


@routes.get("/api/dashboard")
async def dashboard_api(request: web.Request) -> web.Response:
    staff_of(request, Capability.DASHBOARD)
    return web.json_response(await dashboard_numbers(request))


@routes.get("/console/dashboard")
async def dashboard_page(request: web.Request) -> web.Response:
    staff_of(request, Capability.DASHBOARD)
    return render(request, "dashboard.html", page="dashboard")
