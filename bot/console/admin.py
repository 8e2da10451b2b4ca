"""Admin pages: staff users, queues (languages, topics, opening hours, retention), canned replies,
the document library.

Plain forms posting back here; every change goes through `bot.actions.admin` (audited). Never
shows a password except a freshly made one-time password, once.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Protocol, TypeVar

from aiohttp import web
from multidict import MultiDictProxy

from bot.access import Staff, resident_name
from bot.actions import admin as admin_actions
from bot.actions import auth as auth_actions
from bot.actions import consultations as consultation_actions
from bot.actions import library as library_actions
from bot.actions.admin import AdminError
from bot.actions.users import UserError, create_user
from bot.core import Actor, Core
from bot.errors import ActionError
from bot.hours import OpeningHours
from bot.passwords import one_time_password
from bot.roles import Capability, Role
from bot.service import SERVICE
from bot.store import close_tags as close_tag_store
from bot.store import consultations as consultation_store
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


@dataclass(frozen=True, slots=True)
class AdminForm:
    """A form an administrator posted: the core to change, who changes it, and the fields."""

    request: web.Request
    core: Core
    actor: Actor
    fields: MultiDictProxy[Any]

    def text(self, name: str, limit: int = 4000) -> str:
        return _text(self.fields, name, limit)

    def number(self, name: str, default: int) -> int:
        try:
            return int(self.text(name, 12))
        except ValueError:
            return default

    def checked(self, name: str) -> bool:
        return self.fields.get(name) == "on"

    def choices(self, name: str) -> list[str]:
        return [value for value in self.fields.getall(name, []) if isinstance(value, str)]


async def admin_form(request: web.Request) -> AdminForm:
    """The posted form, once the guard has found an administrator behind it."""
    staff = _admin(request)
    return AdminForm(request, request.app[SERVICE].core, staff.actor(), await request.post())


FormChange = Callable[[AdminForm], Awaitable[object]]


def form_route(path: str, page: FormPage, done: str) -> Callable[[FormChange], FormChange]:
    """Route an admin form posted to `path` to the change the decorated function makes of it,
    through `submit_form` (a refusal shows `page` again, else on to `done`)."""

    def register(change: FormChange) -> FormChange:
        async def post(request: web.Request) -> web.Response:
            return await submit_form(request, change(await admin_form(request)), page, done)

        routes.post(path)(post)
        return change

    return register


Page = TypeVar("Page", bound=FormPage)


def page_route(path: str) -> Callable[[Page], Page]:
    """Route GET `path` to the decorated form page, for administrators only."""

    def register(page: Page) -> Page:
        async def show(request: web.Request) -> web.Response:
            _admin(request)
            return await page(request)

        routes.get(path)(show)
        return page

    return register


@page_route("/console/admin/users")
async def _users_page(
    request: web.Request, *, message: str = "", error: str = "", status: int = 200
) -> web.Response:
    core = request.app[SERVICE].core
    async with core.database.session() as session:
        users = await user_store.all_users(session)
        memberships = {u.id: await user_store.queue_ids(session, u.id) for u in users}
        queues = await queue_store.all_queues(session)
        consultant_accounts = {
            u.id: found
            for u in users
            if u.role == Role.CONSULTANT
            and (found := await consultation_store.account(session, u.id)) is not None
        }
    zone = core.settings.zone
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
        consultant_accounts=consultant_accounts,
        local_date=lambda moment: moment.astimezone(zone).date().isoformat(),
        message=message,
        error=error,
    )


@routes.post("/console/admin/users/{id}/consultant")
async def consultant_account_form(request: web.Request) -> web.Response:
    """A consultant account's organisation and last day (through that day's end, in the
    service's time zone)."""
    form = await admin_form(request)
    core, staff = form.core, _admin(request)
    try:
        last_day = date.fromisoformat(form.text("valid_until", 10))
    except ValueError:
        refused = ActionError("invalid_input", "the end date must be a day")
        return await _users_page(request, error=refusal(request, refused), status=422)
    valid_until = datetime.combine(last_day, time.max, tzinfo=core.settings.zone)
    try:
        await consultation_actions.set_consultant_account(
            core,
            staff,
            request.match_info["id"],
            organisation=form.text("organisation", 200),
            valid_until=valid_until,
        )
    except ActionError as error:
        return await _users_page(request, error=refusal(request, error), status=422)
    raise web.HTTPSeeOther("/console/admin/users")


@routes.post("/console/admin/users")
async def create_user_form(request: web.Request) -> web.Response:
    form = await admin_form(request)
    password = one_time_password()
    username = form.text("username", 100)
    try:
        await create_user(
            form.core,
            form.actor,
            username=username,
            role=Role(form.text("role", 32)),
            password=password,
            queues=form.choices("queues"),
            display_name=form.text("display_name", 60) or None,
            must_change_password=True,
        )
    except (UserError, ValueError) as error:
        return await _users_page(request, error=refusal(request, error), status=422)
    return await _users_page(
        request,
        message=page_text(request, "users.created", name=username, password=password),
    )


@form_route("/console/admin/users/{id}", _users_page, "/console/admin/users")
def update_user_form(form: AdminForm) -> Awaitable[object]:
    return admin_actions.update_user(
        form.core,
        form.actor,
        form.request.match_info["id"],
        role=form.text("role", 32),
        queues=form.choices("queues"),
        active=form.checked("active"),
        totp_enforced=form.checked("totp_enforced"),
        max_concurrent=form.number("max_concurrent", 3),
        languages=form.choices("languages"),
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


@page_route("/console/admin/queues")
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


@routes.post("/console/admin/queues")
async def save_queue_form(request: web.Request) -> web.Response:
    form = await admin_form(request)
    try:
        hours = json.loads(form.text("opening_hours", 20000) or "{}")
        if not isinstance(hours, dict):
            raise ValueError("not an object")
    except ValueError:
        return await _queues_page(
            request, error=page_text(request, "queues.hours_not_object"), status=422
        )
    return await submit_form(
        request,
        admin_actions.save_queue(
            form.core,
            form.actor,
            form.text("id", 64),
            name=form.text("name", 200),
            languages=form.text("languages", 200).replace(" ", "").split(","),
            opening_hours=hours,
            transcript_days=form.number("transcript_days", 30),
            pii_vault_hours=form.number("pii_vault_hours", 24),
            active=form.checked("active"),
            target_minutes=form.number("target_minutes", 0),
            target_percent=form.number("target_percent", 0),
            language_fallback=form.text("language_fallback", 64),
        ),
        _queues_page,
        "/console/admin/queues",
    )


@form_route("/console/admin/topics", _queues_page, "/console/admin/queues")
def save_topic_form(form: AdminForm) -> Awaitable[object]:
    return admin_actions.save_topic(
        form.core,
        form.actor,
        form.text("id", 64),
        queue_id=form.text("queue_id", 64),
        labels={lang: form.text(f"label_{lang}", 100) for lang in LANGUAGES},
        active=form.checked("active"),
    )


@page_route("/console/admin/canned")
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


@form_route("/console/admin/canned", _canned_page, "/console/admin/canned")
def save_canned_form(form: AdminForm) -> Awaitable[object]:
    return admin_actions.save_canned_reply(
        form.core,
        form.actor,
        reply_id=form.text("id", 64) or None,
        language=form.text("language", 8),
        title=form.text("title", 200),
        body=form.text("body"),
        queue_id=form.text("queue_id", 64) or None,
    )


@form_route("/console/admin/canned/{id}/delete", _canned_page, "/console/admin/canned")
def delete_canned_form(form: AdminForm) -> Awaitable[object]:
    return admin_actions.delete_canned_reply(form.core, form.actor, form.request.match_info["id"])


@page_route("/console/admin/library")
async def _library_page(
    request: web.Request, *, error: str = "", status: int = 200
) -> web.Response:
    core = request.app[SERVICE].core
    return render(
        request,
        "admin_library.html",
        status=status,
        page="admin-library",
        documents=await library_actions.published(core),
        languages=LANGUAGES,
        max_megabytes=max(1, core.settings.attachment_max_bytes // (1024 * 1024)),
        error=error,
    )


# Publishing goes through the page's script to POST /api/admin/library: the file is the
# request body there, beyond the size a posted form may have.


@form_route("/console/admin/library/{id}/withdraw", _library_page, "/console/admin/library")
def withdraw_document_form(form: AdminForm) -> Awaitable[object]:
    return library_actions.withdraw(form.core, form.actor, form.request.match_info["id"])


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
