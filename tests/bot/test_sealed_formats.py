"""Sealed formats: contexts that stay byte-identical, and outbox payloads old rows still parse."""

from __future__ import annotations

import pytest
from sqlmodel import SQLModel

import bot.groups.tables
import bot.store.tables  # noqa: F401
from bot.events import Author, Choice, DeliveryId
from bot.sealed_formats import (
    ANNOUNCEMENT_TEXT,
    BLOCK_REASON,
    GROUP_DELIVERIES,
    GROUP_MESSAGE_BODY,
    GROUP_REPLY_ADDRESS,
    MESSAGE_BODY,
    NEWS_REPLY_ADDRESS,
    NOTE_BODY,
    ORIGIN,
    OUTBOX_PAYLOAD,
    PII_VALUE,
    PLATFORM_REF,
    REPLY_ADDRESS,
    SEALED_FORMATS,
    TOTP_SECRET,
    OutboxPayload,
    SealedFormat,
)
from bot.sealing import KeyPurpose
from bot.store.types import SealedType
from privacy.crypto import DataKey, seal, unseal

# Written by the code before bot/sealed_formats.py existed (bot/effects.py's
# outbound_payload and groups/delivery.py's retract): rows queued then must still go out.
OLD_CONVERSATION_ROW = (
    '{"text": "Neuvoja on tulossa ä", "author": "bot", "choices": [["lang:fi", "suomi"], '
    '["lang:sv", "svenska"]], "display_name": "Aino", "message_id": "m1", '
    '"at": "2026-03-01T12:30:00+00:00", "event": "joined", "language": "fi"}'
)
OLD_ERASURE_ROW = (
    '{"text": "Tietosi on poistettu", "author": "bot", "choices": [], "display_name": null, '
    '"message_id": null, "at": null, "event": null, "language": "fi", '
    '"reply_address": "chat-42", "withdraw": ["d1", "in:p2"]}'
)
OLD_RETRACT_ROW = (
    '{"text": "Viesti poistettiin", "author": "bot", "choices": [], "display_name": null, '
    '"message_id": null, "at": null, "event": null, "language": "sv", '
    '"reply_address": "room-7", "retract": ["d9"]}'
)


@pytest.mark.parametrize(
    ("sealed_format", "context"),
    [
        (REPLY_ADDRESS, "reply-address:c1"),
        (ORIGIN, "origin:c1"),
        (MESSAGE_BODY, "message:c1"),
        (PLATFORM_REF, "platform-ref:c1"),
        (PII_VALUE, "pii:c1"),
        (NOTE_BODY, "note:c1"),
        (OUTBOX_PAYLOAD, "outbox:c1"),
        (BLOCK_REASON, "block:c1"),
        (TOTP_SECRET, "totp:c1"),
        (GROUP_REPLY_ADDRESS, "group-reply-address:c1"),
        (GROUP_MESSAGE_BODY, "group-message:c1"),
        (GROUP_DELIVERIES, "group-deliveries:c1"),
        (NEWS_REPLY_ADDRESS, "news-reply-address:c1"),
        (ANNOUNCEMENT_TEXT, "announcement:c1"),
    ],
)
def test_each_context_is_the_string_stored_values_were_sealed_with(
    sealed_format: SealedFormat, context: str
) -> None:
    assert sealed_format.context("c1") == context
    key = DataKey.generate()
    # A value sealed by the old hand-typed context opens with the format's, and back.
    assert unseal(key, seal(key, "x", aad=context), aad=sealed_format.context("c1")) == "x"


def test_every_sealed_column_of_the_schema_has_exactly_one_format() -> None:
    columns = {
        f"{table.name}.{column.name}"
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, SealedType)
    }
    listed = [f.column for f in SEALED_FORMATS]
    assert sorted(listed) == sorted(columns)
    assert len({f.prefix for f in SEALED_FORMATS}) == len(SEALED_FORMATS)


def test_vault_items_use_the_vault_key_and_system_rows_the_system_key() -> None:
    assert PII_VALUE.purpose is KeyPurpose.PII_VAULT
    assert {BLOCK_REASON.purpose, TOTP_SECRET.purpose, ANNOUNCEMENT_TEXT.purpose} == {
        KeyPurpose.SYSTEM
    }
    assert MESSAGE_BODY.purpose is KeyPurpose.CONVERSATION


@pytest.mark.parametrize("raw", [OLD_CONVERSATION_ROW, OLD_ERASURE_ROW, OLD_RETRACT_ROW])
def test_an_old_format_payload_parses_and_writes_back_byte_identical(raw: str) -> None:
    assert OutboxPayload.from_json(raw).to_json() == raw


def test_an_old_conversation_payload_becomes_the_same_outbound() -> None:
    outbound = OutboxPayload.from_json(OLD_CONVERSATION_ROW).outbound("o1")
    assert outbound.outbox_id == "o1"
    assert outbound.text == "Neuvoja on tulossa ä"
    assert outbound.author is Author.BOT
    assert outbound.choices == (Choice("lang:fi", "suomi"), Choice("lang:sv", "svenska"))
    assert outbound.display_name == "Aino"
    assert outbound.message_id == "m1"
    assert outbound.sent_at == "2026-03-01T12:30:00+00:00"
    assert outbound.event == "joined"
    assert outbound.language == "fi"
    assert outbound.withdraw == () and outbound.retract == ()


def test_withdraw_retract_and_reply_address_survive_the_round_trip() -> None:
    erased = OutboxPayload.from_json(OLD_ERASURE_ROW)
    assert erased.reply_address == "chat-42"
    assert erased.outbound("o2").withdraw == (DeliveryId("d1"), DeliveryId("in:p2"))
    retracted = OutboxPayload.from_json(OLD_RETRACT_ROW)
    assert retracted.reply_address == "room-7"
    assert retracted.outbound("o3").retract == (DeliveryId("d9"),)


def test_a_minimal_payload_takes_the_defaults_the_worker_always_assumed() -> None:
    payload = OutboxPayload.from_json('{"text": "hei"}')
    assert payload == OutboxPayload(text="hei")
    assert payload.author is Author.BOT and payload.reply_address is None


def test_a_payload_without_text_is_a_lookup_error_so_the_worker_drops_the_row() -> None:
    # The worker drops rows it cannot read (LookupError) instead of retrying them forever.
    with pytest.raises(LookupError):
        OutboxPayload.from_json("{}")


def test_a_counsellor_reply_keeps_its_author_and_name() -> None:
    payload = OutboxPayload(text="Hei", author=Author.COUNSELLOR, display_name="Aino")
    parsed = OutboxPayload.from_json(payload.to_json())
    assert parsed == payload
    assert parsed.outbound("o4").author is Author.COUNSELLOR
