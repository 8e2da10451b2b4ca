"""Console events cross instances that share one PostgreSQL database."""

from __future__ import annotations

import asyncio

from bot.actions import conversations as actions
from bot.actions.context import unit_of_work
from bot.app import build_service
from bot.hub import HubEvent
from bot.hub_bridge import MAX_PAYLOAD_BYTES, PostgresHubListener, decode, encode
from bot.service import Service
from bot.store.db import Database
from tests.support.chat import Harness
from tests.support.db import on_postgres


@on_postgres
async def test_an_event_committed_on_one_instance_reaches_the_others_hub(
    harness: Harness,
) -> None:
    instance_a = harness.service
    instance_b: Service = build_service(instance_a.settings)
    await instance_b.core.database.dispose()
    instance_b.core.database = Database(instance_a.core.database.url)
    listener = PostgresHubListener(
        instance_a.core.database.url, instance_b.core.instance_id, instance_b.core.hub
    )
    listener.start()
    try:
        await asyncio.wait_for(listener.connected.wait(), 10)
        with instance_b.core.hub.subscribe({"staff"}) as subscription:
            resident = harness.resident("across")
            await resident.write("hei")
            await resident.press("lang:fi")
            await resident.press("topic:housing")
            kinds = []
            while "conversation.queued" not in kinds:
                event = await asyncio.wait_for(subscription.get(), 10)
                kinds.append(event.kind)
                assert "text" not in event.payload
            counsellor = await harness.staff("anna")
            conversation_id = event.payload["conversation"]
            await actions.claim(harness.core, counsellor, str(conversation_id))
            while (await asyncio.wait_for(subscription.get(), 10)).kind != "conversation.claimed":
                pass
    finally:
        await listener.stop()
        await instance_b.core.database.dispose()


@on_postgres
async def test_a_rolled_back_action_notifies_nobody(harness: Harness) -> None:
    listener = PostgresHubListener(harness.core.database.url, "other-instance", harness.core.hub)
    seen = []
    arrived = asyncio.Event()

    def record(event: object) -> None:
        seen.append(event)
        arrived.set()

    listener.on_event.append(record)
    listener.start()
    try:
        await asyncio.wait_for(listener.connected.wait(), 10)
        try:
            async with unit_of_work(harness.core) as work:
                work.publish("staff", "conversation.created", conversation="x")
                raise RuntimeError("abort")
        except RuntimeError:
            pass
        async with unit_of_work(harness.core) as work:
            work.publish("staff", "conversation.created", conversation="y")
        await asyncio.wait_for(arrived.wait(), 10)
        assert [e.payload["conversation"] for e in seen] == ["y"]
    finally:
        await listener.stop()


def test_a_transactions_events_travel_in_few_notifications_under_the_size_limit() -> None:
    events = [HubEvent(f"conversation:{i:04d}", "message.created", {"n": i}) for i in range(500)]
    payloads = encode("instance-a", events)
    assert 1 < len(payloads) < 50
    assert all(len(payload.encode()) <= MAX_PAYLOAD_BYTES for payload in payloads)
    decoded = [decode(payload) for payload in payloads]
    assert {origin for origin, _ in decoded} == {"instance-a"}
    assert [event for _, batch in decoded for event in batch] == events
    assert encode("instance-a", []) == []


@on_postgres
async def test_hundreds_of_events_of_one_transaction_all_reach_the_other_instance(
    harness: Harness,
) -> None:
    listener = PostgresHubListener(harness.core.database.url, "other-instance", harness.core.hub)
    seen: list[HubEvent] = []
    listener.on_event.append(seen.append)
    listener.start()
    try:
        await asyncio.wait_for(listener.connected.wait(), 10)
        async with unit_of_work(harness.core) as work:
            for index in range(600):
                work.publish(f"conversation:{index}", "message.created", conversation=str(index))
        for _ in range(100):
            if len(seen) == 600:
                break
            await asyncio.sleep(0.05)
        assert [event.payload["conversation"] for event in seen] == [str(i) for i in range(600)]
    finally:
        await listener.stop()
