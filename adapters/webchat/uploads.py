"""The resident's file upload: `POST /chat/upload` with the tab's token, the file as the body.

Never keeps, logs or names the file (no name is read at all): its bytes go to the core's sink,
which makes them safe before anything is stored; an upload over the size limit is refused
before it is read to the end.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

from bot.channels import InboundSink
from bot.events import ChannelName, Inbound, ReplyAddress, StoreUnavailable

from .page_texts import TextCatalog
from .sessions import WebSession, address_of

log = logging.getLogger("somesossu.webchat")

SESSION_HEADER = "X-Chat-Token"
CLIENT_ID_HEADER = "X-Client-Id"
CONTENT_TYPE = "application/octet-stream"


@dataclass
class Uploads:
    """What the upload handler needs of the adapter, handed in so it stays one small module."""

    channel: ChannelName
    texts: TextCatalog
    sessions: Callable[[], Mapping[ReplyAddress, WebSession]]
    sink: Callable[[], InboundSink | None]
    max_bytes: int
    clock: Callable[[], float] = time.monotonic

    def _answer(self, status: int, code: str, lang: str, key: str) -> web.Response:
        text = self.texts.text(lang, key)
        return web.json_response(
            {"error": code, "text": text}, status=status, headers={"Cache-Control": "no-store"}
        )

    async def upload(self, request: web.Request) -> web.Response:
        token = request.headers.get(SESSION_HEADER, "")
        session = self.sessions().get(address_of(token)) if token else None
        if session is None or not secrets.compare_digest(session.sender_id, token):
            return web.json_response({"error": "no_session"}, status=403)
        lang = session.language
        if request.content_type != CONTENT_TYPE:
            return self._answer(415, "unsupported", lang, "attachment_unsupported")
        declared = request.content_length
        if declared is not None and declared > self.max_bytes:
            return self._answer(413, "too_large", lang, "attachment_too_large")
        if session.messages.take(self.clock()) is not None:
            return self._answer(429, "rate_limited", lang, "rate_limited")
        data = bytearray()
        async for chunk in request.content.iter_chunked(64 * 1024):
            data += chunk
            if len(data) > self.max_bytes:
                return self._answer(413, "too_large", lang, "attachment_too_large")
        if not data:
            return self._answer(400, "empty", lang, "attachment_unsupported")
        sink = self.sink()
        if sink is None:
            return self._answer(503, "try_again", lang, "error_try_again")
        client_id = request.headers.get(CLIENT_ID_HEADER, "")[:64] or secrets.token_urlsafe(12)
        inbound = Inbound(
            channel=self.channel,
            sender_id=session.sender_id,
            reply_address=session.address,
            platform_message_id=f"{session.address.removeprefix('web:')[:16]}:{client_id}",
            received_at=datetime.now(UTC),
            language_hint=lang,
            file=bytes(data),
        )
        try:
            await sink(inbound)
        except StoreUnavailable:
            return self._answer(503, "try_again", lang, "error_try_again")
        except Exception:
            log.exception("webchat.upload_failed")
            return self._answer(503, "try_again", lang, "error_try_again")
        # Whether the file was kept or refused, the core answers in the chat itself.
        return web.json_response({"delivered": client_id}, headers={"Cache-Control": "no-store"})
