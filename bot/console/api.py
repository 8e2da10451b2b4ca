"""The console's JSON API under /api/: what the pages' scripts and integrations call.

Thin: checks the role, parses the body, calls an action. Never writes a table itself and never
returns conversation content except through `actions.read` / `actions.reveal` (audited).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlmodel import col, select

from bot.access import Staff
from bot.actions import auth as auth_actions
from bot.actions import conversations as actions
from bot.actions.conversations import OUTCOMES, Transcript
from bot.core import Core
from bot.errors import ServiceError
from bot.language_routing import reserved_ids
from bot.roles import Capability, can
from bot.service import SERVICE
from bot.store.tables import CannedReply

from . import queries
from .auth import (
    authenticated,
    clear_session_cookie,
    client_address,
    set_session_cookie,
    staff_of,
    staff_with_any,
)

routes = web.RouteTableDef()

MAX_FIELD = 4000


async def json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ServiceError("invalid_json", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ServiceError("invalid_json", "the body must be a JSON object")
    return body


def text_field(
    body: dict[str, Any], name: str, *, required: bool = True, limit: int = MAX_FIELD
) -> str:
    value = body.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ServiceError("invalid_input", f"{name} must be a string")
    if required and not value.strip():
        raise ServiceError("invalid_input", f"{name} is required")
    if len(value) > limit:
        raise ServiceError("invalid_input", f"{name} is at most {limit} characters")
    return value


def int_field(body: dict[str, Any], name: str, default: int | None = None) -> int:
    value = body.get(name, default)
    # bool is an int in Python; `true` is not a number of days.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ServiceError("invalid_input", f"{name} must be a whole number")
    return value


def me_json(request: web.Request) -> dict[str, Any]:
    found = authenticated(request)
    user = found.user
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "queues": list(found.queues),
        "totp_enabled": user.totp_secret is not None,
        "must_change_password": user.must_change_password,
        "csrf_token": found.session.csrf_token,
    }


# ---- sign-in and account --------------------------------------------------------------


@routes.post("/api/login")
async def login(request: web.Request) -> web.Response:
    body = await json_body(request)
    username = text_field(body, "username", limit=100)
    password = text_field(body, "password", limit=1000)
    totp = text_field(body, "totp", required=False, limit=20)
    signed_in = await auth_actions.sign_in(
        request.app[SERVICE].core, username, password, totp, source=client_address(request)
    )
    response = web.json_response({"csrf_token": signed_in.csrf_token, "user_id": signed_in.user_id})
    set_session_cookie(request, response, signed_in.token)
    return response


@routes.post("/api/logout")
async def logout(request: web.Request) -> web.Response:
    authenticated(request)
    from .auth import COOKIE

    await auth_actions.sign_out(request.app[SERVICE].core, request.cookies.get(COOKIE, ""))
    response = web.json_response({"ok": True})
    clear_session_cookie(request, response)
    return response


@routes.post("/api/logout-everywhere")
async def logout_everywhere(request: web.Request) -> web.Response:
    found = authenticated(request)
    await auth_actions.sign_out_everywhere(request.app[SERVICE].core, found.user.id)
    response = web.json_response({"ok": True})
    clear_session_cookie(request, response)
    return response


@routes.get("/api/me")
async def me(request: web.Request) -> web.Response:
    return web.json_response(me_json(request))


@routes.post("/api/me/password")
async def change_password(request: web.Request) -> web.Response:
    found = authenticated(request)
    body = await json_body(request)
    from .auth import COOKIE

    await auth_actions.change_password(
        request.app[SERVICE].core,
        found.user.id,
        text_field(body, "current", limit=1000),
        text_field(body, "new", limit=1000),
        keep_token=request.cookies.get(COOKIE, ""),
    )
    return web.json_response({"ok": True})


@routes.post("/api/me/display-name")
async def display_name(request: web.Request) -> web.Response:
    found = authenticated(request)
    body = await json_body(request)
    name = await auth_actions.set_display_name(
        request.app[SERVICE].core, found.user.id, text_field(body, "display_name", limit=200)
    )
    return web.json_response({"display_name": name})


# ---- queues and conversations ---------------------------------------------------------


@routes.get("/api/queues")
async def list_queues(request: web.Request) -> web.Response:
    staff = staff_with_any(
        request, Capability.WORK_QUEUES, Capability.SEE_ALL_QUEUES, Capability.AUDIT
    )
    core = request.app[SERVICE].core
    async with core.database.session() as session:
        queues = await queries.queues_with_members(session)
        stats = await queries.queue_stats(session, core.now())
    for queue in queues:
        numbers = stats.get(queue["id"])
        queue["waiting"] = numbers.waiting if numbers else 0
        queue["urgent"] = numbers.urgent if numbers else 0
        queue["active_conversations"] = numbers.active if numbers else 0
        queue["longest_wait_seconds"] = numbers.longest_wait_seconds if numbers else 0
        queue["mine"] = queue["id"] in staff.queues or can(staff.role, Capability.SEE_ALL_QUEUES)
    return web.json_response(queues)


@routes.get("/api/conversations")
async def list_conversations(request: web.Request) -> web.Response:
    staff = staff_with_any(
        request, Capability.WORK_QUEUES, Capability.SEE_ALL_QUEUES, Capability.AUDIT
    )
    state = request.query.get("state", "")
    if state and state not in (*queries.STATES, "waiting", "open"):
        raise ServiceError("invalid_input", "unknown state")
    states = {
        "": queries.OPEN,
        "open": queries.OPEN,
        "waiting": queries.WAITING,
    }.get(state, (state,))
    queue = request.query.get("queue") or None
    core = request.app[SERVICE].core
    async with core.database.session() as session:
        found = await queries.list_conversations(session, staff, states=states, queue=queue)
        names = await queries.display_names(session)
        now = core.now()
        reserved = await reserved_ids(
            session,
            (c for c in found if c.state in queries.WAITING),
            staff.user_id,
            now=now,
            minutes=core.settings.language_first_minutes,
        )
    return web.json_response(
        [queries.conversation_summary(c, staff, now, names, reserved) for c in found]
    )


def transcript_json(
    transcript: Transcript, staff: Staff, now: Any, names: dict[str, str]
) -> dict[str, Any]:
    items = {(message, ordinal): item for item, _kind, message, ordinal in transcript.pii_items}
    return {
        "conversation": queries.conversation_summary(transcript.conversation, staff, now, names),
        "messages": [
            {
                "id": m.id,
                "author": m.author,
                "kind": m.kind,
                "text": m.text,
                "placeholders": [
                    {
                        "start": p.start,
                        "end": p.end,
                        "kind": p.kind,
                        "ordinal": p.ordinal,
                        "item": items.get((m.id, p.ordinal)),
                    }
                    for p in m.placeholders
                ],
                "created_at": m.created_at.isoformat(),
                "author_user": m.author_user_id,
                "author_name": names.get(m.author_user_id, "") if m.author_user_id else "",
                "delivered": m.delivered,
                "attachment": (
                    {
                        "id": m.attachment.id,
                        "kind": m.attachment.kind,
                        "size": m.attachment.size,
                        "url": f"/api/conversations/{transcript.conversation.id}"
                        f"/attachments/{m.attachment.id}",
                    }
                    if m.attachment is not None
                    else None
                ),
            }
            for m in transcript.messages
        ],
        "notes": [
            {
                "id": n.id,
                "author": names.get(n.author_user_id, "?"),
                "text": n.text,
                "created_at": n.created_at.isoformat(),
            }
            for n in transcript.notes
        ],
        "outcomes": list(OUTCOMES),
    }


@routes.get("/api/conversations/{id}")
async def get_conversation(request: web.Request) -> web.Response:
    staff = staff_with_any(
        request, Capability.WORK_QUEUES, Capability.SEE_ALL_QUEUES, Capability.AUDIT
    )
    core = request.app[SERVICE].core
    reason = request.query.get("reason", "")[:500]
    transcript = await actions.read(core, staff, request.match_info["id"], reason=reason)
    async with core.database.session() as session:
        names = await queries.display_names(session)
    return web.json_response(transcript_json(transcript, staff, core.now(), names))


async def _conversation_write(
    request: web.Request, *capabilities: Capability
) -> tuple[Staff, str, dict[str, Any]]:
    """Writes on a conversation are queue work; reveal is also open to a privacy officer."""
    staff = staff_with_any(request, *(capabilities or (Capability.WORK_QUEUES,)))
    body = await json_body(request) if request.can_read_body else {}
    return staff, request.match_info["id"], body


def _change_route(name: str, change: Callable[[Core, Staff, str], Awaitable[object]]) -> None:
    """POST /api/conversations/{id}/`name`: a change that needs nothing but the conversation."""

    async def post(request: web.Request) -> web.Response:
        staff, conversation_id, _ = await _conversation_write(request)
        await change(request.app[SERVICE].core, staff, conversation_id)
        return web.json_response({"ok": True, "conversation": conversation_id})

    routes.post(f"/api/conversations/{{id}}/{name}")(post)


def _text_route(
    name: str, write: Callable[[Core, Staff, str, str], Awaitable[str]], answer: str
) -> None:
    """POST /api/conversations/{id}/`name`: a text written into the conversation, answered
    with the id of what was stored under `answer`."""

    async def post(request: web.Request) -> web.Response:
        staff, conversation_id, body = await _conversation_write(request)
        text = text_field(body, "text")
        stored = await write(request.app[SERVICE].core, staff, conversation_id, text)
        return web.json_response({"ok": True, answer: stored})

    routes.post(f"/api/conversations/{{id}}/{name}")(post)


_change_route("claim", actions.claim)
_change_route("release", actions.release)
_text_route("reply", actions.reply, "message")
_text_route("note", actions.note, "note")


@routes.post("/api/conversations/{id}/transfer")
async def transfer(request: web.Request) -> web.Response:
    staff, conversation_id, body = await _conversation_write(request)
    to_queue = text_field(body, "queue", required=False, limit=64) or None
    to_user = text_field(body, "user", required=False, limit=64) or None
    note_text = text_field(body, "note", required=False)
    await actions.transfer(
        request.app[SERVICE].core,
        staff,
        conversation_id,
        to_queue=to_queue,
        to_user=to_user,
        note=note_text,
    )
    return web.json_response({"ok": True, "conversation": conversation_id})


@routes.post("/api/conversations/{id}/close")
async def close(request: web.Request) -> web.Response:
    staff, conversation_id, body = await _conversation_write(request)
    outcome = text_field(body, "outcome", required=False, limit=64) or "advice_given"
    tags = body.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags) or len(tags) > 20:
        raise ServiceError("invalid_input", "tags must be a list of at most 20 strings")
    await actions.close(
        request.app[SERVICE].core, staff, conversation_id, outcome=outcome, tags=tags
    )
    return web.json_response({"ok": True, "conversation": conversation_id})


@routes.post("/api/conversations/{id}/reveal")
async def reveal(request: web.Request) -> web.Response:
    staff, conversation_id, body = await _conversation_write(
        request, Capability.WORK_QUEUES, Capability.READ_WITH_REASON
    )
    item = text_field(body, "item", limit=64)
    reason = text_field(body, "reason", required=False, limit=500)
    value = await actions.reveal(
        request.app[SERVICE].core, staff, conversation_id, item, reason=reason
    )
    return web.json_response({"item": item, "value": value})


@routes.post("/api/conversations/{id}/block")
async def block(request: web.Request) -> web.Response:
    staff = staff_of(request, Capability.BLOCK)
    body = await json_body(request)
    days = int_field(body, "days")
    reason = text_field(body, "reason", required=False, limit=500)
    created = await actions.block(
        request.app[SERVICE].core,
        staff,
        request.match_info["id"],
        days=days,
        reason=reason,
    )
    return web.json_response(
        {"ok": True, "block": created.id, "expires_at": created.expires_at.isoformat()}
    )


@routes.get("/api/canned-replies")
async def canned_replies(request: web.Request) -> web.Response:
    staff_with_any(request, Capability.WORK_QUEUES, Capability.ADMINISTER)
    language = request.query.get("language", "")[:8]
    queue = request.query.get("queue", "")[:64]
    query = select(CannedReply).order_by(col(CannedReply.position), col(CannedReply.title))
    if language:
        query = query.where(CannedReply.language == language)
    if queue:
        query = query.where(
            (col(CannedReply.queue_id).is_(None)) | (col(CannedReply.queue_id) == queue)
        )
    async with request.app[SERVICE].core.database.session() as session:
        found = (await session.execute(query)).scalars().all()
    return web.json_response(
        [
            {
                "id": reply.id,
                "title": reply.title,
                "body": reply.body,
                "language": reply.language,
                "queue": reply.queue_id,
            }
            for reply in found
        ]
    )
