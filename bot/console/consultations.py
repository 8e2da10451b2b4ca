"""The consultation endpoints: consultant accounts (admins), invitations and their end (the
counsellor), and the consultant's own view (only after the resident's yes, from then on).

Every read and write goes through `bot/actions/consultations.py`, which checks access and
audits; handlers only parse and answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from bot.access import Staff
from bot.actions import consultations as consult
from bot.errors import ServiceError
from bot.roles import Capability, Role
from bot.service import SERVICE
from bot.store.consultations import Consultation

from .api import json_body, text_field
from .auth import staff_of
from .pages import render

routes = web.RouteTableDef()


def consultation_json(row: Consultation) -> dict[str, Any]:
    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment is not None else None

    return {
        "id": row.id,
        "conversation": row.conversation_id,
        "consultant": row.consultant_id,
        "organisation": row.organisation,
        "purpose": row.purpose,
        "state": row.state,
        "ended_by": row.ended_by,
        "invited_at": row.invited_at.isoformat(),
        "joined_at": when(row.joined_at),
        "ended_at": when(row.ended_at),
    }


def _consultant_json(found: consult.Consultant) -> dict[str, Any]:
    return {
        "id": found.user_id,
        "display_name": found.display_name,
        "organisation": found.organisation,
        "valid_until": found.valid_until.isoformat(),
    }


def _consultant(request: web.Request) -> Staff:
    staff = staff_of(request)
    if staff.role is not Role.CONSULTANT:
        raise ServiceError("forbidden", "your role does not allow this")
    return staff


@routes.get("/console/consultations")
async def consultations_page(request: web.Request) -> web.Response:
    _consultant(request)
    return render(request, "consultations.html", page="consultations")


@routes.put("/api/admin/users/{id}/consultant")
async def save_consultant_account(request: web.Request) -> web.Response:
    admin = staff_of(request, Capability.ADMINISTER)
    body = await json_body(request)
    organisation = text_field(body, "organisation", limit=consult.MAX_ORGANISATION_CHARS)
    try:
        valid_until = datetime.fromisoformat(text_field(body, "valid_until", limit=64))
    except ValueError:
        raise ServiceError("invalid_input", "valid_until must be an ISO date and time") from None
    saved = await consult.set_consultant_account(
        request.app[SERVICE].core,
        admin,
        request.match_info["id"],
        organisation=organisation,
        valid_until=valid_until,
    )
    return web.json_response(_consultant_json(saved))


@routes.get("/api/consultants")
async def invitable_consultants(request: web.Request) -> web.Response:
    found = await consult.consultants(request.app[SERVICE].core, staff_of(request))
    return web.json_response([_consultant_json(c) for c in found])


@routes.get("/api/conversations/{id}/consultants")
async def conversation_consultations(request: web.Request) -> web.Response:
    core = request.app[SERVICE].core
    rows = await consult.of_conversation(core, staff_of(request), request.match_info["id"])
    return web.json_response([consultation_json(row) for row in rows])


@routes.post("/api/conversations/{id}/consultants")
async def invite_consultant(request: web.Request) -> web.Response:
    staff = staff_of(request)
    body = await json_body(request)
    row = await consult.invite(
        request.app[SERVICE].core,
        staff,
        request.match_info["id"],
        consultant_id=text_field(body, "consultant", limit=64),
        purpose=text_field(body, "purpose", limit=32),
    )
    return web.json_response(consultation_json(row), status=201)


@routes.delete("/api/conversations/{id}/consultants/{consultation}")
async def remove_consultant(request: web.Request) -> web.Response:
    await consult.remove(
        request.app[SERVICE].core,
        staff_of(request),
        request.match_info["id"],
        request.match_info["consultation"],
    )
    return web.json_response({"ok": True})


@routes.post("/api/conversations/{id}/consultants/{consultation}/share")
async def share_earlier(request: web.Request) -> web.Response:
    staff = staff_of(request)
    body = await json_body(request)
    messages = body.get("messages")
    if not isinstance(messages, list) or not all(
        isinstance(m, str) and 0 < len(m) <= 64 for m in messages
    ):
        raise ServiceError("invalid_input", "messages must be a list of message ids")
    shared = await consult.share(
        request.app[SERVICE].core,
        staff,
        request.match_info["id"],
        request.match_info["consultation"],
        messages,
    )
    return web.json_response({"ok": True, "shared": shared})


@routes.get("/api/consultations")
async def my_consultations(request: web.Request) -> web.Response:
    rows = await consult.mine(request.app[SERVICE].core, _consultant(request))
    return web.json_response([consultation_json(row) for row in rows])


@routes.get("/api/consultations/{consultation}")
async def consultation_transcript(request: web.Request) -> web.Response:
    staff = _consultant(request)
    core = request.app[SERVICE].core
    view = await consult.read(core, staff, request.match_info["consultation"])
    messages = [
        {
            "id": m.id,
            "author": m.author,
            "kind": m.kind,
            "text": m.text,
            "created_at": m.created_at.isoformat(),
            "shared": m.id in view.shared,
        }
        for m in view.messages
    ]
    return web.json_response(
        {"consultation": consultation_json(view.consultation), "messages": messages}
    )


@routes.post("/api/consultations/{consultation}/reply")
async def consultation_reply(request: web.Request) -> web.Response:
    staff = _consultant(request)
    body = await json_body(request)
    stored = await consult.reply(
        request.app[SERVICE].core,
        staff,
        request.match_info["consultation"],
        text_field(body, "text"),
    )
    return web.json_response({"ok": True, "message": stored})
