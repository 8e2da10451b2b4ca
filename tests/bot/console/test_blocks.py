"""Blocks: who may block a conversation, and whose blocks a user may list and lift.

A block ends the conversation, so it takes the same rule as every other action on it; a block
belongs to the queue it was made in, and only that queue's counsellors (and supervisors) see it.
"""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlmodel import select

from bot.actions import admin
from bot.actions.context import Actor
from bot.store.tables import Block, Conversation
from tests.support.chat import Harness

from .helpers import headers, login, waiting_conversation

Client = TestClient[Any, Any]
ADMIN = Actor("test-admin", "admin")
BLOCK = {"days": 7, "reason": "repeated abusive messages"}


async def second_queue(harness: Harness) -> None:
    """A queue "nuoret" that residents reach through the topic "money"."""
    await admin.save_queue(
        harness.core,
        ADMIN,
        "nuoret",
        name="Nuoret",
        languages=["fi"],
        opening_hours={"always_open": True},
        transcript_days=30,
        pii_vault_hours=24,
    )
    await admin.save_topic(
        harness.core, ADMIN, "money", queue_id="nuoret", labels={"fi": "Raha-asiat"}
    )


async def queued_in(harness: Harness, topic: str, name: str) -> str:
    resident = harness.resident(name)
    await resident.write("hei")
    await resident.press("lang:fi")
    await resident.press(f"topic:{topic}")
    await resident.write("tarvitsen apua")
    async with harness.core.database.session() as session:
        found = (
            await session.execute(select(Conversation).where(Conversation.topic_id == topic))
        ).scalar_one()
    return found.id


async def conversation_state(harness: Harness, conversation: str) -> str:
    async with harness.core.database.session() as session:
        found = await session.get(Conversation, conversation)
    assert found is not None
    return found.state


async def blocks(harness: Harness) -> list[Block]:
    async with harness.core.database.session() as session:
        return list((await session.execute(select(Block))).scalars())


async def test_a_counsellor_cannot_block_and_so_end_a_colleagues_claimed_conversation(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    await harness.staff("ben")
    conversation = await waiting_conversation(harness)
    csrf = await login(client, "anna")
    await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    csrf = await login(client, "ben")
    refused = await client.post(
        f"/api/conversations/{conversation}/block", json=BLOCK, headers=headers(csrf)
    )
    assert refused.status == 403
    assert (await refused.json())["code"] == "forbidden"
    assert await conversation_state(harness, conversation) == "active"
    assert await blocks(harness) == []


async def test_the_counsellor_of_a_conversation_and_a_supervisor_may_block_it(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    await harness.staff("sari", role="supervisor")
    mine = await waiting_conversation(harness, "first")
    csrf = await login(client, "anna")
    await client.post(f"/api/conversations/{mine}/claim", headers=headers(csrf))
    own = await client.post(f"/api/conversations/{mine}/block", json=BLOCK, headers=headers(csrf))
    assert own.status == 200
    colleagues = await waiting_conversation(harness, "second")
    await client.post(f"/api/conversations/{colleagues}/claim", headers=headers(csrf))
    csrf = await login(client, "sari")
    supervised = await client.post(
        f"/api/conversations/{colleagues}/block", json=BLOCK, headers=headers(csrf)
    )
    assert supervised.status == 200
    assert await conversation_state(harness, colleagues) == "closed"


async def test_a_counsellor_of_another_queue_neither_lists_nor_lifts_a_block(
    harness: Harness, client: Client
) -> None:
    await second_queue(harness)
    await harness.staff("anna")
    await harness.staff("otto", queues=("nuoret",))
    conversation = await waiting_conversation(harness)
    csrf = await login(client, "anna")
    blocked = await client.post(
        f"/api/conversations/{conversation}/block", json=BLOCK, headers=headers(csrf)
    )
    assert blocked.status == 200
    block_id = (await blocked.json())["block"]

    csrf = await login(client, "otto")
    assert await (await client.get("/api/blocks")).json() == []
    page = await client.get("/console/blocks")
    assert page.status == 200 and block_id not in await page.text()
    lifted = await client.post(f"/api/blocks/{block_id}/lift", headers=headers(csrf))
    assert lifted.status == 404
    form = await client.post(f"/console/blocks/{block_id}/lift", data={"csrf_token": csrf})
    assert form.status == 404
    [still] = await blocks(harness)
    assert still.lifted_at is None


async def test_blocks_are_listed_and_lifted_within_their_queue_and_by_supervisors(
    harness: Harness, client: Client
) -> None:
    await second_queue(harness)
    await harness.staff("anna")
    await harness.staff("ben")
    await harness.staff("otto", queues=("nuoret",))
    await harness.staff("sari", role="supervisor", queues=())
    await harness.staff("sami", role="supervisor", queues=("general",))
    general = await waiting_conversation(harness)
    youth = await queued_in(harness, "money", "nuori")
    csrf = await login(client, "anna")
    await client.post(f"/api/conversations/{general}/block", json=BLOCK, headers=headers(csrf))
    csrf = await login(client, "otto")
    await client.post(f"/api/conversations/{youth}/block", json=BLOCK, headers=headers(csrf))

    csrf = await login(client, "ben")
    listed = await (await client.get("/api/blocks")).json()
    assert [(b["queue"], b["may_lift"]) for b in listed] == [("general", True)]
    lifted = await client.post(f"/api/blocks/{listed[0]['id']}/lift", headers=headers(csrf))
    assert lifted.status == 200

    # A supervisor of no particular queue oversees them all; one of "general" only that one.
    await login(client, "sari")
    everything = await (await client.get("/api/blocks")).json()
    assert sorted((b["queue"], b["active"], b["may_lift"]) for b in everything) == [
        ("general", False, True),
        ("nuoret", True, True),
    ]
    await login(client, "sami")
    own = await (await client.get("/api/blocks")).json()
    assert [(b["queue"], b["may_lift"]) for b in own] == [("general", True)]
