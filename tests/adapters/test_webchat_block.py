"""A web-chat block holds for a new session from the same network, for its duration only
(issue 21, "the partial rows made whole"); the network is kept only as a keyed digest."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from bot.actions import conversations as actions
from bot.app import Service
from bot.store.tables import Block, Conversation
from privacy.pseudonym import pseudonymise
from tests.adapters.conftest import (
    ChatSocket,
    WebChat,
    WebChatFactory,
    conversation_of,
    counsellor,
)
from tests.support.raw import raw_database

PROXY = "127.0.0.1"
BLOCKED_NETWORK = "203.0.113.77"
OTHER_NETWORK = "198.51.100.23"


async def chat_from(webchat: WebChat, address: str) -> tuple[ChatSocket, str]:
    """A new browser session behind the trusted proxy, from `address`."""
    resident = await webchat.connect(**{"X-Forwarded-For": address})
    token, _ = await resident.hello(lang="en")
    return resident, token


async def write(resident: ChatSocket, text: str, client_id: str) -> None:
    await resident.send({"type": "message", "text": text, "client_id": client_id})
    await resident.next_of("delivered", client_id=client_id)


async def conversations_of(service: Service, token: str) -> int:
    pseudonym = pseudonymise(service.core.keyring.pepper, "webchat", token)
    async with service.core.database.session() as session:
        query = (
            select(func.count())
            .select_from(Conversation)
            .where(col(Conversation.pseudonym) == pseudonym)
        )
        return int((await session.execute(query)).scalar_one())


async def blocked_for_two_days(webchat: WebChat, address: str) -> str:
    """A resident from `address` writes, is claimed and blocked; their token."""
    service = webchat.service
    resident, token = await chat_from(webchat, address)
    for step, value in enumerate(("lang:en", "topic:money")):
        await resident.send({"type": "choice", "value": value, "client_id": f"step{step}"})
        await resident.next_of("delivered", client_id=f"step{step}")
    queued = service.core.texts.text("en", "queued", position=1, minutes=5)
    await resident.next(lambda f: f["type"] == "message" and f["text"] == queued)
    conversation = await conversation_of(service, token)
    tiina = await counsellor(service, "tiina", "Tiina")
    await actions.block(service.core, tiina, conversation.id, days=2, reason="threats")
    return token


async def told_blocked(service: Service, resident: ChatSocket) -> dict[str, Any]:
    blocked = service.core.texts.text("en", "blocked")
    return await resident.next(lambda f: f["type"] == "message" and f["text"] == blocked)


async def test_a_new_session_from_a_blocked_network_is_blocked_until_the_block_ends(
    webchat_factory: WebChatFactory,
) -> None:
    webchat = await webchat_factory(trusted_proxies=frozenset({PROXY}))
    service = webchat.service
    await blocked_for_two_days(webchat, BLOCKED_NETWORK)
    async with service.core.database.session() as session:
        block = (await session.execute(select(Block))).scalar_one()
    assert block.origin_digest is not None and block.origin_digest.startswith("o_")

    # A fresh tab from the same network: told once, reaches no queue, nothing is stored.
    again, again_token = await chat_from(webchat, BLOCKED_NETWORK)
    await write(again, "it's me again", "again-1")
    await told_blocked(service, again)
    await write(again, "and again", "again-2")
    await asyncio.sleep(0.2)
    blocked_text = service.core.texts.text("en", "blocked")
    assert [f["text"] for f in again.received if f["type"] == "message"] == [blocked_text]
    assert await conversations_of(service, again_token) == 0

    # Another network is not affected.
    other, other_token = await chat_from(webchat, OTHER_NETWORK)
    await write(other, "hello", "other")
    assert (await conversation_of(service, other_token)).state != "closed"

    # Two days later the block has ended: the same network is served again.
    later = service.core.now() + timedelta(days=2, minutes=1)
    service.core.clock = lambda: later
    after, after_token = await chat_from(webchat, BLOCKED_NETWORK)
    await write(after, "hello after", "after")
    assert await conversations_of(service, after_token) == 1
    assert not [f for f in after.received if f.get("text") == blocked_text]


async def test_the_network_is_never_stored_only_its_keyed_digest(
    webchat_factory: WebChatFactory,
) -> None:
    webchat = await webchat_factory(trusted_proxies=frozenset({PROXY}))
    service = webchat.service
    await blocked_for_two_days(webchat, BLOCKED_NETWORK)
    again, _ = await chat_from(webchat, BLOCKED_NETWORK)
    await write(again, "me again", "again")
    await told_blocked(service, again)
    stored = await raw_database(service)
    assert BLOCKED_NETWORK.encode() not in stored
    assert BLOCKED_NETWORK.encode("utf-16-le") not in stored


async def test_without_blocking_by_network_a_new_session_is_served(
    webchat_factory: WebChatFactory,
) -> None:
    webchat = await webchat_factory(trusted_proxies=frozenset({PROXY}))
    service = webchat.service
    service.core.settings = service.core.settings.model_copy(
        update={"webchat_block_by_address": False}
    )
    await blocked_for_two_days(webchat, BLOCKED_NETWORK)
    async with service.core.database.session() as session:
        block = (await session.execute(select(Block))).scalar_one()
    assert block.origin_digest is None  # nothing about the network was even kept
    again, again_token = await chat_from(webchat, BLOCKED_NETWORK)
    await write(again, "hello", "again")  # "delivered" comes once the message is stored
    assert await conversations_of(service, again_token) == 1
