"""Blocks of residents' pseudonyms: the list, and lifting one; creating is on the conversation.

Shows ids and times only: never the pseudonym in full or the sealed reason (the redacted
reason is in the audit trail, for the privacy officer). Never shows or lifts a block of a queue
the user does not work in (`context.block_queues_visible`, `context.may_lift_block`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web
from sqlmodel import col, select

from bot.access import Staff, block_queues_visible, may_lift_block
from bot.actions import conversations as actions
from bot.roles import Capability
from bot.service import SERVICE
from bot.store.tables import Block

from . import queries
from .auth import staff_with_any
from .pages import render

routes = web.RouteTableDef()
MAX_BLOCKS = 200


async def block_rows(request: web.Request, staff: Staff) -> list[dict[str, Any]]:
    """The newest blocks of the queues `staff` may see, each with whether they may lift it."""
    core = request.app[SERVICE].core
    now = core.now()
    visible = block_queues_visible(staff)
    query = select(Block).order_by(col(Block.created_at).desc())
    if visible is not None:
        # Filtered in SQL, so that another queue's blocks cannot crowd out this one's.
        query = query.where(col(Block.queue_id).in_(sorted(visible)))
    async with core.database.session() as session:
        found = (await session.execute(query.limit(MAX_BLOCKS))).scalars().all()
        queues = await actions.block_queues(session, [block.id for block in found])
        names = await queries.display_names(session)
    return [
        {
            "id": block.id,
            "queue": queues.get(block.id) or None,
            # A short prefix lets staff see that two blocks hit the same resident, no more.
            "resident": block.pseudonym[:8],
            "created_by": names.get(block.created_by, "?"),
            "created_at": block.created_at.isoformat(),
            "expires_at": block.expires_at.isoformat(),
            "lifted_at": block.lifted_at.isoformat() if block.lifted_at else None,
            "active": block.lifted_at is None and block.expires_at > now,
            "may_lift": may_lift_block(staff, queues.get(block.id, "")),
        }
        for block in found
    ]


@routes.get("/api/blocks")
async def list_blocks(request: web.Request) -> web.Response:
    staff = staff_with_any(request, Capability.BLOCK, Capability.AUDIT)
    return web.json_response(await block_rows(request, staff))


@routes.post("/api/blocks/{id}/lift")
async def lift_block(request: web.Request) -> web.Response:
    staff = staff_with_any(request, Capability.BLOCK)
    await actions.unblock(request.app[SERVICE].core, staff, request.match_info["id"])
    return web.json_response({"ok": True})


@routes.get("/console/blocks")
async def blocks_page(request: web.Request) -> web.Response:
    staff = staff_with_any(request, Capability.BLOCK, Capability.AUDIT)
    # Times as datetimes for the page's `format_moment`; the API keeps the ISO text.
    blocks = [
        {
            **row,
            "created": datetime.fromisoformat(row["created_at"]),
            "expires": datetime.fromisoformat(row["expires_at"]),
        }
        for row in await block_rows(request, staff)
    ]
    return render(request, "blocks.html", page="blocks", blocks=blocks)


@routes.post("/console/blocks/{id}/lift")
async def lift_block_form(request: web.Request) -> web.StreamResponse:
    staff = staff_with_any(request, Capability.BLOCK)
    await actions.unblock(request.app[SERVICE].core, staff, request.match_info["id"])
    raise web.HTTPSeeOther("/console/blocks")
