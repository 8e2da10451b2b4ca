"""The web chat over real sockets against the real service: protocol, limits, privacy."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.webchat.adapter import address_of
from bot.actions import conversations as actions
from bot.events import Outbound, ReplyAddress, ResidentSignal, StoreUnavailable
from tests.adapters.conftest import (
    WebChat,
    WebChatFactory,
    conversation_of,
    counsellor,
    stored_messages,
)

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL_DOC = ROOT / "docs" / "webchat-protocol.md"
STATIC = ROOT / "adapters" / "webchat"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def triaged(webchat: WebChat, lang: str = "fi") -> tuple[Any, str]:
    """A resident who opened the chat, chose a language (by hello) and a topic."""
    resident = await webchat.connect()
    token, _ = await resident.hello(lang=lang)
    # The page's language picker opens the conversation with the chosen language.
    await resident.send({"type": "choice", "value": f"lang:{lang}", "client_id": "start"})
    await resident.next_of("delivered", client_id="start")
    topics = await resident.next_of("choices")
    assert topics["choices"][0]["value"] == "topic:housing"
    await resident.send({"type": "choice", "value": "topic:money", "client_id": "topic"})
    await resident.next_of("delivered", client_id="topic")
    queued = webchat.service.core.texts.text(lang, "queued", position=1, minutes=5)
    await resident.next(lambda f: f["type"] == "message" and f["text"] == queued)
    return resident, token


async def test_a_new_resident_gets_a_fresh_token_and_an_empty_history(webchat: WebChat) -> None:
    resident = await webchat.connect()
    await resident.send({"type": "hello", "lang": "sv"})
    welcome = await resident.next_of("welcome")
    assert welcome["version"] == 1 and welcome["resumed"] is False
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", welcome["token"])
    assert welcome["limits"] == {"max_chars": 4000, "messages_per_minute": 20}
    history = await resident.next_of("history")
    assert history == {"type": "history", "state": None, "language": None, "messages": []}


async def test_topic_buttons_then_the_counsellor_joins_and_replies_live(webchat: WebChat) -> None:
    texts = webchat.service.core.texts
    resident, token = await triaged(webchat, "fi")
    await resident.send({"type": "message", "text": "Vuokra on myöhässä", "client_id": "m1"})
    await resident.next_of("delivered", client_id="m1")

    tiina = await counsellor(webchat.service, "tiina", "Tiina")
    conversation = await conversation_of(webchat.service, token)
    await actions.claim(webchat.service.core, tiina, conversation.id)
    joined_text = texts.text("fi", "counsellor_joined", name="Tiina")
    await resident.next(lambda f: f["type"] == "message" and f["text"] == joined_text)
    assert await resident.next_of("joined") == {"type": "joined", "display_name": "Tiina"}

    await actions.reply(webchat.service.core, tiina, conversation.id, "Kerro lisää.")
    reply = await resident.next(lambda f: f["type"] == "message" and f["from"] == "counsellor")
    assert (reply["text"], reply["display_name"]) == ("Kerro lisää.", "Tiina")
    assert reply["at"].endswith("+00:00")

    await actions.close(webchat.service.core, tiina, conversation.id, outcome="advice_given")
    await resident.next_of("ended")
    rating = await resident.next_of("choices")
    assert rating["choices"][0]["value"] == "rating:1"


async def test_reconnecting_with_the_token_shows_the_history_and_no_one_else_sees_it(
    webchat: WebChat,
) -> None:
    resident, token = await triaged(webchat, "ar")
    await resident.send({"type": "message", "text": "مرحبا", "client_id": "m1"})
    await resident.next_of("delivered", client_id="m1")
    await resident.socket.close()

    again = await webchat.connect()
    resumed_token, history = await again.hello(token=token, lang="ar")
    assert resumed_token == token
    assert again.received[0]["resumed"] is True
    assert history["state"] == "queued" and history["language"] == "ar"
    authors = [m["from"] for m in history["messages"]]
    assert "resident" in authors and "bot" in authors
    assert any(m["text"] == "مرحبا" for m in history["messages"])

    stranger = await webchat.connect()
    _, other = await stranger.hello(token="A" * 43, lang="ar")
    assert other["messages"] == []


async def test_a_message_resent_after_reconnect_with_the_same_client_id_is_stored_once(
    webchat: WebChat,
) -> None:
    resident, token = await triaged(webchat)
    before = len(await stored_messages(webchat.service, token))
    for _ in range(2):
        await resident.send({"type": "message", "text": "sama viesti", "client_id": "same"})
        await resident.next_of("delivered", client_id="same")
    await resident.socket.close()
    again = await webchat.connect()
    await again.hello(token=token)
    await again.send({"type": "message", "text": "sama viesti", "client_id": "same"})
    await again.next_of("delivered", client_id="same")
    assert len(await stored_messages(webchat.service, token)) == before + 1


async def test_messages_over_the_rate_limit_are_refused_in_the_residents_language_and_not_stored(
    webchat_factory: WebChatFactory,
) -> None:
    clock = FakeClock()
    webchat = await webchat_factory(messages_per_minute=4, clock=clock)
    resident, token = await triaged(webchat, "uk")  # uses two of the four
    before = len(await stored_messages(webchat.service, token))
    for n in range(2):
        await resident.send({"type": "message", "text": f"m{n}", "client_id": f"ok{n}"})
        await resident.next_of("delivered", client_id=f"ok{n}")
    await resident.send({"type": "message", "text": "too fast", "client_id": "fast"})
    refused = await resident.next_of("error", client_id="fast")
    assert refused["code"] == "rate_limited"
    assert refused["text"] == webchat.service.core.texts.text("uk", "rate_limited")
    assert 0 < refused["retry_after"] <= 60
    assert len(await stored_messages(webchat.service, token)) == before + 2

    clock.now += 61  # the client waits retry_after and resends the same message
    await resident.send({"type": "message", "text": "too fast", "client_id": "fast"})
    await resident.next_of("delivered", client_id="fast")
    assert len(await stored_messages(webchat.service, token)) == before + 3


async def test_a_reconnect_does_not_reset_the_rate_limit(webchat_factory: WebChatFactory) -> None:
    webchat = await webchat_factory(messages_per_minute=2, clock=FakeClock())
    resident, token = await triaged(webchat)
    await resident.socket.close()
    again = await webchat.connect()
    await again.hello(token=token)
    await again.send({"type": "message", "text": "x", "client_id": "x"})
    assert (await again.next_of("error", client_id="x"))["code"] == "rate_limited"


async def test_too_long_text_is_refused_with_the_limit_in_the_residents_language(
    webchat: WebChat,
) -> None:
    resident, token = await triaged(webchat, "sv")
    before = len(await stored_messages(webchat.service, token))
    await resident.send({"type": "message", "text": "å" * 4001, "client_id": "long"})
    refused = await resident.next_of("error", client_id="long")
    assert refused["code"] == "too_long"
    assert refused["text"] == webchat.service.core.texts.text("sv", "too_long", max=4000)
    assert len(await stored_messages(webchat.service, token)) == before
    await resident.send({"type": "message", "text": "å" * 4000, "client_id": "fits"})
    await resident.next_of("delivered", client_id="fits")


async def test_a_language_button_switches_the_language_of_the_sockets_own_errors(
    webchat: WebChat,
) -> None:
    resident = await webchat.connect()
    await resident.hello(lang="fi")
    await resident.send({"type": "choice", "value": "lang:sv", "client_id": "start"})
    await resident.next_of("delivered", client_id="start")
    await resident.send({"type": "message", "text": "å" * 4001, "client_id": "long"})
    refused = await resident.next_of("error", client_id="long")
    assert refused["text"] == webchat.service.core.texts.text("sv", "too_long", max=4000)


async def test_an_oversized_frame_gets_an_error_and_a_huge_one_closes_with_1009(
    webchat: WebChat,
) -> None:
    resident = await webchat.connect()
    await resident.hello()
    limit = webchat.adapter.max_frame_bytes
    await resident.socket.send_str(json.dumps({"type": "typing", "pad": "x" * limit}))
    assert (await resident.next_of("error"))["code"] == "frame_too_large"
    await resident.send({"type": "typing"})  # still open
    await resident.socket.send_str("x" * (limit * 4 + 10))
    assert await resident.closed() == aiohttp.WSCloseCode.MESSAGE_TOO_BIG


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ('{"type": "message", "text": "hi", "client_id": "a"}', "hello_first"),
        ("not json", "bad_frame"),
        ("[1, 2]", "bad_frame"),
        ('{"type": "shout"}', "unknown_type"),
        ('{"kind": "hello"}', "bad_frame"),
    ],
)
async def test_bad_frames_before_hello_get_an_error_frame(
    webchat: WebChat, frame: str, code: str
) -> None:
    resident = await webchat.connect()
    await resident.socket.send_str(frame)
    error = await resident.next_of("error")
    assert error["code"] == code
    assert error["text"] == webchat.service.core.texts.text("fi", "error_try_again")


async def test_binary_frames_and_a_second_hello_are_refused_and_the_socket_carries_on(
    webchat: WebChat,
) -> None:
    resident = await webchat.connect()
    token, _ = await resident.hello()
    await resident.socket.send_bytes(b"\x00\x01binary")
    assert (await resident.next_of("error"))["code"] == "bad_frame"
    await resident.send({"type": "hello", "token": token})
    assert (await resident.next_of("error"))["code"] == "duplicate_hello"
    await resident.send({"type": "message", "text": "/start", "client_id": "s"})
    await resident.next_of("delivered", client_id="s")


async def test_connections_beyond_the_limit_per_address_are_closed_with_1008(
    webchat_factory: WebChatFactory,
) -> None:
    webchat = await webchat_factory(connections_per_address=2)
    first = await webchat.connect()
    await webchat.connect()
    third = await webchat.connect()
    refused = await third.next_of("error")
    assert (refused["code"], refused["fatal"]) == ("too_many_connections", True)
    assert await third.closed() == aiohttp.WSCloseCode.POLICY_VIOLATION
    await first.socket.close()
    assert await first.closed() is not None
    fourth = await webchat.connect()  # a slot is free again once a socket closes
    await fourth.hello()


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(
    webchat_factory: WebChatFactory,
) -> None:
    webchat = await webchat_factory(
        connections_per_address=1, trusted_proxies=frozenset({"127.0.0.1"})
    )
    first = await webchat.connect(**{"X-Forwarded-For": "198.51.100.7"})
    await first.hello()
    second = await webchat.connect(**{"X-Forwarded-For": "198.51.100.8"})
    await second.hello()  # another resident behind the same proxy is not refused
    same = await webchat.connect(**{"X-Forwarded-For": "203.0.113.1, 198.51.100.7"})
    assert (await same.next_of("error"))["code"] == "too_many_connections"


async def test_an_untrusted_peer_cannot_claim_another_address(
    webchat_factory: WebChatFactory,
) -> None:
    webchat = await webchat_factory(connections_per_address=1)
    await (await webchat.connect(**{"X-Forwarded-For": "198.51.100.7"})).hello()
    spoofed = await webchat.connect(**{"X-Forwarded-For": "198.51.100.8"})
    assert (await spoofed.next_of("error"))["code"] == "too_many_connections"


async def test_store_unavailable_answers_try_again_without_delivered(
    webchat: WebChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident = await webchat.connect()
    await resident.hello()

    async def unavailable(inbound: Any) -> None:
        raise StoreUnavailable("down")

    monkeypatch.setattr(webchat.adapter, "_sink", unavailable)
    await resident.send({"type": "message", "text": "hei", "client_id": "c1"})
    error = await resident.next_of("error", client_id="c1")
    assert error["code"] == "try_again" and error["retry_after"] > 0
    assert not [f for f in resident.received if f["type"] == "delivered"]


async def test_typing_is_forwarded_at_most_once_per_interval(webchat: WebChat) -> None:
    signals: list[ResidentSignal] = []

    async def record(signal: ResidentSignal) -> None:
        signals.append(signal)

    webchat.adapter.attach_signals(record)
    resident = await webchat.connect()
    token, _ = await resident.hello()
    for _ in range(5):
        await resident.send({"type": "typing"})
    await resident.send({"type": "message", "text": "/start", "client_id": "s"})
    await resident.next_of("delivered", client_id="s")
    assert len(signals) == 1
    assert (signals[0].channel, signals[0].sender_id, signals[0].kind) == (
        "webchat",
        token,
        "typing",
    )


async def test_end_and_forget_erases_the_conversation_and_tells_the_device_to_forget(
    webchat: WebChat,
) -> None:
    resident, token = await triaged(webchat)
    await resident.send({"type": "message", "text": "/delete", "client_id": "forget"})
    await resident.next_of("delivered", client_id="forget")
    await resident.next_of("forget")
    deleted = webchat.service.core.texts.text("fi", "deleted")
    await resident.next(lambda f: f["type"] == "message" and f["text"] == deleted)
    await resident.socket.close()
    again = await webchat.connect()
    _, history = await again.hello(token=token)
    assert history["messages"] == [] and history["state"] is None


async def test_two_tabs_of_one_session_both_receive_the_counsellor(webchat: WebChat) -> None:
    resident, token = await triaged(webchat)
    second = await webchat.connect()
    await second.hello(token=token)
    tiina = await counsellor(webchat.service, "tiina", "Tiina")
    conversation = await conversation_of(webchat.service, token)
    await actions.claim(webchat.service.core, tiina, conversation.id)
    for tab in (resident, second):
        await tab.next_of("joined", display_name="Tiina")


async def test_joined_and_ended_follow_the_cores_event_not_the_rendered_text(
    webchat: WebChat,
) -> None:
    texts = webchat.service.core.texts
    resident = await webchat.connect()
    token, _ = await resident.hello(lang="fi")
    address = address_of(token)

    # The catalog's words without the event: a message, nothing more (no guessing).
    looks_ended = texts.text("fi", "chat_ended")
    looks_joined = texts.text("fi", "counsellor_joined", name="Tiina")
    for outbox_id, text in (("a", looks_ended), ("b", looks_joined)):
        await webchat.adapter.send(
            address, Outbound(outbox_id=outbox_id, text=text, message_id=outbox_id)
        )
    # Then the event on words the catalog never had: the event alone decides.
    await webchat.adapter.send(
        address,
        Outbound(
            outbox_id="c", text="(joined)", message_id="c", event="joined", display_name="Neuvoja"
        ),
    )
    await webchat.adapter.send(
        address, Outbound(outbox_id="d", text="(ended)", message_id="d", event="ended")
    )
    await resident.next_of("ended")
    seen = [(f["type"], f.get("id") or f.get("display_name")) for f in resident.received[2:]]
    assert seen == [
        ("message", "a"),
        ("message", "b"),
        ("message", "c"),
        ("joined", "Neuvoja"),
        ("message", "d"),
        ("ended", None),
    ]


async def test_send_with_no_open_socket_still_returns_a_delivery_id(webchat: WebChat) -> None:
    delivery = await webchat.adapter.send(
        ReplyAddress("web:nobody"), Outbound(outbox_id="o1", text="x", message_id="m1")
    )
    assert delivery == "m1"


async def test_the_reply_address_is_a_hash_not_the_token() -> None:
    token = "T" * 43
    address = address_of(token)
    assert token not in address and address.startswith("web:")


async def test_no_address_and_no_token_reach_the_logs(
    webchat: WebChat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    resident, token = await triaged(webchat)
    await resident.send({"type": "message", "text": "salainen viesti", "client_id": "m"})
    await resident.next_of("delivered", client_id="m")
    await resident.socket.send_str("garbage")
    await resident.next_of("error")
    logged = "\n".join(
        f"{record.getMessage()} {getattr(record, 'fields', '')}" for record in caplog.records
    )
    assert token not in logged
    assert "127.0.0.1" not in logged
    assert "salainen" not in logged


async def test_stop_closes_every_socket_going_away(webchat: WebChat) -> None:
    resident = await webchat.connect()
    await resident.hello()
    await webchat.adapter.stop()
    assert await resident.closed() == aiohttp.WSCloseCode.GOING_AWAY


async def test_the_page_may_be_framed_per_setting_and_sets_no_cookie(
    webchat_factory: WebChatFactory,
) -> None:
    webchat = await webchat_factory(frame_ancestors="'self' https://www.hel.fi")
    response = await webchat.client.get("/chat?lang=ar")
    body = await response.text()
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.hel.fi" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert '<html lang="ar" dir="rtl">' in body
    picker = await (await webchat.client.get("/chat")).text()
    for name in ("Suomi", "Svenska", "English", "Русский", "Українська", "العربية"):
        assert name in picker
    widget = await webchat.client.get("/chat/widget.js")
    assert widget.status == 200 and "javascript" in widget.headers["Content-Type"]
    for asset in ("chat.js", "chat.css"):
        assert (await webchat.client.get(f"/chat/static/{asset}")).status == 200
    assert (await webchat.client.get("/chat/static/../adapter.py")).status in (403, 404)


async def test_only_the_chat_page_may_ask_for_the_microphone_and_it_stops_before_the_limit(
    webchat: WebChat,
) -> None:
    page = await webchat.client.get("/chat?lang=fi")
    policy = page.headers["Permissions-Policy"]
    assert "microphone=(self)" in policy and "camera=()" in policy
    assert 'data-max-recording-seconds="598"' in await page.text()  # the voice limit, 600 s
    elsewhere = await webchat.client.get("/healthz")
    assert "microphone=()" in elsewhere.headers["Permissions-Policy"]
    recorder = await webchat.client.get("/chat/static/recorder.js")
    assert recorder.status == 200
    source = await recorder.text()
    # The recording stays in the page's memory: no storage of any kind is even named.
    for storage in ("localStorage", "sessionStorage", "indexedDB", "caches"):
        assert storage not in source.split("*/", 1)[1]


def test_page_and_scripts_have_no_inline_code_or_third_party_urls() -> None:
    template = (STATIC / "templates" / "chat.html").read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", template)
    assert "<style" not in template and "style=" not in template
    assert not re.search(r"\son[a-z]+=", template)
    for path in (STATIC / "static").iterdir():
        source = path.read_text(encoding="utf-8")
        urls = re.findall(r"https?://[^\s\"')]+", source)
        # Only the widget's documentation example names another host.
        assert all("example.fi" in url for url in urls), (path.name, urls)
        assert "document.cookie" not in source
        # localStorage only behind the resident's "Remember this device" (one accessor in
        # chat.js, exercised in test_webchat_remember_browser.py); nowhere else.
        expected = 1 if path.name == "chat.js" else 0
        assert source.count("window.localStorage") == expected, path.name
        assert re.sub(r"window\.localStorage", "", source).count("localStorage.") == 0, path.name


def test_the_protocol_document_names_every_frame_type_and_error_code() -> None:
    from adapters.webchat.frames import ERROR_CODES, SERVER_FRAME_TYPES

    document = PROTOCOL_DOC.read_text(encoding="utf-8")
    for kind in (*SERVER_FRAME_TYPES, "hello", "message", "choice", "typing"):
        assert f"`{kind}`" in document, kind
    for code in ERROR_CODES:
        assert f"`{code}`" in document, code
