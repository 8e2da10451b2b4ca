"""A local Telegram Bot API stand-in for tests: the documented JSON, the real error shapes.

Serves only what the adapter uses; never meant to run outside tests.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "424242:TEST-token_for-stand-in"
BOT_USER = {
    "id": 424242,
    "is_bot": True,
    "first_name": "Somesossu",
    "username": "somesossu_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Parameters PTB sends as plain strings (everything else is JSON-encoded in the form).
_STRING_PARAMETERS = {"text", "callback_query_id", "url", "secret_token", "file_id", "caption"}


def error(status: int, description: str, **parameters: Any) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return status, body


GONE = error(404, "Not Found")
RATE_LIMITED = error(429, "Too Many Requests: retry after 7", retry_after=7)
BLOCKED = error(403, "Forbidden: bot was blocked by the user")
CANNOT_DELETE = error(400, "Bad Request: message can't be deleted for everyone")
NOT_FOUND = error(400, "Bad Request: message to delete not found")
INVALID_FILE_ID = error(400, "Bad Request: invalid file_id")
FILE_TOO_BIG = error(400, "Bad Request: file is too big")
FILE_UNAVAILABLE = error(400, "Bad Request: wrong file_id or the file is temporarily unavailable")
DOWNLOAD_LIMIT = 20 * 1024 * 1024
"""The Bot API's own limit: getFile refuses a larger file as "file is too big"."""


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class HeldFile:
    """A file Telegram keeps for a message: its bytes, the size it declares, where it lies."""

    data: bytes
    file_path: str
    declared_size: int


@dataclass
class Person:
    """A Telegram user with every profile field the adapter must drop."""

    user_id: int
    first_name: str
    last_name: str
    username: str
    phone: str
    language_code: str = "fi"

    @property
    def user(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
            "is_premium": True,
        }

    @property
    def chat(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "type": "private",
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
        }


@dataclass
class BotApiStandIn:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, Any]] | None]] = field(default_factory=dict)
    undeletable: set[int] = field(default_factory=set)
    deleted: set[tuple[int, int]] = field(default_factory=set)
    confirmed_offset: int = 0
    webhook_url: str = ""
    files: dict[str, HeldFile] = field(default_factory=dict)
    # Downloads wait for this while it is unset (a Telegram that stops sending mid-file).
    downloads_flowing: asyncio.Event = field(default_factory=asyncio.Event)
    _file_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(9001))
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(501))
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._download)
        self.downloads_flowing.set()
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        self.downloads_flowing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what tests do -------------------------------------------------------------------

    def fail_next(
        self, method: str, response: tuple[int, dict[str, Any]], *, after: int = 0
    ) -> None:
        """Answer a later call of `method` with an error; `after` calls succeed first."""
        self.failures.setdefault(method, []).extend([None] * after + [response])

    def next_message_id(self) -> int:
        return next(self._message_ids)

    async def push(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        async with self._changed:
            self.pending.append(update)
            self._changed.notify_all()
        return int(update["update_id"])

    def text_update(self, person: Person, text: str) -> dict[str, Any]:
        return self._message_update(person, {"text": text})

    def media_update(self, person: Person, content: dict[str, Any]) -> dict[str, Any]:
        return self._message_update(person, content)

    def _message_update(self, person: Person, content: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": self.next_message_id(),
            "date": int(time.time()),
            "from": person.user,
            "chat": person.chat,
            **content,
        }
        return {"update_id": next(self._update_ids), "message": message}

    def hold(
        self,
        data: bytes,
        *,
        declared_size: int | None = None,
        in_message: bool = True,
        file_path: str | None = None,
    ) -> dict[str, Any]:
        """Keep a file as Telegram would; its fields as a message carries them. Telegram
        declares `declared_size` (the real size by default), the message too if `in_message`."""
        number = next(self._file_ids)
        file_id = f"AgACAgQAAxkBAAI{number:04d}zqFileId"
        size = len(data) if declared_size is None else declared_size
        self.files[file_id] = HeldFile(data, file_path or f"documents/file_{number}.bin", size)
        fields: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"AQAD{number:04d}"}
        if in_message:
            fields["file_size"] = size
        return fields

    def photo_update(
        self, person: Person, data: bytes, *, caption: str = "", **held: Any
    ) -> dict[str, Any]:
        """A compressed photo: a small thumbnail first, then the full size, as Telegram lists."""
        thumbnail = {**self.hold(b"thumbnail, not a picture"), "width": 90, "height": 45}
        full = {**self.hold(data, **held), "width": 1280, "height": 640}
        content: dict[str, Any] = {"photo": [thumbnail, full]}
        return self._message_update(person, {**content, **_caption(caption)})

    def document_update(
        self,
        person: Person,
        data: bytes,
        *,
        file_name: str = "IMG_20261205_zq-name.jpg",
        mime_type: str = "image/jpeg",
        caption: str = "",
        **held: Any,
    ) -> dict[str, Any]:
        document = {**self.hold(data, **held), "file_name": file_name, "mime_type": mime_type}
        return self._message_update(person, {"document": document, **_caption(caption)})

    def voice_update(self, person: Person, data: bytes, **held: Any) -> dict[str, Any]:
        voice = {**self.hold(data, **held), "duration": 2, "mime_type": "audio/ogg"}
        return self._message_update(person, {"voice": voice})

    def file_calls(self) -> list[Call]:
        """Every getFile and download the stand-in was asked for."""
        return [call for call in self.calls if call.method in ("getFile", "download")]

    def press_update(self, person: Person, data: str) -> dict[str, Any]:
        keyboard_message = next(
            (
                call.params.get("_message_id")
                for call in reversed(self.calls)
                if call.method == "sendMessage" and call.params.get("chat_id") == person.user_id
            ),
            1,
        )
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": f"cq{next(self._update_ids)}",
                "from": person.user,
                "chat_instance": "-77",
                "data": data,
                "message": {
                    "message_id": keyboard_message,
                    "date": int(time.time()),
                    "from": BOT_USER,
                    "chat": person.chat,
                    "text": "menu",
                },
            },
        }

    def sent_to(self, person: Person) -> list[dict[str, Any]]:
        return [
            call.params
            for call in self.calls
            # Only what got through: a refused call (429, 403) delivered nothing.
            if call.method == "sendMessage"
            and call.params.get("chat_id") == person.user_id
            and "_message_id" in call.params
        ]

    def texts_to(self, person: Person) -> list[str]:
        return [str(params["text"]) for params in self.sent_to(person)]

    def buttons_of(self, params: dict[str, Any]) -> list[str]:
        markup = params.get("reply_markup") or {}
        return [row[0]["callback_data"] for row in markup.get("inline_keyboard", [])]

    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    async def wait_for(self, condition: Callable[[], bool], within: float = 10.0) -> None:
        """Wait until `condition()` holds, re-checked on every API call the stand-in serves."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), within)

    # -- the Bot API ----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            status, body = error(401, "Unauthorized")
            return web.json_response(body, status=status)
        method = request.match_info["method"]
        params = await _params(request)
        call = Call(method, params)
        self.calls.append(call)
        failures = self.failures.get(method)
        failure = failures.pop(0) if failures else None
        if failure is not None:
            status, body = failure
            await self._notify()
            return web.json_response(body, status=status)
        try:
            if method == "getUpdates":
                return await self._get_updates(params)
            result = self._answer(method, params)
        finally:
            await self._notify()
        if isinstance(result, tuple):
            status, body = result
            return web.json_response(body, status=status)
        return web.json_response({"ok": True, "result": result})

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _download(self, request: web.Request) -> web.Response:
        """GET /file/bot<token>/<file_path>: the bytes, or the Bot API's JSON error."""
        file_path = request.match_info["file_path"]
        self.calls.append(Call("download", {"file_path": file_path}))
        await self._notify()
        held = next((f for f in self.files.values() if f.file_path == file_path), None)
        failures = self.failures.get("download")
        failure = failures.pop(0) if failures else None
        if failure is not None:
            status, body = failure
        elif request.match_info["token"] != self.token:
            status, body = error(401, "Unauthorized")
        elif held is None:
            status, body = error(404, "Not Found")
        else:
            await self.downloads_flowing.wait()
            return web.Response(body=held.data, content_type="application/octet-stream")
        return web.json_response(body, status=status)

    def _get_file(self, params: dict[str, Any]) -> Any:
        file_id = str(params.get("file_id", ""))
        held = self.files.get(file_id)
        if held is None:
            return INVALID_FILE_ID
        if held.declared_size > DOWNLOAD_LIMIT:
            return FILE_TOO_BIG
        return {
            "file_id": file_id,
            "file_unique_id": "AQAD" + file_id[-10:],
            "file_size": held.declared_size,
            "file_path": held.file_path,
        }

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "setWebhook":
            self.webhook_url = str(params["url"])
            return True
        if method == "deleteWebhook":
            self.webhook_url = ""
            return True
        if method == "answerCallbackQuery":
            return True
        if method == "getFile":
            return self._get_file(params)
        if method == "sendMessage":
            message_id = self.next_message_id()
            params["_message_id"] = message_id
            chat_id = int(params["chat_id"])
            return {
                "message_id": message_id,
                "date": int(time.time()),
                "from": BOT_USER,
                "chat": {"id": chat_id, "type": "private"},
                "text": params["text"],
            }
        if method == "sendDocument":
            document = params["document"]
            if not isinstance(document, dict) or not document.get("data"):
                return error(400, "Bad Request: there is no document in the request")
            message_id = self.next_message_id()
            params["_message_id"] = message_id
            return {
                "message_id": message_id,
                "date": int(time.time()),
                "from": BOT_USER,
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "document": {
                    "file_id": f"BQAC-sent-{message_id}",
                    "file_unique_id": f"AgAD-{message_id}",
                    "file_name": document["filename"],
                    "mime_type": document["content_type"],
                    "file_size": len(document["data"]),
                },
                **_caption(str(params.get("caption") or "")),
            }
        if method == "deleteMessage":
            key = (int(params["chat_id"]), int(params["message_id"]))
            if key[1] in self.undeletable:
                return CANNOT_DELETE
            if key in self.deleted:
                return NOT_FOUND
            self.deleted.add(key)
            return True
        return error(404, "Not Found: method not found")

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        if self.webhook_url:
            status, body = error(
                409, "Conflict: can't use getUpdates method while webhook is active"
            )
            return web.json_response(body, status=status)
        async with self._changed:
            if offset:
                # Calling getUpdates with an offset confirms every earlier update.
                self.confirmed_offset = max(self.confirmed_offset, offset)
                self.pending = [u for u in self.pending if u["update_id"] >= offset]
            self._changed.notify_all()
            timeout = min(float(params.get("timeout") or 0), 1.0)
            if not self.pending and timeout:
                try:
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self.pending)), timeout
                    )
                except TimeoutError:
                    pass
            limit = int(params.get("limit") or 100)
            result = self.pending[:limit]
        return web.json_response({"ok": True, "result": result})


def _caption(caption: str) -> dict[str, Any]:
    return {"caption": caption} if caption else {}


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        data: dict[str, Any] = await request.json()
        return data
    form = await request.post()
    params: dict[str, Any] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):  # an uploaded file (sendDocument's document)
            params[key] = {
                "filename": value.filename,
                "content_type": value.content_type,
                "data": value.file.read(),
            }
            continue
        text = str(value)
        if key in _STRING_PARAMETERS:
            params[key] = text
            continue
        try:
            params[key] = json.loads(text)
        except ValueError:
            params[key] = text
    return params
