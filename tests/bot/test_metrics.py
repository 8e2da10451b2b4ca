"""Where /metrics is served: never to anyone on the service port, to a bearer token there, and
on a separate listener (default loopback) when a port is set. Each test fails without its rule.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer, unused_port
from pydantic import SecretStr

from bot.app import build_service, build_web_app
from bot.config import ConfigError, Settings, load_settings

Client = TestClient[Any, Any]
MakeClient = Callable[..., Awaitable[Client]]
TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
async def make_client(settings: Settings) -> AsyncIterator[MakeClient]:
    """A running service (its cleanup_ctx started) with some settings changed."""
    started: list[Client] = []

    async def make(**changes: Any) -> Client:
        service = build_service(settings.model_copy(update=changes))
        client: Client = TestClient(TestServer(build_web_app(service)))
        await client.start_server()
        started.append(client)
        return client

    yield make
    for client in started:
        await client.close()


async def test_metrics_are_not_served_on_the_service_port_by_default(
    make_client: MakeClient,
) -> None:
    client = await make_client()
    response = await client.get("/metrics")
    assert response.status == 404
    assert "somesossu_" not in await response.text()


async def test_the_service_port_refuses_metrics_without_the_right_bearer_token(
    make_client: MakeClient,
) -> None:
    client = await make_client(metrics_token=SecretStr(TOKEN))
    for authorization in (
        None,
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}x",
        TOKEN,
        f"Basic {TOKEN}",
    ):
        sent = {} if authorization is None else {"Authorization": authorization}
        response = await client.get("/metrics", headers=sent)
        assert response.status == 401, authorization
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "somesossu_" not in await response.text()


async def test_metrics_with_the_token_are_prometheus_text_and_count_requests_by_route(
    make_client: MakeClient,
) -> None:
    client = await make_client(metrics_token=SecretStr(TOKEN))
    await client.get("/healthz")
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    body = await response.text()
    assert 'somesossu_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in body


async def test_the_separate_listener_serves_metrics_and_stops_with_the_service(
    make_client: MakeClient,
) -> None:
    port = unused_port()
    client = await make_client(metrics_port=port)
    await client.get("/healthz")
    # The service port still hides them; the listener shows the same instance's figures.
    assert (await client.get("/metrics")).status == 404
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
            assert response.status == 200
            assert response.headers["Server"] == "somesossu"
            body = await response.text()
        assert 'route="/healthz",status="200"} 1.0' in body
        # Only /metrics lives there: not the console, the chat or the health check.
        for path in ("/healthz", "/console/login", "/chat", "/api/me"):
            async with http.get(f"http://127.0.0.1:{port}{path}") as other:
                assert other.status == 404, path
        await client.close()
        with pytest.raises(aiohttp.ClientConnectionError):
            async with http.get(f"http://127.0.0.1:{port}/metrics"):
                pass


async def test_the_separate_listener_asks_for_the_token_when_one_is_set(
    make_client: MakeClient,
) -> None:
    port = unused_port()
    await make_client(metrics_port=port, metrics_token=SecretStr(TOKEN))
    url = f"http://127.0.0.1:{port}/metrics"
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as refused:
            assert refused.status == 401
        async with http.get(url, headers={"Authorization": f"Bearer {TOKEN}"}) as allowed:
            assert allowed.status == 200


def test_a_short_metrics_token_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(metrics_token="short-secret")
    assert "SOMESOSSU_METRICS_TOKEN" in str(refused.value)
    assert "short-secret" not in str(refused.value)


def test_the_separate_listener_defaults_to_loopback_and_is_off() -> None:
    settings = load_settings()
    assert settings.metrics_host == "127.0.0.1"
    assert settings.metrics_port is None and settings.metrics_token is None
