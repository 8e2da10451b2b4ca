"""The admin JSON API under /api/admin/: staff users, queues, topics and canned replies.

The same writes as the admin pages, for scripts and integrations: each goes through
`bot.actions.admin` / `bot.actions.users` (one transaction, audited). Never returns a password
hash or an authenticator secret, and shows a one-time password only in the answer that made it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.access import Staff
from bot.actions import admin as admin_actions
from bot.actions import auth as auth_actions
from bot.actions.auth import LockedAccount
from bot.actions.users import create_user
from bot.core import Actor, Core
from bot.errors import ServiceError
from bot.passwords import one_time_password
from bot.roles import Capability, Role
from bot.service import SERVICE
from bot.store import queues as queue_store
from bot.store import users as user_store
from bot.store.tables import CannedReply, Queue, StaffUser, Topic

from .api import int_field, json_body, text_field
from .auth import staff_of
from .queries import canned_replies

routes = web.RouteTableDef()


def _admin(request: web.Request) -> Staff:
    return staff_of(request, Capability.ADMINISTER)


async def _admin_body(request: web.Request) -> tuple[Core, Actor, dict[str, Any]]:
    """The core to change, the administrator changing it, and the JSON they sent."""
    staff = _admin(request)
    return request.app[SERVICE].core, staff.actor(), await json_body(request)


def _bool(body: dict[str, Any], name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise ServiceError("invalid_input", f"{name} must be true or false")
    return value


def _strings(body: dict[str, Any], name: str, default: list[str], limit: int = 50) -> list[str]:
    value = body.get(name, default)
    if (
        not isinstance(value, list)
        or len(value) > limit
        or not all(isinstance(item, str) and len(item) <= 64 for item in value)
    ):
        raise ServiceError("invalid_input", f"{name} must be a list of short strings")
    return list(value)


def _labels(body: dict[str, Any]) -> dict[str, str]:
    value = body.get("labels")
    if (
        not isinstance(value, dict)
        or len(value) > 20
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    ):
        raise ServiceError("invalid_input", "labels must map language codes to texts")
    return {k: v[:100] for k, v in value.items()}


def user_json(user: StaffUser, queues: list[str]) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "queues": queues,
        "active": user.active,
        "totp_enabled": user.totp_secret is not None,
        "totp_enforced": user.totp_enforced,
        "must_change_password": user.must_change_password,
        "max_concurrent": user.max_concurrent,
        "languages": list(user.languages),
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
    }


def queue_json(queue: Queue, topics: list[Topic]) -> dict[str, Any]:
    return {
        "id": queue.id,
        "name": queue.name,
        "languages": list(queue.languages),
        "opening_hours": dict(queue.opening_hours),
        "transcript_days": queue.transcript_days,
        "pii_vault_hours": queue.pii_vault_hours,
        "target_minutes": queue.target_minutes,
        "target_percent": queue.target_percent,
        "language_fallback": queue.language_fallback,
        "active": queue.active,
        "topics": [
            {"id": t.id, "labels": dict(t.labels), "active": t.active}
            for t in topics
            if t.queue_id == queue.id
        ],
    }


def canned_json(reply: CannedReply) -> dict[str, Any]:
    return {
        "id": reply.id,
        "title": reply.title,
        "body": reply.body,
        "language": reply.language,
        "queue": reply.queue_id,
    }


# ---- users ---------------------------------------------------------------------------------


async def _user_answer(request: web.Request, user_id: str, **extra: Any) -> web.Response:
    async with request.app[SERVICE].core.database.session() as session:
        user = await user_store.by_id(session, user_id)
        if user is None:
            raise ServiceError("not_found", "no such user")
        queues = await user_store.queue_ids(session, user.id)
    return web.json_response({**user_json(user, queues), **extra})


@routes.get("/api/admin/users")
async def list_users(request: web.Request) -> web.Response:
    _admin(request)
    async with request.app[SERVICE].core.database.session() as session:
        users = await user_store.all_users(session)
        answer = [user_json(u, await user_store.queue_ids(session, u.id)) for u in users]
    return web.json_response(answer)


@routes.post("/api/admin/users")
async def create_user_json(request: web.Request) -> web.Response:
    core, actor, body = await _admin_body(request)
    username = text_field(body, "username", limit=100)
    try:
        role = Role(text_field(body, "role", limit=32))
    except ValueError:
        raise ServiceError("invalid_input", "unknown role") from None
    password = one_time_password()
    user = await create_user(
        core,
        actor,
        username=username,
        role=role,
        password=password,
        queues=_strings(body, "queues", []),
        display_name=text_field(body, "display_name", required=False, limit=60) or None,
        must_change_password=True,
    )
    return await _user_answer(request, user.id, one_time_password=password)


@routes.put("/api/admin/users/{id}")
async def update_user_json(request: web.Request) -> web.Response:
    core, actor, body = await _admin_body(request)
    user_id = request.match_info["id"]
    async with core.database.session() as session:
        user = await user_store.by_id(session, user_id)
        current = await user_store.queue_ids(session, user_id) if user else []
    if user is None:
        raise ServiceError("not_found", "no such user")
    # Fields left out keep their value: a script may change one setting alone.
    await admin_actions.update_user(
        core,
        actor,
        user_id,
        role=text_field(body, "role", required=False, limit=32) or user.role,
        queues=_strings(body, "queues", current),
        active=_bool(body, "active", user.active),
        totp_enforced=_bool(body, "totp_enforced", user.totp_enforced),
        max_concurrent=int_field(body, "max_concurrent", user.max_concurrent),
        languages=_strings(body, "languages", list(user.languages)),
    )
    return await _user_answer(request, user_id)


@routes.post("/api/admin/users/{id}/reset-password")
async def reset_password_json(request: web.Request) -> web.Response:
    staff = _admin(request)
    password = await admin_actions.reset_password(
        request.app[SERVICE].core, staff.actor(), request.match_info["id"]
    )
    return web.json_response({"one_time_password": password})


# ---- queues and topics ---------------------------------------------------------------------


async def _queues(request: web.Request) -> list[dict[str, Any]]:
    async with request.app[SERVICE].core.database.session() as session:
        queues = await queue_store.all_queues(session)
        topics = await queue_store.all_topics(session, active_only=False)
    return [queue_json(q, topics) for q in queues]


@routes.get("/api/admin/queues")
async def list_queues(request: web.Request) -> web.Response:
    _admin(request)
    return web.json_response(await _queues(request))


@routes.put("/api/admin/queues/{id}")
async def save_queue_json(request: web.Request) -> web.Response:
    """Create or replace a queue; the opening hours are checked before anything is stored."""
    core, actor, body = await _admin_body(request)
    hours = body.get("opening_hours", {})
    if not isinstance(hours, dict):
        raise ServiceError("invalid_input", "opening_hours must be a JSON object")
    queue = await admin_actions.save_queue(
        core,
        actor,
        request.match_info["id"],
        name=text_field(body, "name", limit=200),
        languages=_strings(body, "languages", []),
        opening_hours=hours,
        transcript_days=int_field(body, "transcript_days", 30),
        pii_vault_hours=int_field(body, "pii_vault_hours", 24),
        active=_bool(body, "active", True),
        target_minutes=int_field(body, "target_minutes", 0),
        target_percent=int_field(body, "target_percent", 0),
        language_fallback=text_field(body, "language_fallback", required=False, limit=64),
    )
    return web.json_response(next(q for q in await _queues(request) if q["id"] == queue.id))


@routes.put("/api/admin/topics/{id}")
async def save_topic_json(request: web.Request) -> web.Response:
    core, actor, body = await _admin_body(request)
    await admin_actions.save_topic(
        core,
        actor,
        request.match_info["id"],
        queue_id=text_field(body, "queue", limit=64),
        labels=_labels(body),
        active=_bool(body, "active", True),
    )
    async with core.database.session() as session:
        topic = await session.get(Topic, request.match_info["id"].strip().lower())
    if topic is None:  # pragma: no cover - the action has just stored it
        raise ServiceError("not_found", "no such topic")
    return web.json_response(
        {
            "id": topic.id,
            "queue": topic.queue_id,
            "labels": dict(topic.labels),
            "active": topic.active,
        }
    )


# ---- canned replies ------------------------------------------------------------------------


@routes.get("/api/admin/canned-replies")
async def list_canned(request: web.Request) -> web.Response:
    _admin(request)
    async with request.app[SERVICE].core.database.session() as session:
        replies = await canned_replies(session)
    return web.json_response([canned_json(r) for r in replies])


async def _save_canned(request: web.Request, reply_id: str | None) -> web.Response:
    core, actor, body = await _admin_body(request)
    if reply_id is not None:
        async with core.database.session() as session:
            if await session.get(CannedReply, reply_id) is None:
                raise ServiceError("not_found", "no such canned reply")
    saved = await admin_actions.save_canned_reply(
        core,
        actor,
        reply_id=reply_id,
        language=text_field(body, "language", limit=8),
        title=text_field(body, "title", limit=200),
        body=text_field(body, "body"),
        queue_id=text_field(body, "queue", required=False, limit=64) or None,
    )
    async with core.database.session() as session:
        reply = await session.get(CannedReply, saved)
    if reply is None:  # pragma: no cover - the action has just stored it
        raise ServiceError("not_found", "no such canned reply")
    return web.json_response(canned_json(reply))


@routes.post("/api/admin/canned-replies")
async def create_canned(request: web.Request) -> web.Response:
    return await _save_canned(request, None)


@routes.put("/api/admin/canned-replies/{id}")
async def update_canned(request: web.Request) -> web.Response:
    return await _save_canned(request, request.match_info["id"])


@routes.delete("/api/admin/canned-replies/{id}")
async def delete_canned(request: web.Request) -> web.Response:
    staff = _admin(request)
    await admin_actions.delete_canned_reply(
        request.app[SERVICE].core, staff.actor(), request.match_info["id"]
    )
    return web.json_response({"ok": True})


# ---- locked sign-ins (supervisors: their queues' counsellors; admins: everyone) ------------


def locked_json(account: LockedAccount) -> dict[str, Any]:
    return {
        "id": account.user_id,
        "username": account.username,
        "display_name": account.display_name,
        "role": account.role,
        "queues": list(account.queues),
        "locked_until": account.locked_until.isoformat(),
        "everywhere": account.everywhere,
        "addresses": account.addresses,
    }


@routes.get("/api/users/locked")
async def list_locked(request: web.Request) -> web.Response:
    staff = staff_of(request)
    locked = await auth_actions.locked_accounts(request.app[SERVICE].core, staff)
    return web.json_response([locked_json(account) for account in locked])


@routes.post("/api/users/{id}/unlock")
async def unlock_user(request: web.Request) -> web.Response:
    staff = staff_of(request)
    await auth_actions.unlock(request.app[SERVICE].core, staff, request.match_info["id"])
    return web.json_response({"ok": True})
