"""The resident web chat: the `/chat` page, its widget script and the `/chat/ws` socket.

Never stores, logs or exports an IP address or a session token; the token reaches the core
only as the sender id (pseudonymised there), the address only as a message's origin (of which
the core keeps a keyed digest, bot/origins.py), and neither leaves this process otherwise.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from adapters.base import Capabilities, InboundSink, Languages, SignalSink
from bot.channels import chosen_language
from bot.events import (
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
from .library import LibraryLookup, library_handler
from .limits import ConnectionCounter, SlidingWindow
from .message_frames import HistoryLookup, history_frame, outbound_frames
from .page import STATIC, ChatPage
from .page_texts import TextCatalog, page_text
from .sessions import Connection, WebSession, address_of
from .uploads import Uploads

# `address_of` is the reply address of a token, asked for by tests through this module.
__all__ = ["CHANNEL", "WebChatAdapter", "address_of"]

log = logging.getLogger("somesossu.webchat")

CHANNEL = ChannelName("webchat")

HEARTBEAT_SECONDS = 30.0
TYPING_INTERVAL_SECONDS = 3.0
SESSION_LINGER_SECONDS = 60.0
# Frames of any kind per socket and minute: bounds the work a misbehaving client causes.
FRAMES_PER_MINUTE = 240
HARD_FRAME_FACTOR = 4


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
        max_upload_bytes: int = 20 * 1024 * 1024,
        library: LibraryLookup | None = None,
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
        self._uploads = Uploads(
            channel=CHANNEL,
            texts=texts,
            sessions=lambda: self._sessions,
            sink=lambda: self._sink,
            max_bytes=max_upload_bytes,
            clock=clock,
        )
        self._library = library_handler(library)
        self._chat_page = ChatPage(
            texts=texts,
            languages=languages,
            max_message_chars=max_message_chars,
            frame_ancestors=frame_ancestors,
            leave_url=leave_url,
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
            for frame in outbound_frames(outbound, session.counsellors):
                for connection in list(session.connections):
                    await connection.send(frame)
        return DeliveryId(outbound.message_id or f"outbox:{outbound.outbox_id}")

    # Web

    def routes(self) -> Iterable[web.AbstractRouteDef]:
        return [
            web.get("/chat", self._chat_page.page),
            web.get("/chat/widget.js", self._chat_page.widget),
            web.get("/chat/ws", self._socket),
            web.post("/chat/upload", self._uploads.upload),
            web.get("/chat/library/{id}", self._library),
            web.static("/chat/static", STATIC, append_version=False),
        ]

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
        """The resident's address for the connection limit and a block's network (never
        stored or logged).

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
        origin = self._client_address(request)
        slot = self._connections.acquire(origin)
        await socket.prepare(request)
        connection = Connection(socket, origin)
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
        await connection.send(history_frame(view, session.counsellors))
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
            origin=connection.origin,
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
