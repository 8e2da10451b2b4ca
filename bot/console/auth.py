"""HTTP side of console security: session cookie, CSRF, same-origin, no-store, role checks.

Never trusts a request it has not checked: every /api and /console request passes here, and
no handler may read the cookie or write without the CSRF token this module verified.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

from bot.access import Staff
from bot.actions import auth as auth_actions
from bot.actions.auth import Authenticated
from bot.errors import ServiceError
from bot.http_defaults import api_error, cookies_secure
from bot.roles import Capability, Role, can
from bot.service import SERVICE

from .texts import console_texts, language_choice

COOKIE = "somesossu_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
AUTH = web.RequestKey("somesossu_auth", Authenticated)
# Writes that need no session: signing in is protected by sign-in limits and the origin check.
LOGIN_PATHS = frozenset({"/api/login", "/console/login"})
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Account pages a user may still reach while a password change or TOTP setup is pending.
SETUP_PATHS = ("/console/profile", "/console/logout", "/api/me", "/api/logout")
SETUP_REQUIRED = frozenset({"password_change_required", "totp_setup_required"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# A refused request is a `ServiceError` wherever it comes from (this module, an action): the
# guard renders it as JSON `{code, message}` under /api, as a page elsewhere. The old name stays
# for the modules that catch it.
ConsoleError = ServiceError


def is_console_path(path: str) -> bool:
    return path == "/api" or path.startswith(("/api/", "/console"))


def same_origin(request: web.Request) -> bool:
    """The browser says the request comes from this very site (or says nothing: a script).

    Sec-Fetch-Site is the browser's own verdict; Origin is checked too, since with our
    no-referrer policy browsers send `Origin: null` on form posts, which proves nothing.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is None or (origin == "null" and fetch_site is not None):
        return True
    return urlsplit(origin).netloc == request.host


def client_address(request: web.Request) -> str:
    """The address a request comes from, for sign-in limits (kept only as a keyed hash).

    X-Forwarded-For counts only when the peer is one of SOMESOSSU_WEBCHAT_TRUSTED_PROXIES;
    from anyone else it is a header an attacker writes to dodge the per-address limit. The
    last hop is the one our proxy added; earlier hops were written by the client.
    """
    remote = request.remote or "unknown"
    settings = request.app[SERVICE].settings
    trusted = {proxy.strip() for proxy in settings.webchat_trusted_proxies.split(",")}
    if remote in trusted - {""}:
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
        hops = [hop for hop in hops if hop]
        if hops:
            return hops[-1][:100]
    return remote


@web.middleware
async def console_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not is_console_path(request.path):
        return await handler(request)
    try:
        await _authenticate(request)
        response = await handler(request)
    except ServiceError as error:
        response = _error_response(request, error)
    except web.HTTPException as error:
        if not request.path.startswith("/api") or error.status < 400:
            error.headers["Cache-Control"] = "no-store"
            raise
        response = api_error(error.status, error.reason, code=_http_code(error.status))
    # Conversation pages and API answers must never sit in a browser or proxy cache.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _http_code(status: int) -> str:
    return {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
        status, "bad_request"
    )


def refusal_text(request: web.Request, error: ServiceError) -> str:
    """The refusal's message in the request's console language (the profile's choice, else the
    browser's); English as raised when the errors catalog does not list it.

    Computed here rather than with `pages.console_language`: pages imports this module.
    """
    found: Authenticated | None = request.get(AUTH)
    saved = found.user.console_language if found is not None else ""
    lang = language_choice(saved, request.headers.get("Accept-Language", ""))
    return console_texts().error_text(lang, error.message)


def _error_response(request: web.Request, error: ServiceError) -> web.StreamResponse:
    if request.path.startswith("/api"):
        # The code is the contract scripts branch on; only the words follow the reader.
        return api_error(error.status, refusal_text(request, error), code=error.code)
    if error.status == 401 and request.method == "GET":
        raise web.HTTPFound("/console/login")
    if error.code in SETUP_REQUIRED and request.method == "GET":
        # A first sign-in lands on whatever page the role starts at: send them where the
        # pending step (new password, authenticator) can be done instead of a dead end.
        raise web.HTTPFound("/console/profile")
    from .pages import render_error

    return render_error(request, error.status, str(error))


async def _authenticate(request: web.Request) -> None:
    token = request.cookies.get(COOKIE, "")
    found = await auth_actions.resume(request.app[SERVICE].core, token) if token else None
    if found is not None:
        request[AUTH] = found
    if request.method not in UNSAFE and request.path not in ("/console/ws", "/api/ws"):
        return
    # Browsers send Origin on cross-site POSTs and websocket handshakes: refuse a foreign one.
    if not same_origin(request):
        raise ServiceError("origin", "cross-origin request refused")
    if request.path in LOGIN_PATHS or request.method not in UNSAFE:
        return
    if found is None:
        raise ServiceError("unauthenticated", "sign in first")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        form = await request.post()
        value = form.get(CSRF_FIELD, "")
        sent = value if isinstance(value, str) else ""
    if not sent or not hmac.compare_digest(sent, found.session.csrf_token):
        raise ServiceError("csrf", "missing or wrong CSRF token")


def authenticated(request: web.Request) -> Authenticated:
    found: Authenticated | None = request.get(AUTH)
    if found is None:
        raise ServiceError("unauthenticated", "sign in first")
    if not request.path.startswith(SETUP_PATHS):
        user = found.user
        if user.must_change_password:
            raise ServiceError("password_change_required", "change your password first")
        if user.totp_enforced and user.totp_secret is None:
            raise ServiceError("totp_setup_required", "set up your authenticator first")
    return found


def staff_of(request: web.Request, capability: Capability | None = None) -> Staff:
    """The signed-in staff member, after checking the role has `capability`."""
    found = authenticated(request)
    staff = Staff.of(found.user, found.queues)
    if capability is not None and not can(staff.role, capability):
        raise ServiceError("forbidden", "your role does not allow this")
    return staff


def staff_with_any(request: web.Request, *capabilities: Capability) -> Staff:
    staff = staff_of(request)
    if not any(can(staff.role, c) for c in capabilities):
        raise ServiceError("forbidden", "your role does not allow this")
    return staff


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        path="/",
        secure=cookies_secure(request, request.app[SERVICE].settings),
        max_age=int(auth_actions.ABSOLUTE_EXPIRY.total_seconds()),
    )


def clear_session_cookie(request: web.Request, response: web.StreamResponse) -> None:
    response.del_cookie(
        COOKIE,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=cookies_secure(request, request.app[SERVICE].settings),
    )


def role_label(role: Role | str) -> str:
    return str(role).replace("_", " ")
