"""The resident web chat: the `/chat` page, its widget script and the `/chat/ws` socket.

Never stores, logs or exports an IP address or a session token; the token reaches the core
only as the sender id (pseudonymised there) and never leaves this process otherwise.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import jinja2
from aiohttp import WSCloseCode, WSMsgType, web

from adapters.base import Capabilities, InboundSink, Languages, SignalSink
from bot.channels import chosen_language
from bot.events import (
    Author,
    ChannelName,
    DeliveryId,
    Inbound,
    Outbound,
    ReplyAddress,
    ResidentSignal,
    StoreUnavailable,
)

from . import frames
from .frames import ChoiceFrame, ErrorCode, FrameError, Hello, Leave, Message, Typing
from .limits import ConnectionCounter, SlidingWindow
from .page_texts import TextCatalog, page_text, page_texts

log = logging.getLogger("somesossu.webchat")

CHANNEL = ChannelName("webchat")
HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"

SEND_TIMEOUT_SECONDS = 10.0
HEARTBEAT_SECONDS = 30.0
TYPING_INTERVAL_SECONDS = 3.0
SESSION_LINGER_SECONDS = 60.0
# Frames of any kind per socket and minute: bounds the work a misbehaving client causes.
FRAMES_PER_MINUTE = 240
HARD_FRAME_FACTOR = 4


class HistoryItem(Protocol):
    """One message of `bot.actions.residents.HistoryEntry` (structural: no core import)."""

    @property
    def id(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def display_name(self) -> str | None: ...
    @property
    def kind(self) -> str: ...


class ResidentHistory(Protocol):
    """What `bot.actions.residents.resident_view` returns."""

    @property
    def conversation_id(self) -> str | None: ...
    @property
    def state(self) -> str | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def history(self) -> Sequence[HistoryItem]: ...


HistoryLookup = Callable[[str], Awaitable[ResidentHistory]]


class Connection:
    """One open socket; sends are serialised because the outbox and the reader both write."""

    def __init__(self, socket: web.WebSocketResponse) -> None:
        self.socket = socket
        self._lock = asyncio.Lock()

    async def send(self, frame: dict[str, Any]) -> bool:
        if self.socket.closed:
            return False
        try:
            async with self._lock:
                await asyncio.wait_for(
                    self.socket.send_str(frames.encode(frame)), SEND_TIMEOUT_SECONDS
                )
        except (ConnectionError, RuntimeError, TimeoutError):
            return False
        return True


@dataclass(eq=False)
class WebSession:
    """One browser tab's conversation, known by the hash of its token (the reply address)."""

    address: ReplyAddress
    sender_id: str
    language: str
    messages: SlidingWindow
    connections: set[Connection] = field(default_factory=set)
    counsellors: set[str] = field(default_factory=set)
    last_typing: float = float("-inf")
    last_active: float = 0.0

    def __repr__(self) -> str:
        # The sender id is the token: keep it out of every repr and traceback.
        return f"WebSession(connections={len(self.connections)})"


def address_of(token: str) -> ReplyAddress:
    """The reply address stored (sealed) by the core: a hash, so it cannot open the session."""
    return ReplyAddress("web:" + hashlib.sha256(f"webchat:{token}".encode()).hexdigest()[:40])


class WebChatAdapter:
    """Adapter + ServesWeb + SendsSignals for the resident web chat."""

    def __init__(
        self,
        *,
        texts: TextCatalog,
        languages: Languages,
        history: HistoryLookup,
        max_message_chars: int = 4000,
        messages_per_minute: int = 20,
        connections_per_address: int = 20,
        max_frame_bytes: int | None = None,
        frame_ancestors: str = "'self'",
        leave_url: str = "https://www.google.com/",
        connections_gauge: Callable[[int], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        trusted_proxies: frozenset[str] = frozenset(),
    ) -> None:
        self._texts = texts
        self._languages = languages
        self._trusted_proxies = trusted_proxies
        self._history = history
        self.max_message_chars = max_message_chars
        self.messages_per_minute = messages_per_minute
        # A full-length message must fit even JSON-escaped (\uXXXX: 6 bytes per character).
        self.max_frame_bytes = max_frame_bytes or max(16 * 1024, max_message_chars * 6 + 1024)
        self.frame_ancestors = frame_ancestors
        self.leave_url = leave_url
        self._gauge = connections_gauge
        self._clock = clock
        self._connections = ConnectionCounter(connections_per_address)
        self._sessions: dict[ReplyAddress, WebSession] = {}
        self._open: set[Connection] = set()
        self._sink: InboundSink | None = None
        self._signals: SignalSink | None = None
        self._stopping = False
        self._pages = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )

    # Adapter protocol

    @property
    def name(self) -> ChannelName:
        return CHANNEL

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            buttons=True, message_deletion=True, typing=True, max_length=self.max_message_chars
        )

    async def start(self, sink: InboundSink) -> None:
        self._sink = sink
        self._stopping = False

    def attach_signals(self, signals: SignalSink) -> None:
        self._signals = signals

    async def close_sockets(self) -> None:
        """Close every resident socket with 1001 so browsers reconnect (to another instance).

        Called when the server begins to shut down: until its sockets close, the server waits.
        """
        self._stopping = True
        for connection in list(self._open):
            await connection.socket.close(code=WSCloseCode.GOING_AWAY)

    async def stop(self) -> None:
        await self.close_sockets()
        self._sink = None

    def holds(self, address: ReplyAddress) -> bool:
        """Whether a socket of this session is open on this instance (it can push live)."""
        session = self._sessions.get(address)
        return session is not None and bool(session.connections)

    async def send(self, address: ReplyAddress, outbound: Outbound) -> DeliveryId:
        """Push to every open socket of the session. With none open the message still counts as
        delivered: it is in the conversation's history, which the resident sees on reconnect."""
        session = self._sessions.get(address)
        if session is not None:
            for frame in self._frames_for(session, outbound):
                for connection in list(session.connections):
                    await connection.send(frame)
        return DeliveryId(outbound.message_id or f"outbox:{outbound.outbox_id}")

    def _frames_for(self, session: WebSession, outbound: Outbound) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if outbound.withdraw:
            out.append(frames.forget())
        if outbound.retract:
            out.append(
                frames.retract([str(i) for i in outbound.retract if not i.startswith("in:")])
            )
        out.append(
            frames.message(
                message_id=outbound.message_id or f"outbox:{outbound.outbox_id}",
                author=str(outbound.author),
                text=outbound.text,
                at=_iso_text(outbound.sent_at),
                display_name=outbound.display_name
                if outbound.author is Author.COUNSELLOR
                else None,
            )
        )
        out += self._events_for(session, outbound)
        if outbound.choices:
            out.append(frames.choices([(c.value, c.label) for c in outbound.choices]))
        return out

    def _events_for(self, session: WebSession, outbound: Outbound) -> list[dict[str, Any]]:
        """The moments a message marks, as the core names them (`Outbound.event`); never
        guessed from the rendered text, which depends on the language and the catalog."""
        if outbound.event == "joined" and outbound.display_name:
            session.counsellors.add(outbound.display_name)
            return [frames.joined(outbound.display_name)]
        if outbound.event == "ended":
            return [frames.ended()]
        if outbound.author is Author.COUNSELLOR and outbound.display_name:
            # A counsellor named for the first time in this tab (a transfer): show who answers.
            if outbound.display_name not in session.counsellors:
                session.counsellors.add(outbound.display_name)
                return [frames.joined(outbound.display_name)]
        return []

    # Web

    def routes(self) -> Iterable[web.AbstractRouteDef]:
        return [
            web.get("/chat", self._page),
            web.get("/chat/widget.js", self._widget),
            web.get("/chat/ws", self._socket),
            web.static("/chat/static", STATIC, append_version=False),
        ]

    def _page_headers(self) -> dict[str, str]:
        return {
            # Own CSP so the page may be framed by the city's site; no inline code allowed.
            "Content-Security-Policy": (
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                f"connect-src 'self'; frame-ancestors {self.frame_ancestors}; base-uri 'none'; "
                "form-action 'self'"
            ),
            # Browsers that honour frame-ancestors ignore this; older ones get same-origin.
            "X-Frame-Options": "SAMEORIGIN",
            "Cache-Control": "no-store",
        }

    async def _page(self, request: web.Request) -> web.Response:
        lang = request.query.get("lang")
        chosen = lang if lang in self._languages.codes else None
        template = self._pages.get_template("chat.html")
        page_lang = chosen or self._languages.default
        body = template.render(
            lang=chosen,
            page_lang=page_lang,
            direction="rtl" if page_lang in self._languages.right_to_left else "ltr",
            t=page_texts(self._texts, page_lang),
            texts_json=json.dumps(page_texts(self._texts, page_lang), ensure_ascii=False),
            leave_labels=[
                (code, page_text(self._texts, code, "webchat_leave"))
                for code in (self._languages.default, "en")
            ],
            languages=[
                (
                    code,
                    self._texts.language_name(code),
                    "rtl" if code in self._languages.right_to_left else "ltr",
                    self._texts.text(code, "choose_language"),
                )
                for code in self._languages.codes
            ],
            leave_url=self.leave_url,
            max_chars=self.max_message_chars,
        )
        return web.Response(
            text=body, content_type="text/html", charset="utf-8", headers=self._page_headers()
        )

    async def _widget(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(
            STATIC / "widget.js",
            headers={"Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache"},
        )

    # The socket

    def _error(
        self,
        code: str,
        lang: str,
        *,
        client_id: str | None = None,
        retry_after: float | None = None,
        fatal: bool = False,
    ) -> dict[str, Any]:
        return frames.error(
            code,
            self._error_text(code, lang),
            client_id=client_id,
            retry_after=retry_after,
            fatal=fatal,
        )

    def _error_text(self, code: str, lang: str) -> str:
        if code in (ErrorCode.TOO_LONG, ErrorCode.FRAME_TOO_LARGE):
            return self._texts.text(lang, "too_long", max=self.max_message_chars)
        if code in (ErrorCode.RATE_LIMITED, ErrorCode.TOO_MANY_FRAMES):
            return self._texts.text(lang, "rate_limited")
        if code == ErrorCode.TOO_MANY_CONNECTIONS:
            return page_text(self._texts, lang, "webchat_too_many_connections")
        return self._texts.text(lang, "error_try_again")

    def _report_connections(self) -> None:
        if self._gauge is not None:
            self._gauge(len(self._open))

    def _client_address(self, request: web.Request) -> str:
        """The resident's address for the connection limit (never stored or logged).

        Behind a trusted reverse proxy every socket comes from the proxy; the proxy's
        X-Forwarded-For then names the client (its last hop is the one the proxy added).
        """
        remote = request.remote or "unknown"
        if remote in self._trusted_proxies:
            forwarded = request.headers.get("X-Forwarded-For", "")
            hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
            if hops:
                return hops[-1]
        return remote

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        query_lang = request.query.get("lang", "")
        lang = query_lang if query_lang in self._languages.codes else self._languages.default
        socket = web.WebSocketResponse(
            heartbeat=HEARTBEAT_SECONDS,
            max_msg_size=self.max_frame_bytes * HARD_FRAME_FACTOR,
        )
        # Counted by a salted hash in memory only; the address itself is never kept.
        slot = self._connections.acquire(self._client_address(request))
        await socket.prepare(request)
        connection = Connection(socket)
        if slot is None or self._stopping:
            code = ErrorCode.TOO_MANY_CONNECTIONS if slot is None else ErrorCode.TRY_AGAIN
            await connection.send(self._error(code, lang, fatal=True))
            await socket.close(code=WSCloseCode.POLICY_VIOLATION)
            if slot is not None:
                self._connections.release(slot)
            return socket
        self._open.add(connection)
        self._report_connections()
        session: WebSession | None = None
        try:
            session = await self._converse(connection, lang)
        finally:
            self._open.discard(connection)
            self._connections.release(slot)
            if session is not None:
                session.connections.discard(connection)
                session.last_active = self._clock()
            self._report_connections()
        return socket

    async def _converse(self, connection: Connection, lang: str) -> WebSession | None:
        socket = connection.socket
        budget = SlidingWindow(FRAMES_PER_MINUTE, 60.0)
        session: WebSession | None = None
        while not socket.closed:
            received = await socket.receive()
            if received.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                break
            if received.type is WSMsgType.ERROR:
                # aiohttp has already closed the socket (1009 too big, 1007 bad UTF-8 ...).
                break
            current = session.language if session else lang
            if budget.take(self._clock()) is not None:
                await connection.send(self._error(ErrorCode.TOO_MANY_FRAMES, current, fatal=True))
                await socket.close(code=WSCloseCode.POLICY_VIOLATION)
                break
            if received.type is not WSMsgType.TEXT:
                await connection.send(self._error(ErrorCode.BAD_FRAME, current))
                continue
            raw = received.data
            if len(raw) > self.max_frame_bytes or len(raw.encode()) > self.max_frame_bytes:
                await connection.send(self._error(ErrorCode.FRAME_TOO_LARGE, current))
                continue
            parsed = frames.parse_client_frame(raw, max_chars=self.max_message_chars)
            if isinstance(parsed, FrameError):
                await connection.send(self._error(parsed.code, current, client_id=parsed.client_id))
            elif isinstance(parsed, Hello):
                if session is not None:
                    await connection.send(self._error(ErrorCode.DUPLICATE_HELLO, current))
                    continue
                session = await self._hello(connection, parsed, lang)
                if session is None:
                    break
            elif session is None:
                await connection.send(self._error(ErrorCode.HELLO_FIRST, current))
            elif isinstance(parsed, Typing):
                await self._typing(session)
            elif isinstance(parsed, Leave):
                await self._leave(session)
            else:
                await self._resident_input(connection, session, parsed)
        return session

    async def _hello(self, connection: Connection, hello: Hello, lang: str) -> WebSession | None:
        self._prune()
        resumed = hello.token is not None
        token = hello.token or secrets.token_urlsafe(32)
        try:
            view = await self._history(token) if resumed else None
        except Exception:
            log.exception("webchat.history_failed")
            await connection.send(self._error(ErrorCode.TRY_AGAIN, lang, fatal=True))
            await connection.socket.close(code=WSCloseCode.TRY_AGAIN_LATER)
            return None
        language = next(
            (
                code
                for code in (hello.lang, view.language if view else None)
                if code in self._languages.codes and code is not None
            ),
            lang,
        )
        address = address_of(token)
        session = self._sessions.get(address)
        if session is None:
            session = WebSession(
                address=address,
                sender_id=token,
                language=language,
                messages=SlidingWindow(self.messages_per_minute, 60.0),
            )
            self._sessions[address] = session
        session.language = language
        session.connections.add(connection)
        session.last_active = self._clock()
        await connection.send(
            frames.welcome(
                token,
                resumed=resumed,
                max_chars=self.max_message_chars,
                per_minute=self.messages_per_minute,
            )
        )
        entries = [
            frames.message(
                message_id=item.id,
                author=item.author,
                text=item.text,
                at=_iso(item.at),
                display_name=item.display_name if item.author == Author.COUNSELLOR else None,
                kind=item.kind,
            )
            for item in (view.history if view else ())
        ]
        for entry in entries:
            if entry.get("display_name"):
                session.counsellors.add(entry["display_name"])
        await connection.send(
            frames.history(
                entries,
                state=view.state if view else None,
                language=view.language if view else None,
            )
        )
        return session

    def _prune(self) -> None:
        """Forget sessions with no socket whose rate window has passed (bounded memory)."""
        now = self._clock()
        for address, session in list(self._sessions.items()):
            if not session.connections and now - session.last_active > SESSION_LINGER_SECONDS:
                del self._sessions[address]

    async def _typing(self, session: WebSession) -> None:
        now = self._clock()
        if self._signals is None or now - session.last_typing < TYPING_INTERVAL_SECONDS:
            return
        session.last_typing = now
        try:
            await self._signals(ResidentSignal(CHANNEL, session.sender_id, "typing"))
        except Exception:
            # Typing is a courtesy: a failure must never end the resident's socket.
            log.warning("webchat.typing_failed")

    async def _leave(self, session: WebSession) -> None:
        """Quick exit: the core ends the conversation, so no counsellor answers into the void.

        The page is gone by now (no answer is sent); a failure is logged, never retried by it.
        """
        session.last_active = self._clock()
        if self._signals is None:
            log.warning("webchat.leave_unhandled")
            return
        try:
            await self._signals(ResidentSignal(CHANNEL, session.sender_id, "left"))
        except Exception:
            log.exception("webchat.leave_failed")

    async def _resident_input(
        self, connection: Connection, session: WebSession, frame: Message | ChoiceFrame
    ) -> None:
        client_id = frame.client_id or secrets.token_urlsafe(12)
        now = self._clock()
        session.last_active = now
        wait = session.messages.take(now)
        if wait is not None:
            await connection.send(
                self._error(
                    ErrorCode.RATE_LIMITED,
                    session.language,
                    client_id=frame.client_id,
                    retry_after=wait,
                )
            )
            return
        sink = self._sink
        if sink is None:
            await connection.send(
                self._error(
                    ErrorCode.TRY_AGAIN, session.language, client_id=frame.client_id, retry_after=2
                )
            )
            return
        inbound = Inbound(
            channel=CHANNEL,
            sender_id=session.sender_id,
            reply_address=session.address,
            # Same token and client id after a reconnect: the core drops the duplicate.
            platform_message_id=f"{session.address.removeprefix('web:')[:16]}:{client_id}",
            received_at=datetime.now(UTC),
            text=frame.text if isinstance(frame, Message) else "",
            choice=frame.value if isinstance(frame, ChoiceFrame) else None,
            language_hint=session.language,
        )
        try:
            await sink(inbound)
        except StoreUnavailable:
            await connection.send(
                self._error(
                    ErrorCode.TRY_AGAIN, session.language, client_id=frame.client_id, retry_after=2
                )
            )
            return
        except Exception:
            log.exception("webchat.inbound_failed")
            await connection.send(
                self._error(
                    ErrorCode.TRY_AGAIN, session.language, client_id=frame.client_id, retry_after=5
                )
            )
            return
        chosen = chosen_language(frame.value) if isinstance(frame, ChoiceFrame) else None
        if chosen is not None and chosen in self._languages.codes:
            session.language = chosen
        if frame.client_id is not None:
            await connection.send(frames.delivered(frame.client_id))

    # For tests and the metrics gauge

    @property
    def open_connections(self) -> int:
        return len(self._open)


def _iso_text(sent_at: str | None) -> str:
    if sent_at is None:
        return datetime.now(UTC).isoformat()
    try:
        return _iso(datetime.fromisoformat(sent_at))
    except ValueError:
        return datetime.now(UTC).isoformat()


def _iso(moment: datetime) -> str:
    # The core stores naive UTC datetimes: say so, so browsers show local time correctly.
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.isoformat()
