"""Production defaults of the HTTP side: each test here fails when its defence is removed.

Secure cookies and HSTS in production or over TLS (not on http://localhost in development),
no software version in `Server` on any kind of response, and the JSON error shape for every
error under /api/.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import logging
import shutil
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, TCPConnector
from aiohttp.test_utils import TestClient, TestServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.app import build_web_app
from bot.config import Environment
from bot.logs import JsonFormatter
from bot.store.db import Database
from tests.support.chat import Harness

from .helpers import PASSWORD, login

Client = TestClient[Any, Any]
MakeClient = Callable[..., Awaitable[Client]]
HSTS = "max-age=31536000; includeSubDomains"
COOKIE = "somesossu_session"


@pytest.fixture
async def make_client(harness: Harness) -> AsyncIterator[MakeClient]:
    """A console client over a server built with some settings changed (and stopped after)."""
    started: list[Client] = []

    async def make(**changes: Any) -> Client:
        service = harness.service
        service.settings = service.settings.model_copy(update=changes)
        client: Client = TestClient(TestServer(build_web_app(service)))
        await client.start_server()
        started.append(client)
        return client

    yield make
    for client in started:
        await client.close()


async def sign_in(client: Client, **kwargs: Any) -> Any:
    response = await client.post(
        "/api/login", json={"username": "anna", "password": PASSWORD}, **kwargs
    )
    assert response.status == 200
    return response


def set_cookie_headers(response: Any) -> list[str]:
    return list(response.headers.getall("Set-Cookie", []))


def is_secure(set_cookie: str) -> bool:
    return "secure" in [part.strip().lower() for part in set_cookie.split(";")[1:]]


# ---- Secure cookies and HSTS ---------------------------------------------------------------


async def test_development_on_plain_http_sets_no_secure_flag_and_no_hsts(
    harness: Harness, make_client: MakeClient
) -> None:
    await harness.staff("anna")
    client = await make_client()
    signed_in = await sign_in(client)
    assert not any(is_secure(value) for value in set_cookie_headers(signed_in))
    assert "Strict-Transport-Security" not in signed_in.headers
    # ... and the browser sends the cookie back over http, so the console keeps working.
    assert (await client.get("/api/me")).status == 200


async def test_production_cookies_are_secure_and_answers_carry_hsts(
    harness: Harness, make_client: MakeClient
) -> None:
    await harness.staff("anna")
    client = await make_client(env=Environment.PRODUCTION)
    signed_in = await sign_in(client)
    cookies = set_cookie_headers(signed_in)
    assert cookies and all(is_secure(value) for value in cookies)
    assert signed_in.headers["Strict-Transport-Security"] == HSTS
    csrf = (await signed_in.json())["csrf_token"]
    signed_out = await client.post(
        "/api/logout", headers={"X-CSRF-Token": csrf, "Cookie": f"{COOKIE}={_token(cookies)}"}
    )
    assert signed_out.status in (200, 204)
    assert all(is_secure(value) for value in set_cookie_headers(signed_out))
    for path in ("/healthz", "/chat", "/console/login", "/no/such/page"):
        assert (await client.get(path)).headers["Strict-Transport-Security"] == HSTS


async def test_the_console_page_sign_in_sets_a_secure_cookie_in_production(
    harness: Harness, make_client: MakeClient
) -> None:
    # The page's sign-in answers with a raised redirect: the flag must reach those too.
    await harness.staff("anna")
    client = await make_client(env=Environment.PRODUCTION)
    response = await client.post(
        "/console/login",
        data={"username": "anna", "password": PASSWORD},
        allow_redirects=False,
    )
    assert response.status == 303
    cookies = set_cookie_headers(response)
    assert cookies and all(is_secure(value) for value in cookies)
    assert response.headers["Strict-Transport-Security"] == HSTS


async def test_behind_a_trusted_tls_proxy_cookies_are_secure_and_hsts_is_sent(
    harness: Harness, make_client: MakeClient
) -> None:
    await harness.staff("anna")
    client = await make_client(webchat_trusted_proxies="127.0.0.1, ::1")
    signed_in = await sign_in(client, headers={"X-Forwarded-Proto": "https"})
    assert all(is_secure(value) for value in set_cookie_headers(signed_in))
    assert signed_in.headers["Strict-Transport-Security"] == HSTS
    # The same proxy forwarding plain http: development stays usable.
    plain = await client.post(
        "/api/login",
        json={"username": "anna", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "http"},
    )
    assert not any(is_secure(value) for value in set_cookie_headers(plain))


async def test_x_forwarded_proto_from_an_untrusted_peer_is_ignored(
    harness: Harness, make_client: MakeClient
) -> None:
    await harness.staff("anna")
    client = await make_client(webchat_trusted_proxies="192.0.2.7")
    signed_in = await sign_in(client, headers={"X-Forwarded-Proto": "https"})
    assert not any(is_secure(value) for value in set_cookie_headers(signed_in))
    assert "Strict-Transport-Security" not in signed_in.headers


async def test_a_request_over_tls_gets_secure_cookies_and_hsts(
    harness: Harness, tmp_path: Path
) -> None:
    await harness.staff("anna")
    server_tls, client_tls = _self_signed_tls(tmp_path)
    server = TestServer(build_web_app(harness.service), host="127.0.0.1")
    await server.start_server(ssl=server_tls)
    try:
        async with ClientSession(connector=TCPConnector(ssl=client_tls)) as http:
            url = f"https://127.0.0.1:{server.port}/api/login"
            async with http.post(url, json={"username": "anna", "password": PASSWORD}) as response:
                assert response.status == 200
                cookies = list(response.headers.getall("Set-Cookie", []))
                assert cookies and all(is_secure(value) for value in cookies)
                assert response.headers["Strict-Transport-Security"] == HSTS
    finally:
        await server.close()


# ---- Server header -------------------------------------------------------------------------


async def test_no_response_names_the_server_software_or_its_version(
    harness: Harness, make_client: MakeClient
) -> None:
    await harness.staff("anna")
    client = await make_client()
    answers = {
        "page": await client.get("/console/login"),
        "json": await client.get("/healthz"),
        "static file": await client.get("/console/static/console.css"),
        "web chat static file": await client.get("/chat/static/chat.js"),
        "404": await client.get("/no/such/page"),
        "api 404": await client.get("/api/no-such-thing"),
        "redirect": await client.get("/console/queues", allow_redirects=False),
    }
    for kind, response in answers.items():
        assert response.headers.get("Server") == "somesossu", kind
    for raw in (
        _upgrade_request("/chat/ws"),
        _upgrade_request("/console/ws"),
        b"NOT HTTP AT ALL\r\n\r\n",
    ):
        head = await _raw_exchange(client, raw)
        assert "python" not in head.lower() and "aiohttp" not in head.lower(), head
        assert "\r\nserver: somesossu\r\n" in head.lower(), head


def _upgrade_request(path: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


async def _raw_exchange(client: Client, request: bytes) -> str:
    """Send bytes on a fresh connection; the response head (status line and headers)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", client.server.port)
    try:
        writer.write(request)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
        return head.decode("latin-1")
    finally:
        writer.close()


# ---- JSON errors under /api/ ---------------------------------------------------------------


def assert_json_error(response: Any, body: Any, status: int, code: str) -> None:
    assert response.status == status
    assert response.headers["Content-Type"].startswith("application/json")
    assert body["code"] == code and isinstance(body["message"], str)


async def test_api_404_405_and_413_answer_the_json_error_shape(
    harness: Harness, make_client: MakeClient
) -> None:
    await harness.staff("anna")
    client = await make_client()
    missing = await client.get("/api/no-such-thing")
    assert_json_error(missing, await missing.json(), 404, "not_found")
    wrong_method = await client.put("/api/login", json={})
    assert_json_error(wrong_method, await wrong_method.json(), 405, "method_not_allowed")
    assert "POST" in wrong_method.headers["Allow"]
    too_large = await client.post(
        "/api/login",
        data=json.dumps({"username": "anna", "password": "x" * 300_000}),
        headers={"Content-Type": "application/json"},
    )
    assert_json_error(too_large, await too_large.json(), 413, "too_large")


async def test_an_unexpected_api_error_answers_json_with_an_error_id_that_the_log_names(
    harness: Harness,
    make_client: MakeClient,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await harness.staff("anna")
    client = await make_client()
    await login(client, "anna")
    # A real failure: the database file is gone under a signed-in request.
    healthy = harness.core.database
    gone = tmp_path / "gone"
    gone.mkdir()
    harness.core.database = Database(f"sqlite+aiosqlite:///{gone}/x.db")
    shutil.rmtree(gone)
    try:
        with caplog.at_level(logging.ERROR, logger="somesossu.http"):
            broken = await client.get("/api/me", headers={"Accept": "text/html"})
            text = await broken.text()
    finally:
        await harness.core.database.dispose()
        harness.core.database = healthy
    body = json.loads(text)
    assert_json_error(broken, body, 500, "internal_error")
    assert "Traceback" not in text and "sqlite" not in text.lower() and str(gone) not in text
    error_id = body["error_id"]
    assert len(error_id) == 16
    logged = [r for r in caplog.records if r.getMessage() == "http.unexpected_error"]
    assert [r.fields["error_id"] for r in logged] == [error_id]  # type: ignore[attr-defined]
    line = json.loads(JsonFormatter().format(logged[0]))
    assert line["error_id"] == error_id and line["route"] == "/api/me" and line["error"]
    assert str(gone) not in json.dumps(line)


async def test_errors_outside_the_api_stay_pages(harness: Harness, make_client: MakeClient) -> None:
    client = await make_client()
    missing = await client.get("/console/no-such-page")
    assert missing.status == 404
    assert not missing.headers["Content-Type"].startswith("application/json")


# ---- helpers -------------------------------------------------------------------------------


def _token(set_cookies: list[str]) -> str:
    for value in set_cookies:
        name, _, rest = value.partition("=")
        if name.strip() == COOKIE:
            return rest.split(";", 1)[0]
    raise AssertionError("no session cookie")


def _self_signed_tls(directory: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A throwaway certificate for 127.0.0.1: the server's context and a client trusting it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client
