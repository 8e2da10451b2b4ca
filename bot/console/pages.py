"""Server-rendered console pages (jinja2, autoescaped): sign-in, queue board, conversation, profile.

Pages carry no conversation content: their script fetches it through the audited API. Never
renders a template without autoescape, and never inlines a script or a style (strict CSP).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from multidict import MultiDictProxy

from bot.access import resident_name
from bot.actions import auth as auth_actions
from bot.actions.auth import AuthError
from bot.actions.conversations import OUTCOMES
from bot.config import DEFAULT_TIME_ZONE
from bot.consultations import PURPOSES
from bot.core import Core
from bot.roles import Capability, Role, can
from bot.service import SERVICE

from .auth import (
    AUTH,
    COOKIE,
    ConsoleError,
    authenticated,
    clear_session_cookie,
    client_address,
    set_session_cookie,
    staff_of,
    staff_with_any,
)
from .qr import qr_svg
from .texts import (
    CONSOLE_LANGUAGES,
    FALLBACK,
    console_texts,
    format_moment,
    format_number,
    language_choice,
    language_name,
    locale_of,
)

routes = web.RouteTableDef()
# ?saved= after a profile change, and the text key that confirms it.
SAVED = {
    "name": "profile.saved_name",
    "password": "profile.saved_password",
    "totp": "profile.saved_totp",
    "totp-off": "profile.saved_totp_off",
    "language": "profile.saved_language",
}
TEMPLATES = Path(__file__).parent / "templates"
JINJA = web.AppKey("console_jinja", jinja2.Environment)


def make_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def nav_for(role: str) -> list[tuple[str, str]]:
    """(path, text key) of the pages a role may open."""
    items: list[tuple[str, str]] = []
    if can(role, Capability.WORK_QUEUES) or can(role, Capability.SEE_ALL_QUEUES):
        items.append(("/console/queues", "nav.queues"))
    if can(role, Capability.WORK_QUEUES):
        items.append(("/console/groups", "nav.groups"))
    if can(role, Capability.DASHBOARD):
        items.append(("/console/dashboard", "nav.dashboard"))
        items.append(("/console/reports", "nav.reports"))
    if can(role, Capability.BLOCK) or can(role, Capability.AUDIT):
        items.append(("/console/blocks", "nav.blocks"))
    if can(role, Capability.AUDIT):
        items.append(("/console/audit", "nav.audit"))
    if role == Role.SUPERVISOR or can(role, Capability.ADMINISTER):
        items.append(("/console/users/locked", "nav.locked"))
    if role == Role.CONSULTANT:
        items.append(("/console/consultations", "nav.consultations"))
    if can(role, Capability.ADMINISTER):
        items.extend(
            [
                ("/console/admin/users", "nav.users"),
                ("/console/admin/queues", "nav.queue_settings"),
                ("/console/admin/canned", "nav.canned"),
                ("/console/admin/library", "nav.library"),
            ]
        )
    items.append(("/console/profile", "nav.profile"))
    return items


def console_language(request: web.Request) -> str:
    """The signed-in user's chosen console language, else the browser's."""
    found = request.get(AUTH)
    saved = found.user.console_language if found is not None else ""
    return language_choice(saved, request.headers.get("Accept-Language", ""))


def refusal(request: web.Request, error: Exception) -> str:
    """A refused action's message (`AuthError`, `ActionError`, `ConsoleError`) in the console
    language; the English message when the errors catalog does not list it."""
    return console_texts().error_text(console_language(request), str(error))


def page_text(request: web.Request, key: str, **params: object) -> str:
    """A page text (console catalog) in the request's console language, for Python that
    builds a message a page shows."""
    return console_texts().text(console_language(request), key, **params)


def name_of(lang: str, area: str, code: str) -> str:
    """A code's name in the console language ("role.supervisor" -> "Supervisor"); the code
    itself for a value the catalog does not name (an audit record's role "system", a channel
    added later), so that a new value never breaks a page."""
    texts = console_texts()
    key = f"{area}.{code}"
    if key in texts.keys(FALLBACK, "console"):
        return texts.text(lang, key)
    return code


def language_context(request: web.Request) -> dict[str, Any]:
    """What every template needs to speak the console language: `t`, `nt`, formatters."""
    lang = console_language(request)
    texts = console_texts()
    service = request.app.get(SERVICE)
    # An app without the service (a bare error page in a test app) still renders: default zone.
    zone = service.core.settings.zone if service is not None else ZoneInfo(DEFAULT_TIME_ZONE)
    return {
        "lang": lang,
        "locale": locale_of(lang),
        "t": partial(texts.text, lang),
        "nt": partial(texts.ntext, lang),
        "name_of": partial(name_of, lang),
        "role_name": partial(name_of, lang, "role"),
        "error_text": partial(texts.error_text, lang),
        "language_name": lambda code: language_name(code, lang),
        "own_language_name": lambda code: language_name(code, code),
        "format_moment": lambda moment, with_date=True: format_moment(
            moment, lang, zone, with_date=with_date
        ),
        "format_number": lambda value: format_number(value, lang),
        "script_texts": texts.script_texts(lang),
    }


def render(
    request: web.Request, template: str, *, status: int = 200, **context: Any
) -> web.Response:
    found = request.get(AUTH)
    user = found.user if found is not None else None
    words = language_context(request)
    body = (
        request.app[JINJA]
        .get_template(template)
        .render(
            user=user,
            role=user.role if user else "",
            csrf_token=found.session.csrf_token if found is not None else "",
            nav=[(href, words["t"](key)) for href, key in nav_for(user.role)] if user else [],
            path=request.path,
            **words,
            **context,
        )
    )
    return web.Response(text=body, content_type="text/html", charset="utf-8", status=status)


def render_error(request: web.Request, status: int, message: str) -> web.Response:
    """The error page; `message` is a refusal's English text, shown in the console language
    when the errors catalog lists it."""
    shown = console_texts().error_text(console_language(request), message)
    return render(request, "error.html", status=status, message=shown, page="error")


def _redirect(location: str) -> web.HTTPFound:
    return web.HTTPFound(location)


@routes.get("/console")
async def home(request: web.Request) -> web.StreamResponse:
    found = authenticated(request)
    role = found.user.role
    if can(role, Capability.WORK_QUEUES):
        raise _redirect("/console/queues")
    if can(role, Capability.AUDIT):
        raise _redirect("/console/audit")
    if can(role, Capability.DASHBOARD):
        raise _redirect("/console/dashboard")
    if role == Role.CONSULTANT:
        raise _redirect("/console/consultations")
    raise _redirect("/console/profile")


@routes.get("/console/login")
async def login_page(request: web.Request) -> web.Response:
    return render(request, "login.html", error="", username="", page="login")


@routes.post("/console/login")
async def login_form(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username", ""))[:100]
    password = str(form.get("password", ""))[:1000]
    totp = str(form.get("totp", ""))[:20]
    try:
        signed_in = await auth_actions.sign_in(
            request.app[SERVICE].core, username, password, totp, source=client_address(request)
        )
    except AuthError as error:
        return render(
            request,
            "login.html",
            status=error.status,
            error=refusal(request, error),
            username=username,
            page="login",
        )
    response = web.HTTPSeeOther("/console")
    set_session_cookie(request, response, signed_in.token)
    raise response


def _signed_out(request: web.Request) -> web.HTTPSeeOther:
    """Back to the sign-in page, with the session cookie cleared in the browser."""
    response = web.HTTPSeeOther("/console/login")
    clear_session_cookie(request, response)
    return response


@routes.post("/console/logout")
async def logout_form(request: web.Request) -> web.StreamResponse:
    await auth_actions.sign_out(request.app[SERVICE].core, request.cookies.get(COOKIE, ""))
    raise _signed_out(request)


@routes.post("/console/logout-everywhere")
async def logout_everywhere_form(request: web.Request) -> web.StreamResponse:
    found = authenticated(request)
    await auth_actions.sign_out_everywhere(request.app[SERVICE].core, found.user.id)
    raise _signed_out(request)


@routes.get("/console/queues")
async def queue_board(request: web.Request) -> web.Response:
    staff_with_any(request, Capability.WORK_QUEUES, Capability.SEE_ALL_QUEUES)
    return render(request, "board.html", page="board")


@routes.get("/console/conversations/{id}")
async def conversation_page(request: web.Request) -> web.Response:
    staff = staff_with_any(
        request, Capability.WORK_QUEUES, Capability.SEE_ALL_QUEUES, Capability.AUDIT
    )
    return render(
        request,
        "conversation.html",
        page="conversation",
        conversation_id=request.match_info["id"][:64],
        outcomes=OUTCOMES,
        needs_reason=can(staff.role, Capability.READ_WITH_REASON),
        may_block=can(staff.role, Capability.BLOCK),
        may_invite=can(staff.role, Capability.WORK_QUEUES),
        purposes=PURPOSES,
    )


# ---- profile ------------------------------------------------------------------------------


async def _profile(
    request: web.Request, *, message: str = "", error: str = "", status: int = 200, secret: str = ""
) -> web.Response:
    found = authenticated(request)
    user = found.user
    secret = secret or auth_actions.new_totp_secret()
    saved = SAVED.get(request.query.get("saved", ""))
    if not message and saved is not None:
        message = page_text(request, saved)
    uri = auth_actions.totp_uri(secret, user.username)
    return render(
        request,
        "profile.html",
        status=status,
        page="profile",
        message=message,
        error=error,
        totp_enabled=user.totp_secret is not None,
        totp_enforced=user.totp_enforced,
        totp_secret=secret,
        totp_uri=uri,
        totp_qr=qr_svg(uri, page_text(request, "profile.totp_qr_label"))
        if user.totp_secret is None
        else "",
        display_name_chosen=bool(resident_name(user)),
        console_languages=CONSOLE_LANGUAGES,
    )


async def _save_profile(
    request: web.Request, change: Awaitable[object], saved: str, *, secret: str = ""
) -> web.Response:
    """Run a profile form's change; on a refusal show the profile again with why (422, the
    TOTP form keeping its `secret`), else back to the profile saying what was `saved`."""
    try:
        await change
    except AuthError as error:
        return await _profile(request, error=refusal(request, error), status=422, secret=secret)
    raise web.HTTPSeeOther(f"/console/profile?saved={saved}")


@routes.get("/console/profile")
async def profile(request: web.Request) -> web.Response:
    return await _profile(request)


@dataclass(frozen=True, slots=True)
class ProfileForm:
    """A form signed-in staff posted about their own profile."""

    core: Core
    user_id: str
    fields: MultiDictProxy[Any]

    def text(self, name: str, limit: int | None = None) -> str:
        return str(self.fields.get(name, ""))[:limit]


async def _profile_form(request: web.Request) -> ProfileForm:
    found = authenticated(request)
    return ProfileForm(request.app[SERVICE].core, found.user.id, await request.post())


def _one_field_form(
    path: str, field: str, change: Callable[[Core, str, str], Awaitable[object]], saved: str
) -> None:
    """Route a profile form whose one `field` goes to `change` for the signed-in user."""

    async def post(request: web.Request) -> web.Response:
        form = await _profile_form(request)
        return await _save_profile(
            request, change(form.core, form.user_id, form.text(field)), saved
        )

    routes.post(path)(post)


_one_field_form(
    "/console/profile/display-name", "display_name", auth_actions.set_display_name, "name"
)


@routes.post("/console/profile/language")
async def profile_language(request: web.Request) -> web.Response:
    form = await _profile_form(request)
    choice = form.text("console_language", 8)
    if choice and choice not in CONSOLE_LANGUAGES:
        return await _profile(
            request, error=page_text(request, "profile.unknown_language"), status=422
        )
    await auth_actions.set_console_language(form.core, form.user_id, choice)
    raise web.HTTPSeeOther("/console/profile?saved=language")


@routes.post("/console/profile/password")
async def profile_password(request: web.Request) -> web.Response:
    form = await _profile_form(request)
    new = form.text("new")
    if new != form.text("repeat"):
        return await _profile(
            request, error=page_text(request, "profile.passwords_differ"), status=422
        )
    return await _save_profile(
        request,
        auth_actions.change_password(
            form.core,
            form.user_id,
            form.text("current"),
            new,
            keep_token=request.cookies.get(COOKIE, ""),
        ),
        "password",
    )


@routes.post("/console/profile/totp")
async def profile_totp(request: web.Request) -> web.Response:
    form = await _profile_form(request)
    secret = form.text("secret", 64)
    return await _save_profile(
        request,
        auth_actions.enable_totp(form.core, form.user_id, secret, form.text("code", 20)),
        "totp",
        secret=secret,
    )


_one_field_form("/console/profile/totp/disable", "password", auth_actions.disable_totp, "totp-off")


def require_page(request: web.Request, capability: Capability) -> None:
    """For page modules: raise a 403 page unless the role has `capability`."""
    staff_of(request, capability)


__all__ = [
    "JINJA",
    "ConsoleError",
    "console_language",
    "make_environment",
    "name_of",
    "page_text",
    "refusal",
    "render",
    "routes",
]
