"""The privacy officer's view of the audit trail: recent records with filters, chain check.

Read-only: never edits a record; shows ids, roles, actions and reasons (which hold no
personal data by construction), never conversation content.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web
from sqlmodel import col, select

from bot.errors import ServiceError
from bot.roles import Capability
from bot.service import SERVICE
from bot.store.tables import AuditRow
from privacy.audit import AuditAction

from . import queries
from .audit_job import VERIFICATION
from .auth import staff_of
from .pages import render

routes = web.RouteTableDef()
MAX_ROWS = 500
PAGE_WAIT_S = 0.5
"""How long the audit page waits for the chain's verdict before it shows the progress
instead (its script then follows the job and shows the verdict when it comes)."""


def _filters(request: web.Request) -> dict[str, str]:
    return {
        name: request.query.get(name, "").strip()[:128]
        for name in ("action", "actor", "conversation")
    }


async def audit_rows(request: web.Request) -> list[dict[str, Any]]:
    filters = _filters(request)
    if filters["action"] and filters["action"] not in {a.value for a in AuditAction}:
        raise ServiceError("invalid_input", "unknown action")
    try:
        limit = max(1, min(MAX_ROWS, int(request.query.get("limit", "100"))))
    except ValueError:
        raise ServiceError("invalid_input", "limit must be a number") from None
    query = select(AuditRow).order_by(col(AuditRow.seq).desc()).limit(limit)
    if filters["action"]:
        query = query.where(AuditRow.action == filters["action"])
    if filters["actor"]:
        query = query.where(AuditRow.actor_id == filters["actor"])
    if filters["conversation"]:
        query = query.where(AuditRow.subject_ref == filters["conversation"])
    async with request.app[SERVICE].core.database.session() as session:
        rows = (await session.execute(query)).scalars().all()
        names = await queries.display_names(session)
    return [
        {
            "seq": row.seq,
            "at": row.at.isoformat(),
            "actor": row.actor_id,
            "actor_name": names.get(row.actor_id, ""),
            "role": row.actor_role,
            "action": row.action,
            "object_type": row.object_type,
            "object_id": row.object_id,
            "subject": row.subject_ref,
            "purpose": row.purpose,
            "outcome": row.outcome,
        }
        for row in rows
    ]


async def chain_status(request: web.Request) -> dict[str, Any]:
    """The verdict on the whole chain; joins the verification already running, if any.

    The reading and hashing run in worker processes (`audit_job`): however long the trail,
    the event loop only waits, and other requests are served meanwhile.
    """
    return await request.app[VERIFICATION].result(request.app[SERVICE].core)


@routes.get("/api/audit")
async def audit_api(request: web.Request) -> web.Response:
    staff_of(request, Capability.AUDIT)
    return web.json_response(await audit_rows(request))


@routes.get("/api/audit/verify")
async def audit_verify_api(request: web.Request) -> web.Response:
    staff_of(request, Capability.AUDIT)
    return web.json_response(await chain_status(request))


@routes.get("/api/audit/verify/progress")
async def audit_verify_progress_api(request: web.Request) -> web.Response:
    staff_of(request, Capability.AUDIT)
    return web.json_response(request.app[VERIFICATION].progress())


@routes.get("/console/audit")
async def audit_page(request: web.Request) -> web.Response:
    staff_of(request, Capability.AUDIT)
    # The page prints each record's time in the console language and the service's zone;
    # the API keeps the ISO text.
    rows = [
        {**row, "moment": datetime.fromisoformat(row["at"])} for row in await audit_rows(request)
    ]
    verification = request.app[VERIFICATION]
    chain = await verification.result_within(request.app[SERVICE].core, PAGE_WAIT_S)
    return render(
        request,
        "audit.html",
        page="audit",
        rows=rows,
        chain=chain,
        progress=verification.progress(),
        filters=_filters(request),
        actions=[a.value for a in AuditAction],
    )
