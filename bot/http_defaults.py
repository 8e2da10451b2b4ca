"""HTTP defaults of every response the service sends: no software version in `Server`, HSTS and
`Secure` cookies over TLS or in production, and the JSON error shape for every error under /api/.

Never puts an exception's message, a path, a client address or a cookie into a response or a
log line: an unexpected error is known outside only by its random error id.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus

import aiohttp.web_response
from aiohttp import hdrs, web

from .config import Environment, Settings
from .errors import ServiceError

log = logging.getLogger("somesossu.http")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ResponseHook = Callable[[web.Request, web.StreamResponse], Awaitable[None]]

# A fixed product name: a version would tell an attacker which published bugs to try.
SERVER_NAME = "somesossu"
HSTS = "max-age=31536000; includeSubDomains"
JSON = "application/json"
# Codes of the console's JSON error shape `{code, message}` (see bot/console/auth.py).
ERROR_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def hide_server_version() -> None:
    """Make aiohttp's own default `Server` value the fixed name, process-wide.

    The response-prepare signal below covers every response a route produced; this covers
    the few aiohttp writes before any route or signal is involved (an HTTP request it cannot
    parse answers 400 from the protocol layer), which would otherwise say `Python/… aiohttp/…`.
    """
    aiohttp.web_response.SERVER_SOFTWARE = SERVER_NAME  # type: ignore[attr-defined]


def trusted_proxies(settings: Settings) -> frozenset[str]:
    """The reverse proxies whose forwarding headers are believed (one setting for all uses)."""
    return frozenset(
        proxy.strip() for proxy in settings.webchat_trusted_proxies.split(",") if proxy.strip()
    )


def served_over_tls(request: web.BaseRequest, settings: Settings) -> bool:
    """The request came over TLS: directly, or through a trusted proxy that says so.

    X-Forwarded-Proto from any other peer is ignored: a client could claim https over http.
    """
    if request.secure:
        return True
    if request.remote is None or request.remote not in trusted_proxies(settings):
        return False
    # The last hop is the one our proxy wrote; earlier ones came from the client.
    hops = request.headers.get("X-Forwarded-Proto", "").split(",")
    return hops[-1].strip().lower() == "https"


def cookies_secure(request: web.BaseRequest, settings: Settings) -> bool:
    """Cookies must carry `Secure` (and responses HSTS): production, the setting, or TLS."""
    return (
        settings.env is Environment.PRODUCTION
        or settings.secure_cookies
        or served_over_tls(request, settings)
    )


def response_defaults(settings: Settings) -> ResponseHook:
    """An `on_response_prepare` hook: runs for every response of the app, raised ones too,
    static files and websocket upgrades, just before the headers are written."""

    async def prepare(request: web.Request, response: web.StreamResponse) -> None:
        response.headers[hdrs.SERVER] = SERVER_NAME
        if not cookies_secure(request, settings):
            return
        response.headers[hdrs.STRICT_TRANSPORT_SECURITY] = HSTS
        # Cookies not yet written get the flag; any already rendered into headers are
        # rewritten (aiohttp renders them before or after this hook depending on version).
        for morsel in response.cookies.values():
            morsel["secure"] = True
        rendered = response.headers.getall(hdrs.SET_COOKIE, [])
        if rendered:
            response.headers.popall(hdrs.SET_COOKIE)
            for value in rendered:
                response.headers.add(hdrs.SET_COOKIE, _with_secure(value))

    return prepare


def _with_secure(set_cookie: str) -> str:
    attributes = [part.strip().lower() for part in set_cookie.split(";")[1:]]
    return set_cookie if "secure" in attributes else set_cookie + "; Secure"


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def api_error(status: int, message: str, **extra: str) -> web.Response:
    """The JSON error shape of the API: `{"code", "message"}` plus any `extra` fields."""
    body = {"code": ERROR_CODES.get(status, "error"), "message": message, **extra}
    return web.Response(status=status, text=json.dumps(body), content_type=JSON)


def api_refusal(error: ServiceError) -> web.Response:
    """A refusal in the JSON error shape: its stable code, the status `bot.errors.STATUS` gives."""
    return api_error(error.status, error.message, code=error.code)


@web.middleware
async def api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error under /api/ answers the JSON shape: never text/plain, HTML or a traceback.

    A refusal (`bot.errors.ServiceError`, whatever raised it) answers its code with its status;
    handlers raise, they do not translate.
    """
    if not is_api_path(request.path):
        return await handler(request)
    try:
        response = await handler(request)
    except ServiceError as error:
        return api_refusal(error)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return _as_json(error.status, error.headers)
    except Exception:
        error_id = secrets.token_hex(8)
        resource = request.match_info.route.resource
        # Type and frames only (bot.logs drops messages), and the route template, not the
        # path (ids): the id links the answer to this line.
        log.exception(
            "http.unexpected_error",
            extra={
                "fields": {
                    "error_id": error_id,
                    "route": resource.canonical if resource is not None else "unmatched",
                    "method": request.method,
                }
            },
        )
        if request.writer.output_size > 0:
            # A websocket or stream already sent its head: no second answer can follow.
            raise
        return api_error(
            500, "unexpected error; give this error id to the administrator", error_id=error_id
        )
    if response.status >= 400 and not response.prepared and response.content_type != JSON:
        return _as_json(response.status, response.headers)
    if response.status == 405 and hdrs.ALLOW not in response.headers and not response.prepared:
        # The console guard renders the router's 405 itself; the Allow header it must carry
        # is still on the router's own exception.
        refused = getattr(request.match_info, "http_exception", None)
        if isinstance(refused, web.HTTPException) and hdrs.ALLOW in refused.headers:
            response.headers[hdrs.ALLOW] = refused.headers[hdrs.ALLOW]
    return response


def _as_json(status: int, headers: Mapping[str, str]) -> web.Response:
    try:
        message = HTTPStatus(status).phrase
    except ValueError:
        message = "error"
    answer = api_error(status, message)
    # A 405 must still say which methods are allowed; a 401 how to authenticate.
    for name in (hdrs.ALLOW, hdrs.WWW_AUTHENTICATE, hdrs.RETRY_AFTER):
        if name in headers:
            answer.headers[name] = headers[name]
    return answer


def install_http_defaults(app: web.Application, settings: Settings) -> None:
    """Wire the response hook onto `app`; the /api/ middleware is placed by the caller."""
    hide_server_version()
    app.on_response_prepare.append(response_defaults(settings))


__all__ = [
    "HSTS",
    "SERVER_NAME",
    "api_error",
    "api_errors",
    "api_refusal",
    "cookies_secure",
    "install_http_defaults",
    "served_over_tls",
    "trusted_proxies",
]
