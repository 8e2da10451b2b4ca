"""Admin pages: staff users, queues (languages, topics, opening hours, retention), canned replies.

Plain forms posting back here; every change goes through `bot.actions.admin` (audited). Never
shows a password except a freshly made one-time password, once.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable
from typing import Any, Protocol

from aiohttp import web
from multidict import MultiDictProxy

from bot.access import Staff, resident_name
from bot.actions import admin as admin_actions
from bot.actions import auth as auth_actions
from bot.actions.admin import AdminError
from bot.actions.users import UserError, create_user
from bot.hours import OpeningHours
from bot.passwords import one_time_password
from bot.roles import Capability, Role
from bot.service import SERVICE
from bot.store import close_tags as close_tag_store
from bot.store import queues as queue_store
from bot.store import users as user_store
from bot.texts import LANGUAGES

from .auth import staff_of
from .pages import page_text, refusal, render
from .queries import canned_replies

routes = web.RouteTableDef()


def _admin(request: web.Request) -> Staff:
    return staff_of(request, Capability.ADMINISTER)


class FormPage(Protocol):
    """A form's page, shown again with why a submission was refused."""

    async def __call__(
        self, request: web.Request, *, error: str = "", status: int = 200
    ) -> web.Response: ...


async def submit_form(
    request: web.Request, change: Awaitable[object], page: FormPage, done: str
) -> web.Response:
    """Run a form's change; on an admin refusal show the form's page again with why (422),
    else go on to `done`. Any other refusal (role, session) goes to the console guard."""
    try:
        await change
    except AdminError as error:
        return await page(request, error=refusal(request, error), status=422)
    raise web.HTTPSeeOther(done)


def _text(form: MultiDictProxy[Any], name: str, limit: int = 4000) -> str:
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def _int(form: MultiDictProxy[Any], name: str, default: int) -> int:
    try:
        return int(_text(form, name, 12))
    except ValueError:
        return default


async def _users_page(
    request: web.Request, *, message: str = "", error: str = "", status: int = 200
) -> web.Response:
    core = request.app[SERVICE].core
    async with core.database.session() as session:
        users = await user_store.all_users(session)
        memberships = {u.id: await user_store.queue_ids(session, u.id) for u in users}
        queues = await queue_store.all_queues(session)
    return render(
        request,
        "admin_users.html",
        status=status,
        page="admin-users",
        users=users,
        memberships=memberships,
        # Admins see both the login and what residents see ("" = the neutral word).
        resident_names={u.id: resident_name(u) for u in users},
        queues=queues,
        roles=[r.value for r in Role],
        languages=LANGUAGES,
        message=message,
        error=error,
    )


@routes.get("/console/admin/users")
async def users_page(request: web.Request) -> web.Response:
    _admin(request)
    return await _users_page(request)


@routes.post("/console/admin/users")
async def create_user_form(request: web.Request) -> web.Response:
    staff = _admin(request)
    form = await request.post()
    password = one_time_password()
    username = _text(form, "username", 100)
    try:
        await create_user(
            request.app[SERVICE].core,
            staff.actor(),
            username=username,
            role=Role(_text(form, "role", 32)),
            password=password,
            queues=[q for q in form.getall("queues", []) if isinstance(q, str)],
            display_name=_text(form, "display_name", 60) or None,
            must_change_password=True,
        )
    except (UserError, ValueError) as error:
        return await _users_page(request, error=refusal(request, error), status=422)
    return await _users_page(
        request,
        message=page_text(request, "users.created", name=username, password=password),
    )


@routes.post("/console/admin/users/{id}")
async def update_user_form(request: web.Request) -> web.Response:
    staff = _admin(request)
    form = await request.post()
    return await submit_form(
        request,
        admin_actions.update_user(
            request.app[SERVICE].core,
            staff.actor(),
            request.match_info["id"],
            role=_text(form, "role", 32),
            queues=[q for q in form.getall("queues", []) if isinstance(q, str)],
            active=form.get("active") == "on",
            totp_enforced=form.get("totp_enforced") == "on",
            max_concurrent=_int(form, "max_concurrent", 3),
            languages=[code for code in form.getall("languages", []) if isinstance(code, str)],
        ),
        _users_page,
        "/console/admin/users",
    )


@routes.post("/console/admin/users/{id}/reset-password")
async def reset_password_form(request: web.Request) -> web.Response:
    staff = _admin(request)
    try:
        password = await admin_actions.reset_password(
            request.app[SERVICE].core, staff.actor(), request.match_info["id"]
        )
    except AdminError as error:
        return await _users_page(request, error=refusal(request, error), status=422)
    return await _users_page(
        request, message=page_text(request, "users.password_reset", password=password)
    )


async def _queues_page(request: web.Request, *, error: str = "", status: int = 200) -> web.Response:
    async with request.app[SERVICE].core.database.session() as session:
        queues = await queue_store.all_queues(session)
        topics = await queue_store.all_topics(session, active_only=False)
        close_tags = await close_tag_store.all_tags(session)
    return render(
        request,
        "admin_queues.html",
        status=status,
        page="admin-queues",
        queues=queues,
        topics=topics,
        close_tags=close_tags,
        hours_json={
            q.id: json.dumps(q.opening_hours or OpeningHours.always().to_json(), indent=2)
            for q in queues
        },
        languages=LANGUAGES,
        error=error,
    )


@routes.get("/console/admin/queues")
async def queues_page(request: web.Request) -> web.Response:
    _admin(request)
    return await _queues_page(request)


@routes.post("/console/admin/queues")
async def save_queue_form(request: web.Request) -> web.Response:
    staff = _admin(request)
    form = await request.post()
    try:
        hours = json.loads(_text(form, "opening_hours", 20000) or "{}")
        if not isinstance(hours, dict):
            raise ValueError("not an object")
    except ValueError:
        return await _queues_page(
            request, error=page_text(request, "queues.hours_not_object"), status=422
        )
    return await submit_form(
        request,
        admin_actions.save_queue(
            request.app[SERVICE].core,
            staff.actor(),
            _text(form, "id", 64),
            name=_text(form, "name", 200),
            languages=_text(form, "languages", 200).replace(" ", "").split(","),
            opening_hours=hours,
            transcript_days=_int(form, "transcript_days", 30),
            pii_vault_hours=_int(form, "pii_vault_hours", 24),
            active=form.get("active") == "on",
            target_minutes=_int(form, "target_minutes", 0),
            target_percent=_int(form, "target_percent", 0),
            language_fallback=_text(form, "language_fallback", 64),
        ),
        _queues_page,
        "/console/admin/queues",
    )


@routes.post("/console/admin/topics")
async def save_topic_form(request: web.Request) -> web.Response:
    staff = _admin(request)
    form = await request.post()
    labels = {lang: _text(form, f"label_{lang}", 100) for lang in LANGUAGES}
    return await submit_form(
        request,
        admin_actions.save_topic(
            request.app[SERVICE].core,
            staff.actor(),
            _text(form, "id", 64),
            queue_id=_text(form, "queue_id", 64),
            labels=labels,
            active=form.get("active") == "on",
        ),
        _queues_page,
        "/console/admin/queues",
    )


async def _canned_page(request: web.Request, *, error: str = "", status: int = 200) -> web.Response:
    async with request.app[SERVICE].core.database.session() as session:
        replies = await canned_replies(session)
        queues = await queue_store.all_queues(session)
    return render(
        request,
        "admin_canned.html",
        status=status,
        page="admin-canned",
        replies=replies,
        queues=queues,
        languages=LANGUAGES,
        error=error,
    )


@routes.get("/console/admin/canned")
async def canned_page(request: web.Request) -> web.Response:
    _admin(request)
    return await _canned_page(request)


@routes.post("/console/admin/canned")
async def save_canned_form(request: web.Request) -> web.Response:
    staff = _admin(request)
    form = await request.post()
    return await submit_form(
        request,
        admin_actions.save_canned_reply(
            request.app[SERVICE].core,
            staff.actor(),
            reply_id=_text(form, "id", 64) or None,
            language=_text(form, "language", 8),
            title=_text(form, "title", 200),
            body=_text(form, "body"),
            queue_id=_text(form, "queue_id", 64) or None,
        ),
        _canned_page,
        "/console/admin/canned",
    )


@routes.post("/console/admin/canned/{id}/delete")
async def delete_canned_form(request: web.Request) -> web.Response:
    staff = _admin(request)
    return await submit_form(
        request,
        admin_actions.delete_canned_reply(
            request.app[SERVICE].core, staff.actor(), request.match_info["id"]
        ),
        _canned_page,
        "/console/admin/canned",
    )


# ---- locked sign-ins (supervisors: their queues' counsellors; admins: everyone) ------------


@routes.get("/console/users/locked")
async def locked_page(request: web.Request) -> web.Response:
    staff = staff_of(request)
    locked = await auth_actions.locked_accounts(request.app[SERVICE].core, staff)
    return render(request, "locked_accounts.html", page="locked-accounts", locked=locked)


@routes.post("/console/users/{id}/unlock")
async def unlock_form(request: web.Request) -> web.Response:
    staff = staff_of(request)
    await auth_actions.unlock(request.app[SERVICE].core, staff, request.match_info["id"])
    raise web.HTTPSeeOther("/console/users/locked")
