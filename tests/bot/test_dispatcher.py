"""The dispatcher's promises: deduplication, no silent loss, blocks, limits, privacy at rest."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import col, func, select

from bot.actions import conversations as actions
from bot.events import ChannelName, Inbound, MediaKind, ReplyAddress, StoreUnavailable
from bot.message_body import MessageBody
from bot.sealing import KeyPurpose
from bot.store.tables import Conversation, DataKeyRow, Message, PiiItem
from privacy.crypto import unseal
from privacy.pseudonym import pseudonymise
from tests.support.chat import Harness, Resident
from tests.support.raw import raw_database


async def count(harness: Harness, table: type) -> int:
    async with harness.core.database.session() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def queued_resident(harness: Harness, name: str) -> Resident:
    """A resident who chose Finnish and housing: their conversation waits in a queue."""
    resident = harness.resident(name)
    await resident.write("hei")
    await resident.press("lang:fi")
    await resident.press("topic:housing")
    return resident


async def conversation_of(harness: Harness, resident: Resident) -> Conversation:
    pseudonym = pseudonymise(harness.core.keyring.pepper, "test", resident.sender_id)
    async with harness.core.database.session() as session:
        found = (
            (await session.execute(select(Conversation).where(Conversation.pseudonym == pseudonym)))
            .scalars()
            .first()
        )
    assert found is not None
    return found


async def test_a_redelivered_platform_message_is_stored_once(harness: Harness) -> None:
    resident = harness.resident("dup")
    await resident.write("hei", message_id="same-1")
    await resident.write("hei", message_id="same-1")
    assert await count(harness, Message) == 2  # the resident's message and the language menu
    assert len(resident.received) == 1


async def test_a_store_outage_raises_to_the_adapter_and_stores_nothing(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = harness.core.database

    def unavailable() -> object:
        raise StoreUnavailable("OperationalError")

    monkeypatch.setattr(database, "session", unavailable)
    with pytest.raises(StoreUnavailable):
        await harness.service.dispatcher.receive(
            Inbound(
                ChannelName("test"),
                "user-x",
                ReplyAddress("chat-x"),
                "m-outage",
                datetime.now(UTC),
                text="hei",
            )
        )
    monkeypatch.undo()
    assert await count(harness, Message) == 0
    # The platform redelivers the same message once the store is back: it is taken then.
    await harness.service.dispatcher.receive(
        Inbound(
            ChannelName("test"),
            "user-x",
            ReplyAddress("chat-x"),
            "m-outage",
            datetime.now(UTC),
            text="hei",
        )
    )
    assert await count(harness, Message) == 2


async def test_a_brief_store_outage_is_retried_without_bothering_the_adapter(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_session = harness.core.database.session
    failures = [StoreUnavailable("OperationalError")]

    def flaky() -> object:
        if failures:
            raise failures.pop()
        return real_session()

    monkeypatch.setattr(harness.core.database, "session", flaky)
    resident = harness.resident("flaky")
    await resident.write("hei")
    assert len(resident.received) == 1


async def test_a_blocked_resident_gets_one_neutral_message_and_reaches_no_queue(
    harness: Harness,
) -> None:
    resident = await queued_resident(harness, "blocked")
    counsellor = await harness.staff("anna")
    conversation = await conversation_of(harness, resident)
    await actions.block(harness.core, counsellor, conversation.id, days=7, reason="uhkaili")
    before = len(resident.received)
    await resident.write("hei taas")
    await resident.write("ja taas")
    assert resident.new_since(before) == [harness.core.texts.text("fi", "blocked")]
    async with harness.core.database.session() as session:
        waiting = (
            await session.execute(
                select(func.count()).select_from(Conversation).where(Conversation.state == "queued")
            )
        ).scalar_one()
    assert waiting == 0


async def test_a_block_ends_when_it_expires_and_not_before(harness: Harness) -> None:
    resident = await queued_resident(harness, "expiring")
    counsellor = await harness.staff("anna")
    conversation = await conversation_of(harness, resident)
    await actions.block(harness.core, counsellor, conversation.id, days=3, reason="uhkaili")
    start = harness.core.now()
    harness.core.clock = lambda: start + timedelta(days=3) - timedelta(minutes=1)
    before = len(resident.received)
    await resident.write("vieläkö")
    assert resident.new_since(before) == [harness.core.texts.text("fi", "blocked")]
    assert (await conversation_of(harness, resident)).id == conversation.id

    harness.core.clock = lambda: start + timedelta(days=3, minutes=1)
    before = len(resident.received)
    await resident.write("hei taas")
    assert harness.core.texts.text("fi", "blocked") not in resident.new_since(before)
    pseudonym = pseudonymise(harness.core.keyring.pepper, "test", resident.sender_id)
    async with harness.core.database.session() as session:
        states = (
            await session.execute(
                select(Conversation.state)
                .where(Conversation.pseudonym == pseudonym)
                .order_by(col(Conversation.created_at))
            )
        ).scalars()
        assert list(states) == ["closed", "triage_language"]  # served afresh: greeted


async def test_an_oversized_message_gets_a_clear_answer(harness: Harness) -> None:
    resident = harness.resident("long")
    await resident.write("hei")
    await resident.press("lang:en")
    limit = harness.core.settings.max_message_chars
    await resident.write("x" * (limit + 1))
    assert resident.last().text == harness.core.texts.text("en", "too_long", max=limit)


async def test_media_is_never_stored_and_the_resident_is_told_why(harness: Harness) -> None:
    resident = harness.resident("photo")
    await resident.write("hei")
    await resident.press("lang:en")
    await resident.send_media(MediaKind.PHOTO)
    assert resident.last().text == harness.core.texts.text("en", "media_unsupported")


async def test_my_code_gives_a_stable_reference_code(harness: Harness) -> None:
    resident = harness.resident("code")
    await resident.write("hei")
    await resident.press("lang:fi")
    await resident.write("koodini")
    first = resident.last().text
    await resident.write("/code")
    assert resident.last().text == first
    assert "-" in first


async def test_delete_my_data_leaves_no_readable_trace(harness: Harness) -> None:
    resident = harness.resident("forget-me")
    secret = "Salainen-asia-zq41 ja numeroni 040 765 4321"
    await resident.write("hei")
    await resident.press("lang:fi")
    await resident.press("topic:housing")
    await resident.write(secret)
    counsellor = await harness.staff("anna")
    conversation = await conversation_of(harness, resident)
    await actions.claim(harness.core, counsellor, conversation.id)
    await actions.reply(harness.core, counsellor, conversation.id, "Vastaus-zq42")
    await harness.deliver()
    await resident.write("poista tietoni")
    assert resident.last().text == harness.core.texts.text("fi", "deleted")
    assert resident.last().withdraw  # the platform may withdraw what it delivered
    for table in (Conversation, Message, PiiItem):
        assert await count(harness, table) == 0
    async with harness.core.database.session() as session:
        owners = set((await session.execute(select(DataKeyRow.owner_id))).scalars())
    assert owners <= {"system"}
    raw = await raw_database(harness.service)
    for fragment in (b"zq41", b"zq42", b"765 4321", b"Salainen"):
        assert fragment not in raw


async def test_nothing_personal_reaches_the_raw_database_file(harness: Harness) -> None:
    resident = await queued_resident(harness, "raw")
    await resident.write("Nimeni on Maija Virtanen, puh 0401234567, hetu 131052-308T, zq51")
    counsellor = await harness.staff("anna")
    conversation = await conversation_of(harness, resident)
    await actions.claim(harness.core, counsellor, conversation.id)
    await actions.reply(harness.core, counsellor, conversation.id, "Kiitos zq52")
    await harness.deliver()
    raw = await raw_database(harness.service)
    for fragment in (
        "zq51",
        "zq52",
        "Virtanen",
        "0401234567",
        "131052-308T",
        "user-raw",
        "chat-raw",
    ):
        assert fragment.encode() not in raw, fragment


async def test_logs_never_carry_text_or_platform_ids(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.logs import JsonFormatter

    formatter = JsonFormatter()
    with caplog.at_level(logging.DEBUG):
        resident = harness.resident("logged")
        await resident.write("hei zq61")
        await resident.press("lang:fi")
        await resident.press("topic:housing")
        await resident.write("puhelin 040 111 2222 zq62")
    lines = "\n".join(formatter.format(record) for record in caplog.records)
    assert "inbound.stored" in lines
    for fragment in ("zq61", "zq62", "040 111 2222", "user-logged", "chat-logged"):
        assert fragment not in lines


# ---- messages that arrive together share one transaction (group commit) -----------------


def inbound_of(harness: Harness, resident: Resident, text: str, message_id: str) -> Inbound:
    return Inbound(
        channel=ChannelName(harness.adapter.channel),
        sender_id=resident.sender_id,
        reply_address=ReplyAddress(resident.address),
        platform_message_id=message_id,
        received_at=datetime.now(UTC),
        text=text,
    )


async def resident_texts(harness: Harness) -> list[tuple[str, str]]:
    """(conversation id, stored text) of every message the resident typed, in stored order
    (not the buttons they pressed, stored as kind "choice")."""
    async with harness.core.database.session() as session:
        rows = (
            await session.execute(
                select(Message)
                .where(Message.author == "resident", Message.kind == "text")
                .order_by(Message.created_at)
            )
        ).scalars()
        out = []
        for message in rows:
            key = await harness.core.keys.get(
                session, message.conversation_id, KeyPurpose.CONVERSATION
            )
            body = unseal(key, message.sealed_body, aad=f"message:{message.id}")
            out.append((message.conversation_id, MessageBody.decode(body).text))
    return out


async def test_messages_arriving_together_are_stored_in_fewer_transactions(
    harness: Harness,
) -> None:
    residents = [harness.resident(f"crowd-{i}") for i in range(30)]
    commits = 0

    def counted(*_: object) -> None:
        nonlocal commits
        commits += 1

    engine = harness.core.database.engine.sync_engine
    event.listen(engine, "commit", counted)
    try:
        await asyncio.gather(
            *(
                harness.service.dispatcher.receive(inbound_of(harness, r, "hei", f"c-{i}"))
                for i, r in enumerate(residents)
            )
        )
    finally:
        event.remove(engine, "commit", counted)
    assert len(await resident_texts(harness)) == 30
    assert await count(harness, Conversation) == 30
    assert 1 <= commits < 30
    registry = harness.core.metrics.registry
    assert registry.get_sample_value("somesossu_inbound_batch_size_sum") == 30
    assert registry.get_sample_value("somesossu_inbound_batch_size_count") < 30


async def test_one_residents_messages_in_one_batch_keep_their_order_and_conversation(
    harness: Harness,
) -> None:
    resident = await queued_resident(harness, "burst")
    texts = [f"viesti {i}" for i in range(6)]
    await asyncio.gather(
        *(
            harness.service.dispatcher.receive(inbound_of(harness, resident, text, f"b-{i}"))
            for i, text in enumerate(texts)
        )
    )
    stored = await resident_texts(harness)
    assert [text for _, text in stored] == ["hei", *texts]
    assert len({conversation for conversation, _ in stored}) == 1


async def test_a_batch_keeps_duplicates_out_and_follows_an_erasure(harness: Harness) -> None:
    resident = await queued_resident(harness, "erase-burst")
    await resident.write("vanha asia")
    old = await conversation_of(harness, resident)
    burst = [("uusi", "e-1"), ("uusi", "e-1"), ("poista tietoni", "e-2"), ("taas", "e-3")]
    await asyncio.gather(
        *(
            harness.service.dispatcher.receive(inbound_of(harness, resident, text, ref))
            for text, ref in burst
        )
    )
    stored = await resident_texts(harness)
    # The erasure took everything before it; the message after it starts afresh.
    assert [text for _, text in stored] == ["taas"]
    assert stored[0][0] != old.id
    assert await count(harness, Conversation) == 1


async def test_replies_follow_a_resident_to_a_new_address_and_back(harness: Harness) -> None:
    resident = harness.resident("mover")
    await resident.write("hei")  # the language menu, at the first address
    first, second = resident.address, "chat-mover-new-socket"
    for address in (second, first, first, second):
        resident.address = address
        before = len(harness.adapter.sent[address])
        await resident.write("mitä?")  # not a language: the menu again, where they are now
        assert len(harness.adapter.sent[address]) > before, address
