"""Fixtures for adapter tests: the real service with the web chat, served over real sockets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import col, select

from adapters.webchat import WebChatAdapter
from bot.access import Staff
from bot.actions.context import SYSTEM
from bot.actions.residents import resident_view
from bot.actions.users import create_user
from bot.app import RESIDENT_LANGUAGES, Service, build_web_app, library_lookup
from bot.roles import Role
from bot.store.tables import Conversation, Message
from privacy.pseudonym import pseudonymise

DEADLINE_SECONDS = 10.0


@dataclass
class ChatSocket:
    """One browser-like socket on /chat/ws; collects every server frame it receives."""

    socket: aiohttp.ClientWebSocketResponse
    received: list[dict[str, Any]] = field(default_factory=list)
    _seen: int = 0

    async def send(self, frame: dict[str, Any]) -> None:
        await self.socket.send_str(json.dumps(frame))

    async def next(
        self, predicate: Callable[[dict[str, Any]], bool] | None = None
    ) -> dict[str, Any]:
        """The next not yet consumed frame matching predicate (waits up to the deadline)."""
        async with asyncio.timeout(DEADLINE_SECONDS):
            while True:
                while self._seen < len(self.received):
                    frame = self.received[self._seen]
                    self._seen += 1
                    if predicate is None or predicate(frame):
                        return frame
                message = await self.socket.receive()
                if message.type is not aiohttp.WSMsgType.TEXT:
                    raise AssertionError(f"socket ended: {message.type} {self.socket.close_code}")
                self.received.append(json.loads(message.data))

    async def next_of(self, kind: str, **fields: Any) -> dict[str, Any]:
        return await self.next(
            lambda f: f["type"] == kind and all(f.get(k) == v for k, v in fields.items())
        )

    async def hello(self, token: str | None = None, lang: str = "fi") -> tuple[str, dict[str, Any]]:
        frame: dict[str, Any] = {"type": "hello", "lang": lang}
        if token:
            frame["token"] = token
        await self.send(frame)
        welcome = await self.next_of("welcome")
        history = await self.next_of("history")
        return welcome["token"], history

    async def closed(self) -> int | None:
        """Wait until the server closes this socket; its close code."""
        async with asyncio.timeout(DEADLINE_SECONDS):
            while True:
                message = await self.socket.receive()
                if message.type is aiohttp.WSMsgType.TEXT:
                    self.received.append(json.loads(message.data))
                    continue
                if message.type in (
                    aiohttp.WSMsgType.CLOSE,
                    aiohttp.WSMsgType.CLOSED,
                    aiohttp.WSMsgType.CLOSING,
                    aiohttp.WSMsgType.ERROR,
                ):
                    return self.socket.close_code


@dataclass
class WebChat:
    service: Service
    adapter: WebChatAdapter
    client: TestClient[Any, Any]
    sockets: list[ChatSocket] = field(default_factory=list)

    async def connect(self, **headers: str) -> ChatSocket:
        socket = await self.client.ws_connect("/chat/ws", headers=headers or None)
        chat = ChatSocket(socket)
        self.sockets.append(chat)
        return chat


WebChatFactory = Callable[..., Awaitable[WebChat]]


def build_adapter(service: Service, **limits: Any) -> WebChatAdapter:
    core = service.core
    return WebChatAdapter(
        texts=core.texts,
        languages=RESIDENT_LANGUAGES,
        history=lambda sender: resident_view(core, "webchat", sender),
        library=library_lookup(core),
        max_message_chars=service.settings.max_message_chars,
        connections_gauge=lambda count: core.metrics.websocket_connections.labels(
            kind="webchat"
        ).set(count),
        **limits,
    )


@pytest.fixture
async def webchat_factory(service: Service) -> AsyncIterator[WebChatFactory]:
    started: list[WebChat] = []

    async def start(**limits: Any) -> WebChat:
        adapter = build_adapter(service, **limits)
        service.add_adapter(adapter)
        client: TestClient[Any, Any] = TestClient(TestServer(build_web_app(service)))
        await client.start_server()
        chat = WebChat(service, adapter, client)
        started.append(chat)
        return chat

    yield start
    for chat in started:
        for socket in chat.sockets:
            await socket.socket.close()
        await chat.client.close()


@pytest.fixture
async def webchat(webchat_factory: WebChatFactory) -> WebChat:
    return await webchat_factory()


async def counsellor(service: Service, username: str, display_name: str) -> Staff:
    """A counsellor in the default queue, as the console would act for them."""
    user = await create_user(
        service.core,
        SYSTEM,
        username=username,
        role=Role.COUNSELLOR,
        password="a long test password",
        queues=("general",),
        display_name=display_name,
    )
    return Staff(user.id, Role.COUNSELLOR, user.display_name, frozenset({"general"}), 3)


async def conversation_of(service: Service, token: str) -> Conversation:
    """The web-chat resident's latest conversation (found the way the core finds it)."""
    pseudonym = pseudonymise(service.core.keyring.pepper, "webchat", token)
    async with service.core.database.session() as session:
        rows = await session.execute(
            select(Conversation)
            .where(Conversation.pseudonym == pseudonym)
            .order_by(col(Conversation.created_at).desc())
        )
        found = rows.scalars().first()
    assert found is not None, "no conversation for this token"
    return found


async def stored_messages(service: Service, token: str) -> list[Message]:
    conversation = await conversation_of(service, token)
    async with service.core.database.session() as session:
        rows = await session.execute(
            select(Message).where(Message.conversation_id == conversation.id)
        )
        return list(rows.scalars())
