"""Delivery through the outbox: retries, rate limits, giving up, a resident who left."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.actions import conversations as actions
from bot.events import PermanentDeliveryError, RecipientGone, RetryableDeliveryError
from bot.outbox import MAX_ATTEMPTS, backoff_seconds
from bot.store.tables import Conversation, OutboxRow
from tests.support.chat import Harness, Resident


async def rows(harness: Harness) -> list[OutboxRow]:
    async with harness.core.database.session() as session:
        return list((await session.execute(select(OutboxRow))).scalars())


def test_backoff_doubles_is_capped_and_respects_retry_after() -> None:
    assert [backoff_seconds(n, None) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert backoff_seconds(20, None) == 300.0
    assert backoff_seconds(1, 42.0) == 42.0


async def test_a_rate_limited_message_waits_for_retry_after_and_is_then_delivered(
    harness: Harness,
) -> None:
    harness.adapter.failures.append(RetryableDeliveryError("rate_limited", retry_after=30))
    resident = harness.resident("limited")
    await resident.write("hei")
    assert resident.received == []
    [row] = await rows(harness)
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "rate_limited")
    assert row.next_attempt_at - harness.core.now() > timedelta(seconds=25)
    later = harness.core.now() + timedelta(seconds=31)
    harness.core.clock = lambda: later
    await harness.deliver()
    assert len(resident.received) == 1
    [row] = await rows(harness)
    assert row.state == "delivered" and row.delivery_id


async def test_messages_of_one_conversation_stay_in_order_behind_a_retry(
    harness: Harness,
) -> None:
    resident = harness.resident("ordered")
    await resident.write("hei")
    harness.adapter.failures.append(RetryableDeliveryError("network"))
    await resident.press("lang:fi")  # privacy notice and topic menu: two messages
    assert len(resident.received) == 1
    later = harness.core.now() + timedelta(minutes=1)
    harness.core.clock = lambda: later
    await harness.deliver()
    keys = [o.text for o in resident.received]
    assert keys[1] == harness.core.texts.text("fi", "privacy_notice", days=30)
    assert keys[2] == harness.core.texts.text("fi", "choose_topic")


async def test_delivery_gives_up_after_a_bound_and_flags_the_conversation(
    harness: Harness,
) -> None:
    resident = harness.resident("unreachable")
    harness.adapter.failures.extend(RetryableDeliveryError("network") for _ in range(MAX_ATTEMPTS))
    await resident.write("hei")
    for _ in range(MAX_ATTEMPTS):
        later = harness.core.now() + timedelta(minutes=10)
        harness.core.clock = lambda later=later: later  # type: ignore[misc]
        await harness.deliver()
    [row] = await rows(harness)
    assert row.state == "failed"
    async with harness.core.database.session() as session:
        conversation = (await session.execute(select(Conversation))).scalar_one()
    assert conversation.delivery_failed


async def test_a_permanent_error_is_not_retried(harness: Harness) -> None:
    harness.adapter.failures.append(PermanentDeliveryError("bad_request"))
    resident = harness.resident("permanent")
    await resident.write("hei")
    [row] = await rows(harness)
    assert (row.state, row.attempts) == ("failed", 1)


async def test_a_resident_who_blocked_the_bot_has_their_chat_closed(harness: Harness) -> None:
    resident = harness.resident("gone")
    await resident.write("hei")
    await resident.press("lang:fi")
    await resident.press("topic:housing")
    counsellor = await harness.staff("anna")
    async with harness.core.database.session() as session:
        conversation = (await session.execute(select(Conversation))).scalar_one()
    await actions.claim(harness.core, counsellor, conversation.id)
    harness.adapter.failures.append(RecipientGone("blocked_by_user"))
    await actions.reply(harness.core, counsellor, conversation.id, "Hei!")
    await harness.deliver()
    async with harness.core.database.session() as session:
        closed = await session.get(Conversation, conversation.id)
    assert closed is not None and closed.state == "closed"


async def test_a_channel_without_an_adapter_keeps_its_messages_pending(harness: Harness) -> None:
    harness.service.outbox.senders.pop("test")
    resident = harness.resident("later")
    await resident.write("hei")
    [row] = await rows(harness)
    assert row.state == "pending" and row.last_error == "no_adapter"


async def test_a_delivered_payload_is_blanked(harness: Harness) -> None:
    resident = harness.resident("blank")
    await resident.write("hei")
    [row] = await rows(harness)
    assert row.state == "delivered"
    key = await _conversation_key(harness, row.conversation_id)
    from privacy.crypto import unseal
    from privacy.errors import IntegrityError

    try:
        unseal(key, row.sealed_payload, aad=f"outbox:{row.id}")
    except IntegrityError:
        return
    raise AssertionError("the delivered payload is still readable")


async def _conversation_key(harness: Harness, conversation_id: str | None):  # type: ignore[no-untyped-def]
    from bot.sealing import KeyPurpose

    assert conversation_id is not None
    async with harness.core.database.session() as session:
        return await harness.core.keys.get(session, conversation_id, KeyPurpose.CONVERSATION)


async def test_two_workers_sweeping_at_once_deliver_each_message_once(harness: Harness) -> None:
    from bot.outbox import OutboxWorker

    # Held elsewhere, so the harness' own worker leaves the message for the race below.
    harness.service.outbox.register("test", harness.adapter.send, holds=lambda _address: False)
    resident = harness.resident("raced")
    await resident.write("hei")
    later = harness.core.now() + timedelta(seconds=60)
    harness.core.clock = lambda: later
    first, second = OutboxWorker(harness.core), OutboxWorker(harness.core)
    for worker in (first, second):
        worker.register("test", harness.adapter.send)
    import asyncio

    sent = await asyncio.gather(first.deliver_due(), second.deliver_due())
    assert sorted(sent) == [0, 1]
    assert len(resident.received) == 1


async def test_the_instance_holding_the_residents_socket_gets_to_deliver_first(
    harness: Harness,
) -> None:
    from bot.outbox import LOCAL_GRACE_SECONDS

    held: set[str] = set()
    harness.service.outbox.register("test", harness.adapter.send, holds=held.__contains__)
    resident = harness.resident("elsewhere")
    await resident.write("hei")
    assert resident.received == []  # another instance holds the socket: it pushes live
    later = harness.core.now() + timedelta(seconds=LOCAL_GRACE_SECONDS + 1)
    harness.core.clock = lambda: later
    await harness.deliver()
    assert len(resident.received) == 1  # nobody did: delivered to the history from here
    held.add(resident.address)
    await resident.write("taas")
    assert len(resident.received) > 1  # held here: delivered at once
    assert {row.state for row in await rows(harness)} == {"delivered"}


async def test_a_worker_cancelled_as_it_is_woken_stops(harness: Harness) -> None:
    """A shutdown's cancel that meets a wake-up in the same loop turn ends the worker.

    On Python 3.11 `asyncio.wait_for` returned normally in that case and the worker swept on,
    holding the server's shutdown (and CI) up until the test timed out."""
    import asyncio

    from bot.outbox import OutboxWorker

    worker = OutboxWorker(harness.core)
    task = asyncio.create_task(worker.run(idle_seconds=60))
    for _ in range(5):
        await asyncio.sleep(0)  # the worker is now waiting to be woken
    harness.core.outbox_wakeup.set()
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=5)
    if not done:
        task.cancel()
    assert task in done and task.cancelled()


async def _held_back(harness: Harness, names: list[str]) -> list[Resident]:
    """Residents whose first replies wait in the outbox (held for another instance), due now."""
    harness.service.outbox.register("test", harness.adapter.send, holds=lambda _address: False)
    residents = [harness.resident(name) for name in names]
    for resident in residents:
        await resident.write("hei")
    assert all(resident.received == [] for resident in residents)
    later = harness.core.now() + timedelta(seconds=60)
    harness.core.clock = lambda: later
    harness.service.outbox.register("test", harness.adapter.send)
    return residents


async def test_a_sweep_of_many_conversations_takes_and_marks_them_together(
    harness: Harness,
) -> None:
    from sqlalchemy import event

    residents = await _held_back(harness, [f"many{i}" for i in range(12)])
    commits: list[int] = []
    sync_engine = harness.core.database.engine.sync_engine

    def counted(_connection: object) -> None:
        commits.append(1)

    event.listen(sync_engine, "commit", counted)
    try:
        sent = await harness.service.outbox.deliver_due()
    finally:
        event.remove(sync_engine, "commit", counted)
    assert sent == 12
    assert all(len(resident.received) == 1 for resident in residents)
    assert {row.state for row in await rows(harness)} == {"delivered"}
    # One transaction to take the twelve and one to mark them, not two for each message.
    assert len(commits) <= 4


async def test_one_failed_send_in_a_sweep_leaves_the_others_delivered(harness: Harness) -> None:
    residents = await _held_back(harness, ["fails", "fine1", "fine2"])
    harness.adapter.failures.append(RetryableDeliveryError("network"))
    assert await harness.service.outbox.deliver_due() == 2
    states = sorted(
        (row.state, row.attempts, row.leased_until is None) for row in await rows(harness)
    )
    assert states == [("delivered", 1, True), ("delivered", 1, True), ("pending", 1, True)]
    later = harness.core.now() + timedelta(minutes=1)
    harness.core.clock = lambda: later
    await harness.deliver()
    assert all(len(resident.received) == 1 for resident in residents)


async def test_one_worker_sweeping_twice_at_once_delivers_each_message_once(
    harness: Harness,
) -> None:
    import asyncio

    residents = await _held_back(harness, ["twice1", "twice2"])
    worker = harness.service.outbox
    sent = await asyncio.gather(worker.deliver_due(), worker.deliver_due())
    assert sum(sent) == 2
    assert [len(resident.received) for resident in residents] == [1, 1]
    assert {row.state for row in await rows(harness)} == {"delivered"}
