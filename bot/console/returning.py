"""A returning resident's earlier conversations in the console: listed (dates and topics) and
opened read-only, only when the resident agreed (bot/actions/returning.py audits each read)."""

from __future__ import annotations

from aiohttp import web

from bot.actions import returning as returning_actions
from bot.roles import Capability
from bot.service import SERVICE

from . import queries
from .api import transcript_json
from .auth import staff_with_any

routes = web.RouteTableDef()


@routes.get("/api/conversations/{id}/earlier")
async def earlier_conversations(request: web.Request) -> web.Response:
    staff = staff_with_any(request, Capability.WORK_QUEUES)
    core = request.app[SERVICE].core
    found = await returning_actions.earlier_conversations(core, staff, request.match_info["id"])
    return web.json_response(
        {
            "agreed": found.agreed,
            "conversations": [
                {
                    "id": e.id,
                    "created_at": e.created_at.isoformat(),
                    "closed_at": e.closed_at.isoformat() if e.closed_at else None,
                    "queue": e.queue_id,
                    "topic": e.topic_id,
                    "outcome": e.outcome,
                }
                for e in found.earlier
            ],
        }
    )


@routes.get("/api/conversations/{id}/earlier/{earlier}")
async def earlier_transcript(request: web.Request) -> web.Response:
    staff = staff_with_any(request, Capability.WORK_QUEUES)
    core = request.app[SERVICE].core
    transcript = await returning_actions.read_earlier(
        core, staff, request.match_info["id"], request.match_info["earlier"]
    )
    async with core.database.session() as session:
        names = await queries.display_names(session)
    return web.json_response(transcript_json(transcript, staff, core.now(), names))
