"""The web-chat frame parser (pure), and hostile frames thrown at a live `/chat/ws` server."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.webchat import frames
from adapters.webchat.frames import (
    ERROR_CODES,
    SERVER_FRAME_TYPES,
    ChoiceFrame,
    ErrorCode,
    FrameError,
    Hello,
    Message,
    Typing,
    parse_client_frame,
)
from bot.app import build_service, build_web_app
from bot.config import load_settings
from tests.adapters.conftest import build_adapter

MAX_CHARS = 4000
TOKEN = "Q" * 43

# Pure parser


def test_each_browser_frame_type_parses_to_its_value() -> None:
    def parse(frame: dict[str, Any]) -> object:
        return parse_client_frame(json.dumps(frame), max_chars=MAX_CHARS)

    assert parse({"type": "hello", "token": TOKEN, "lang": "ar"}) == Hello(TOKEN, "ar")
    assert parse({"type": "hello"}) == Hello(None, None)
    assert parse({"type": "message", "text": "hei", "client_id": "a-1"}) == Message("hei", "a-1")
    assert parse({"type": "choice", "value": "topic:money"}) == ChoiceFrame("topic:money", None)
    assert parse({"type": "typing", "extra": 1}) == Typing()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("{", FrameError(ErrorCode.BAD_FRAME)),
        ('"hello"', FrameError(ErrorCode.BAD_FRAME)),
        ('{"type": 5}', FrameError(ErrorCode.BAD_FRAME)),
        ('{"type": "welcome"}', FrameError(ErrorCode.UNKNOWN_TYPE)),
        ('{"type": "hello", "token": 7}', FrameError(ErrorCode.BAD_FRAME)),
        ('{"type": "message", "text": "x"}', FrameError(ErrorCode.BAD_FRAME)),
        ('{"type": "message", "text": " ", "client_id": "c"}', FrameError("bad_frame", "c")),
        ('{"type": "message", "text": "x", "client_id": "../../"}', FrameError("bad_frame")),
        ('{"type": "choice", "value": ""}', FrameError(ErrorCode.BAD_FRAME)),
        ('{"type": "choice", "value": "a\\nb"}', FrameError(ErrorCode.BAD_FRAME)),
        ("[" * 100_000, FrameError(ErrorCode.BAD_FRAME)),
    ],
)
def test_malformed_frames_get_a_stable_error_code(raw: str, expected: FrameError) -> None:
    assert parse_client_frame(raw, max_chars=MAX_CHARS) == expected


def test_a_token_of_the_wrong_shape_starts_a_new_session_instead_of_failing() -> None:
    frame = json.dumps({"type": "hello", "token": "short", "lang": "xx-YY"})
    assert parse_client_frame(frame, max_chars=MAX_CHARS) == Hello(None, None)


def test_text_over_the_limit_is_too_long_and_names_its_client_id() -> None:
    frame = json.dumps({"type": "message", "text": "x" * 11, "client_id": "c"})
    assert parse_client_frame(frame, max_chars=10) == FrameError(ErrorCode.TOO_LONG, "c")


def test_a_parsed_message_never_shows_its_text_in_repr() -> None:
    assert "secret" not in repr(Message("my secret", "c"))


def test_server_frames_of_undocumented_types_are_refused() -> None:
    with pytest.raises(ValueError, match="undocumented"):
        frames.encode({"type": "debug"})
    assert json.loads(frames.encode(frames.delivered("c"))) == {
        "type": "delivered",
        "client_id": "c",
    }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
frame_types = st.sampled_from(["hello", "message", "choice", "typing", "welcome", "", "HELLO"])
field_values = st.one_of(
    json_values, st.text(min_size=40, max_size=50), st.just(TOKEN), st.just("fi")
)
structured = st.builds(
    lambda kind, fields: {"type": kind, **fields},
    frame_types,
    st.dictionaries(
        st.sampled_from(["text", "client_id", "value", "token", "lang", "type"]),
        field_values,
        max_size=4,
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=200), json_values.map(json.dumps), structured.map(json.dumps)))
def test_the_parser_never_raises_and_returns_a_frame_or_an_error(raw: str) -> None:
    parsed = parse_client_frame(raw, max_chars=MAX_CHARS)
    assert isinstance(parsed, Hello | Message | ChoiceFrame | Typing | FrameError)
    if isinstance(parsed, FrameError):
        assert parsed.code in ERROR_CODES


# Hostile frames against a live server


class LiveServer:
    """The real app with the web chat on a free loopback port, in its own thread and loop."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = 0
        self.errors: list[str] = []
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="webchat-live", daemon=True)

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("live server did not start")

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        settings_ = load_settings(data_dir=self.data_dir, log_format="text", _env_file=None)
        service = build_service(settings_)
        service.add_adapter(
            build_adapter(service, messages_per_minute=10_000, connections_per_address=10_000)
        )
        runner = web.AppRunner(build_web_app(service), handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.port = runner.addresses[0][1]
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/chat/ws"


class ErrorRecorder(logging.Handler):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.errors = errors

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "live")
    recorder = ErrorRecorder(server.errors)
    logging.getLogger().addHandler(recorder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        logging.getLogger().removeHandler(recorder)


HUGE = 4000 * 6 + 1024 + 10  # over the frame limit of the default 4000-character messages
hostile_frame = st.one_of(
    st.binary(max_size=64).map(lambda b: ("bytes", b)),
    st.text(max_size=100).map(lambda t: ("text", t)),
    json_values.map(lambda v: ("text", json.dumps(v))),
    structured.map(lambda f: ("text", json.dumps(f))),
    st.sampled_from([HUGE, HUGE * 5]).map(lambda n: ("text", "x" * n)),
    st.just(("text", json.dumps({"type": "hello", "token": TOKEN}))),
)


async def _exchange(url: str, attack: list[tuple[str, Any]], bystander: str) -> None:
    async with aiohttp.ClientSession() as session:
        resident = await session.ws_connect(url)
        await resident.send_str(json.dumps({"type": "hello", "token": bystander}))
        attacker = await session.ws_connect(url)
        for kind, payload in attack:
            try:
                if kind == "bytes":
                    await attacker.send_bytes(payload)
                else:
                    await attacker.send_str(payload)
            except (ConnectionError, RuntimeError):
                break
        # The probe: every open socket answers a hello (welcome or duplicate_hello).
        probe_answered = False
        try:
            await attacker.send_str(json.dumps({"type": "hello"}))
        except (ConnectionError, RuntimeError):
            pass
        async with asyncio.timeout(10):
            while True:
                received = await attacker.receive()
                if received.type is not aiohttp.WSMsgType.TEXT:
                    assert attacker.closed, received.type
                    break
                frame = json.loads(received.data)
                assert frame["type"] in SERVER_FRAME_TYPES
                if frame["type"] == "error":
                    assert frame["code"] in ERROR_CODES and frame["text"]
                if frame["type"] in ("welcome",) or frame.get("code") == "duplicate_hello":
                    probe_answered = True
                    break
        assert probe_answered or attacker.closed
        await attacker.close()

        # The other resident's conversation carries on.
        client_id = f"b{id(attack)}"
        await resident.send_str(
            json.dumps({"type": "message", "text": "still here", "client_id": client_id})
        )
        async with asyncio.timeout(10):
            while True:
                frame = json.loads((await resident.receive()).data)
                if frame["type"] == "delivered" and frame["client_id"] == client_id:
                    break
        await resident.close()


@pytest.mark.timeout(600)
def test_hostile_frames_get_errors_or_a_closed_socket_and_others_carry_on(
    live_server: LiveServer,
) -> None:
    bystander = "B" * 43
    asyncio.run(_exchange(live_server.url, [], bystander))

    @settings(
        max_examples=50,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(hostile_frame, min_size=1, max_size=8))
    def attack(frames_: list[tuple[str, Any]]) -> None:
        asyncio.run(_exchange(live_server.url, frames_, bystander))

    attack()
    assert live_server.errors == []
