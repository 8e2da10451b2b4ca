"""The Telegram adapter: real python-telegram-bot against a local Bot API stand-in, both modes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import col, func, select
from telegram import Update

from adapters.telegram import TelegramAdapter, TelegramConfigError, split_text, webhook_path
from adapters.telegram_files import FileRef
from adapters.telegram_updates import message_id_of_ref, normalise
from bot.access import Staff
from bot.actions import conversations as actions
from bot.actions.context import SYSTEM
from bot.actions.users import create_user
from bot.app import Service, build_service, build_web_app
from bot.channels import event_log
from bot.config import Settings
from bot.conversation import State
from bot.events import (
    ChannelName,
    Choice,
    DeliveryId,
    MediaKind,
    Outbound,
    PermanentDeliveryError,
    PlatformFile,
    ReplyAddress,
    RetryableDeliveryError,
    StoreUnavailable,
)
from bot.logs import JsonFormatter
from bot.roles import Role
from bot.store.tables import Conversation, InboundSeen, Message, OutboxRow
from privacy.pseudonym import pseudonymise
from tests.adapters.telegram_stand_in import (
    BLOCKED,
    RATE_LIMITED,
    TOKEN,
    BotApiStandIn,
    Person,
)
from tests.support.raw import raw_database

SECRET = "webhook-Secret_zq99-abcdefghijklmnop"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def person(user_id: int = 700123456, tag: str = "a") -> Person:
    return Person(
        user_id=user_id,
        first_name=f"Maija{tag}zq",
        last_name=f"Virtanen{tag}zq",
        username=f"maija_{tag}_zq81",
        phone="+358401112233",
        language_code="uk",
    )


# Profile fields that must never reach the database or a log line.
def personal_fragments(resident: Person) -> list[str]:
    return [
        resident.first_name,
        resident.last_name,
        resident.username,
        resident.phone,
        str(resident.user_id),
    ]


async def count(service: Service, table: type) -> int:
    async with service.core.database.session() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def conversation_of(service: Service, resident: Person) -> Conversation:
    pseudonym = pseudonymise(service.core.keyring.pepper, "telegram", str(resident.user_id))
    async with service.core.database.session() as session:
        rows = await session.execute(
            select(Conversation)
            .where(Conversation.pseudonym == pseudonym)
            .order_by(col(Conversation.created_at).desc())
        )
        found = rows.scalars().first()
    assert found is not None
    return found


async def staff(service: Service, username: str = "tiina") -> Staff:
    user = await create_user(
        service.core,
        SYSTEM,
        username=username,
        role=Role.COUNSELLOR,
        password="a long test password",
        queues=("general",),
        display_name=username.title(),
    )
    return Staff(user.id, Role.COUNSELLOR, user.display_name, frozenset({"general"}), 3)


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    """Poll with a deadline (for state the stand-in cannot signal, like the database)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


def quiet_libraries() -> None:
    # What bot.logs.configure_logging does in production: library loggers at WARNING.
    for name in ("httpx", "telegram", "aiohttp.access"):
        logging.getLogger(name).setLevel(logging.WARNING)


@pytest.fixture
async def stand_in() -> AsyncIterator[BotApiStandIn]:
    api = BotApiStandIn()
    await api.start()
    yield api
    await api.stop()


TELEGRAM_LOG = event_log(logging.getLogger("somesossu.telegram"))


def make_adapter(stand_in: BotApiStandIn, **options: Any) -> TelegramAdapter:
    return TelegramAdapter(
        token=TOKEN,
        api_url=stand_in.base_url,
        poll_timeout=1,
        retry_seconds=0.01,
        max_retry_seconds=0.05,
        log=TELEGRAM_LOG,
        **options,
    )


class PollingChat:
    """A resident talking to the bot while the adapter long-polls the stand-in."""

    def __init__(self, service: Service, stand_in: BotApiStandIn, adapter: TelegramAdapter):
        self.service, self.stand_in, self.adapter = service, stand_in, adapter

    async def push(self, update: dict[str, Any]) -> None:
        update_id = await self.stand_in.push(update)
        await self.stand_in.wait_for(lambda: (self.adapter.offset or 0) > update_id)
        await self.settle()

    async def settle(self) -> None:
        for _ in range(20):
            if not await self.service.outbox.deliver_due():
                return


class WebhookChat:
    """A resident whose updates Telegram posts to the service's own aiohttp server."""

    def __init__(self, service: Service, stand_in: BotApiStandIn, client: TestClient[Any, Any]):
        self.service, self.stand_in, self.client = service, stand_in, client

    async def push(self, update: dict[str, Any]) -> None:
        response = await self.client.post(
            webhook_path(SECRET), json=update, headers={HEADER: SECRET}
        )
        assert response.status == 200
        await self.settle()

    async def settle(self) -> None:
        async def drained() -> bool:
            async with self.service.core.database.session() as session:
                query = select(func.count()).where(OutboxRow.state == "pending")
                return int((await session.execute(query)).scalar_one()) == 0

        await eventually(drained)


Chat = PollingChat | WebhookChat


async def whole_conversation(chat: Chat, resident: Person) -> None:
    """Start, triage buttons, queue, counsellor reply from the console, end, feedback."""
    service, api = chat.service, chat.stand_in
    texts = service.core.texts
    await chat.push(api.text_update(resident, "/start"))
    menu = api.sent_to(resident)[-1]
    assert api.buttons_of(menu)[0] == "lang:fi"
    assert menu["protect_content"] is True
    await chat.push(api.press_update(resident, "lang:en"))
    await api.wait_for(lambda: "answerCallbackQuery" in api.methods())
    assert texts.text("en", "privacy_notice", days=30) in api.texts_to(resident)
    await chat.push(api.press_update(resident, "topic:housing"))
    assert api.texts_to(resident)[-1] == texts.text("en", "queued", position=1, minutes=5)

    counsellor = await staff(service)
    conversation = await conversation_of(service, resident)
    assert conversation.state == State.QUEUED
    await actions.claim(service.core, counsellor, conversation.id)
    await actions.reply(service.core, counsellor, conversation.id, "How can I help? zq-reply")
    await chat.settle()
    assert api.texts_to(resident)[-1] == "Tiina: How can I help? zq-reply"

    await chat.push(api.text_update(resident, "My rent is late zq-rent"))
    transcript = await actions.read(service.core, counsellor, conversation.id, reason="")
    assert "My rent is late zq-rent" in [m.text for m in transcript.messages]

    await actions.close(service.core, counsellor, conversation.id, outcome="advice_given")
    await chat.settle()
    assert texts.text("en", "chat_ended") in api.texts_to(resident)
    assert api.buttons_of(api.sent_to(resident)[-1])[:5] == [f"rating:{n}" for n in range(1, 6)]
    await chat.push(api.press_update(resident, "rating:5"))
    await chat.push(api.press_update(resident, "helped:yes"))
    assert api.texts_to(resident)[-1] == texts.text("en", "feedback_thanks")
    assert all(params["protect_content"] is True for params in api.sent_to(resident))


async def assert_nothing_personal(service: Service, lines: str, resident: Person) -> None:
    raw = await raw_database(service)
    for fragment in (*personal_fragments(resident), "zq-rent", "zq-reply"):
        assert fragment.encode() not in raw, fragment
    for fragment in (*personal_fragments(resident), "zq-rent", "zq-reply", TOKEN, SECRET):
        assert fragment not in lines, fragment


def log_lines(caplog: pytest.LogCaptureFixture) -> str:
    formatter = JsonFormatter()
    return "\n".join(formatter.format(record) for record in caplog.records)


# -- whole conversations ---------------------------------------------------------------------


async def test_a_whole_conversation_by_long_polling_keeps_no_name_anywhere(
    service: Service, stand_in: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    quiet_libraries()
    resident = person()
    with caplog.at_level(logging.DEBUG):
        adapter = make_adapter(stand_in)
        service.add_adapter(adapter)
        await adapter.start(service.dispatcher.receive)
        try:
            await whole_conversation(PollingChat(service, stand_in, adapter), resident)
        finally:
            await adapter.stop()
    assert stand_in.methods()[:2] == ["getMe", "deleteWebhook"]
    assert "telegram.started" in log_lines(caplog)
    await assert_nothing_personal(service, log_lines(caplog), resident)


async def test_a_whole_conversation_by_webhook_keeps_no_name_anywhere(
    settings: Settings, stand_in: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    quiet_libraries()
    resident = person(tag="w")
    service = build_service(settings)
    adapter = make_adapter(
        stand_in, mode="webhook", webhook_url="https://chat.example.org/", webhook_secret=SECRET
    )
    service.add_adapter(adapter)
    with caplog.at_level(logging.DEBUG):
        async with TestClient(TestServer(build_web_app(service))) as client:
            webhook = next(c for c in stand_in.calls if c.method == "setWebhook").params
            assert webhook["url"] == "https://chat.example.org" + webhook_path(SECRET)
            assert webhook["secret_token"] == SECRET
            assert webhook["allowed_updates"] == ["message", "callback_query"]
            assert SECRET not in webhook["url"]
            await whole_conversation(WebhookChat(service, stand_in, client), resident)
            await assert_nothing_personal(service, log_lines(caplog), resident)
    assert stand_in.methods()[-1] == "deleteWebhook"
    assert "getUpdates" not in stand_in.methods()


# -- the webhook's secret --------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers", [{}, {HEADER: "forged"}, {HEADER: SECRET + "x"}, {HEADER: ""}], ids=str
)
async def test_a_forged_or_missing_webhook_secret_is_rejected_and_nothing_stored(
    settings: Settings, stand_in: BotApiStandIn, headers: dict[str, str]
) -> None:
    service = build_service(settings)
    adapter = make_adapter(
        stand_in, mode="webhook", webhook_url="https://chat.example.org", webhook_secret=SECRET
    )
    service.add_adapter(adapter)
    async with TestClient(TestServer(build_web_app(service))) as client:
        update = stand_in.text_update(person(), "hello zq-forged")
        response = await client.post(webhook_path(SECRET), json=update, headers=headers)
        assert response.status == 401
        for table in (InboundSeen, Conversation, Message, OutboxRow):
            assert await count(service, table) == 0
        assert "sendMessage" not in stand_in.methods()


async def test_a_webhook_update_is_not_acknowledged_while_the_store_is_down(
    settings: Settings, stand_in: BotApiStandIn
) -> None:
    service = build_service(settings)
    adapter = make_adapter(
        stand_in, mode="webhook", webhook_url="https://chat.example.org", webhook_secret=SECRET
    )
    service.add_adapter(adapter)
    async with TestClient(TestServer(build_web_app(service))) as client:
        original = service.dispatcher.receive

        async def unavailable(*_: object) -> None:
            raise StoreUnavailable("down")

        adapter._sink = unavailable
        update = stand_in.text_update(person(), "hello")
        response = await client.post(webhook_path(SECRET), json=update, headers={HEADER: SECRET})
        assert response.status == 503  # Telegram posts it again later
        adapter._sink = original
        response = await client.post(webhook_path(SECRET), json=update, headers={HEADER: SECRET})
        assert response.status == 200
        assert await count(service, InboundSeen) == 1


async def test_a_malformed_webhook_body_gets_400(
    settings: Settings, stand_in: BotApiStandIn
) -> None:
    service = build_service(settings)
    adapter = make_adapter(
        stand_in, mode="webhook", webhook_url="https://chat.example.org", webhook_secret=SECRET
    )
    service.add_adapter(adapter)
    async with TestClient(TestServer(build_web_app(service))) as client:
        for body in ("not json", "[1, 2]", '{"no_update_id": 1}'):
            response = await client.post(webhook_path(SECRET), data=body, headers={HEADER: SECRET})
            assert response.status == 400
        assert await count(service, InboundSeen) == 0


def test_webhook_mode_refuses_to_start_without_a_usable_secret() -> None:
    for secret in (None, "", "has space", "x" * 257):
        with pytest.raises(TelegramConfigError) as caught:
            TelegramAdapter(
                token=TOKEN,
                mode="webhook",
                webhook_url="https://chat.example.org",
                webhook_secret=secret,
                log=TELEGRAM_LOG,
            )
        assert "SOMESOSSU_TELEGRAM_WEBHOOK_SECRET" in str(caught.value)
        if secret:
            assert secret not in str(caught.value)


# -- polling: no loss, no repeats -----------------------------------------------------------


@pytest.fixture
async def polling(
    service: Service, stand_in: BotApiStandIn
) -> AsyncIterator[tuple[PollingChat, TelegramAdapter]]:
    adapter = make_adapter(stand_in)
    service.add_adapter(adapter)
    await adapter.start(service.dispatcher.receive)
    yield PollingChat(service, stand_in, adapter), adapter
    await adapter.stop()


async def test_an_update_is_not_confirmed_to_telegram_while_the_store_is_down(
    service: Service, stand_in: BotApiStandIn
) -> None:
    attempts: list[str] = []
    retried = asyncio.Event()

    async def unavailable(inbound: Any) -> None:
        attempts.append(inbound.platform_message_id)
        if len(attempts) >= 3:
            retried.set()
        raise StoreUnavailable("down")

    down = make_adapter(stand_in)
    await down.start(unavailable)
    update_id = await stand_in.push(stand_in.text_update(person(), "hello"))
    await asyncio.wait_for(retried.wait(), 10)  # retried, the same update each time
    await down.stop()  # a graceful stop confirms only what was stored
    assert stand_in.confirmed_offset <= update_id
    assert [u["update_id"] for u in stand_in.pending] == [update_id]
    assert len(set(attempts)) == 1

    up = make_adapter(stand_in)
    await up.start(service.dispatcher.receive)
    try:
        await stand_in.wait_for(lambda: (up.offset or 0) > update_id)
    finally:
        await up.stop()
    assert stand_in.confirmed_offset == update_id + 1
    assert await count(service, InboundSeen) == 1


async def test_polling_survives_a_crash_without_losing_or_repeating_updates(
    service: Service, stand_in: BotApiStandIn
) -> None:
    resident = person()
    stored = 0
    crashed = asyncio.Event()

    async def crashing_sink(inbound: Any) -> None:
        nonlocal stored
        await service.dispatcher.receive(inbound)
        stored += 1
        if stored == 3:
            crashed.set()
            await asyncio.Event().wait()  # the process dies right after the commit

    first = make_adapter(stand_in)
    await first.start(crashing_sink)
    ids = [await stand_in.push(stand_in.text_update(resident, f"hei {n}")) for n in range(3)]
    await asyncio.wait_for(crashed.wait(), 10)
    assert first._task is not None
    first._task.cancel()
    await asyncio.gather(first._task, return_exceptions=True)
    await first._bot.shutdown()
    assert stand_in.confirmed_offset <= ids[-1]  # Telegram still holds the stored update
    ids.append(await stand_in.push(stand_in.text_update(resident, "hei 3")))

    second = make_adapter(stand_in)
    await second.start(service.dispatcher.receive)
    try:
        await stand_in.wait_for(lambda: (second.offset or 0) > ids[-1])
    finally:
        await second.stop()
    assert stand_in.confirmed_offset == ids[-1] + 1  # stop confirms what was stored
    assert await count(service, InboundSeen) == 4  # each update exactly once
    conversation = await conversation_of(service, resident)
    async with service.core.database.session() as session:
        resident_messages = await session.execute(
            select(func.count()).where(
                Message.conversation_id == conversation.id, Message.author == "resident"
            )
        )
    assert resident_messages.scalar_one() == 4


async def test_group_chats_and_edits_are_acknowledged_and_ignored(
    polling: tuple[PollingChat, TelegramAdapter], service: Service
) -> None:
    chat, _ = polling
    resident = person()
    group = chat.stand_in.text_update(resident, "hello group")
    group["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Talo zq"}
    await chat.push(group)
    edit = chat.stand_in.text_update(resident, "edited")
    edit["edited_message"] = edit.pop("message")
    await chat.push(edit)
    assert await count(service, Conversation) == 0
    assert "sendMessage" not in chat.stand_in.methods()


# -- media and profile data -----------------------------------------------------------------


# Media the service never takes (photos, documents and voice are files: test_telegram_files.py).
MEDIA = {
    "animation": (
        {
            "animation": {
                "file_id": "F1",
                "file_unique_id": "U1",
                "width": 9,
                "height": 9,
                "duration": 1,
            },
            # Telegram sets `document` on an animation too: it stays refused all the same.
            "document": {"file_id": "F1", "file_unique_id": "U1", "file_name": "passi_zq.gif"},
        },
        MediaKind.VIDEO,
    ),
    "sticker": (
        {
            "sticker": {
                "file_id": "F4",
                "file_unique_id": "U4",
                "type": "regular",
                "width": 9,
                "height": 9,
                "is_animated": False,
                "is_video": False,
            }
        },
        MediaKind.STICKER,
    ),
    "location": ({"location": {"latitude": 60.1699, "longitude": 24.9384}}, MediaKind.LOCATION),
    "contact": (
        {
            "contact": {
                "phone_number": "+358409998877",
                "first_name": "Kontakti zq",
                "user_id": 5550001,
            }
        },
        MediaKind.CONTACT,
    ),
    "video": (
        {
            "video": {
                "file_id": "F5",
                "file_unique_id": "U5",
                "width": 9,
                "height": 9,
                "duration": 1,
            }
        },
        MediaKind.VIDEO,
    ),
}


async def test_media_locations_and_contacts_are_refused_kindly_and_never_kept(
    polling: tuple[PollingChat, TelegramAdapter], service: Service
) -> None:
    chat, _ = polling
    api = chat.stand_in
    resident = person()
    await chat.push(api.text_update(resident, "/start"))
    await chat.push(api.press_update(resident, "lang:sv"))
    await chat.push(api.press_update(resident, "topic:money"))
    refusal = service.core.texts.text("sv", "media_unsupported")
    for content, _kind in MEDIA.values():
        before = len(api.texts_to(resident))
        await chat.push(api.media_update(resident, {**content, "caption": "kuvateksti zq-cap"}))
        assert api.texts_to(resident)[before:] == [refusal]
    assert api.file_calls() == []
    raw = await raw_database(service)
    for fragment in ("+358409998877", "Kontakti", "60.1699", "24.9384", "zq-cap", "passi_zq"):
        assert fragment.encode() not in raw, fragment


def no_files(ref: FileRef) -> PlatformFile:
    raise AssertionError("no file in this message")


@pytest.mark.parametrize("name", sorted(MEDIA))
def test_every_attachment_becomes_a_media_note_without_content(
    stand_in: BotApiStandIn, name: str
) -> None:
    content, kind = MEDIA[name]
    update = Update.de_json(stand_in.media_update(person(), {**content, "caption": "zq"}), None)
    inbound = normalise(update, ChannelName("telegram"), datetime.now(UTC), files=no_files).inbound
    assert inbound is not None
    assert inbound.media == kind and inbound.text == "" and inbound.language_hint is None
    assert inbound.platform_file is None


def test_only_the_user_id_and_the_chat_id_leave_the_boundary(stand_in: BotApiStandIn) -> None:
    resident = person()
    update = Update.de_json(stand_in.text_update(resident, "/start@somesossu_test_bot"), None)
    inbound = normalise(update, ChannelName("telegram"), datetime.now(UTC), files=no_files).inbound
    assert inbound is not None
    assert inbound.text == "/start"
    assert inbound.sender_id == inbound.reply_address == str(resident.user_id)
    assert inbound.language_hint is None  # the profile's language code is dropped too
    message_id = update.message.message_id if update.message else None
    assert inbound.platform_message_id == f"u{update.update_id}:m{message_id}"
    assert message_id_of_ref(inbound.platform_message_id) == message_id
    carried = " ".join(str(getattr(inbound, slot)) for slot in type(inbound).__slots__)
    for fragment in (resident.first_name, resident.last_name, resident.username, "uk"):
        assert fragment not in carried


# -- delivery errors ------------------------------------------------------------------------


async def test_a_rate_limit_is_honoured_through_the_outbox(
    polling: tuple[PollingChat, TelegramAdapter], service: Service
) -> None:
    chat, _ = polling
    chat.stand_in.fail_next("sendMessage", RATE_LIMITED)
    before = service.core.now()
    await chat.push(chat.stand_in.text_update(person(), "/start"))
    async with service.core.database.session() as session:
        row = (await session.execute(select(OutboxRow))).scalars().one()
    assert row.state == "pending" and row.last_error == "rate_limited"
    assert row.next_attempt_at.replace(tzinfo=UTC) >= before + timedelta(seconds=7)


async def test_a_resident_who_blocked_the_bot_has_the_conversation_closed(
    polling: tuple[PollingChat, TelegramAdapter], service: Service
) -> None:
    chat, _ = polling
    resident = person()
    await chat.push(chat.stand_in.text_update(resident, "/start"))
    await chat.push(chat.stand_in.press_update(resident, "lang:fi"))
    await chat.push(chat.stand_in.press_update(resident, "topic:work"))
    counsellor = await staff(service)
    conversation = await conversation_of(service, resident)
    await actions.claim(service.core, counsellor, conversation.id)
    await chat.settle()
    chat.stand_in.fail_next("sendMessage", BLOCKED)
    await actions.reply(service.core, counsellor, conversation.id, "Oletko siellä?")
    await chat.settle()
    conversation = await conversation_of(service, resident)
    assert conversation.state == State.CLOSED
    assert conversation.delivery_failed


async def test_network_errors_are_retried(
    polling: tuple[PollingChat, TelegramAdapter], service: Service
) -> None:
    chat, _ = polling
    chat.stand_in.fail_next("sendMessage", (502, {"ok": False, "error_code": 502}))
    await chat.push(chat.stand_in.text_update(person(), "/start"))
    async with service.core.database.session() as session:
        row = (await session.execute(select(OutboxRow))).scalars().one()
    assert row.state == "pending" and row.last_error == "network"


async def test_a_too_long_button_value_is_refused_before_sending(stand_in: BotApiStandIn) -> None:
    adapter = make_adapter(stand_in)
    outbound = Outbound("o1", "choose", choices=(Choice("x" * 65, "X"),))
    with pytest.raises(PermanentDeliveryError) as caught:
        await adapter.send(ReplyAddress("1"), outbound)
    assert caught.value.code == "callback_data_too_long"
    assert stand_in.calls == []


async def test_a_long_text_is_sent_in_parts_and_resumed_after_a_rate_limit(
    stand_in: BotApiStandIn,
) -> None:
    adapter = make_adapter(stand_in)
    resident = person()
    text = ("sana " * 1000).strip()  # about 5000 characters
    outbound = Outbound("o2", text, choices=(Choice("yes", "Yes"),))
    stand_in.fail_next("sendMessage", RATE_LIMITED, after=1)  # the second part
    with pytest.raises(Exception) as caught:
        await adapter.send(ReplyAddress(str(resident.user_id)), outbound)
    assert getattr(caught.value, "retry_after", None) == 7
    assert len(stand_in.sent_to(resident)) == 1
    delivery = await adapter.send(ReplyAddress(str(resident.user_id)), outbound)
    sent = stand_in.sent_to(resident)  # the first part was not sent twice
    assert [len(p["text"]) <= 4096 for p in sent] == [True, True]
    assert "".join(p["text"] for p in sent).replace(" ", "") == text.replace(" ", "")
    assert "reply_markup" not in sent[0] and stand_in.buttons_of(sent[1]) == ["yes"]
    assert delivery == ",".join(str(p["_message_id"]) for p in sent)
    await adapter._bot.shutdown()


def test_split_text_keeps_words_whole() -> None:
    parts = split_text("a" * 10 + " " + "b" * 10, limit=15)
    assert parts == ["a" * 10, "b" * 10]
    assert split_text("c" * 40, limit=15) == ["c" * 15, "c" * 15, "c" * 10]


# -- delete my data -------------------------------------------------------------------------


class NoteTexts:
    """The core's catalog plus the `withdraw_partial` key this adapter asks the lead for."""

    def __init__(self, service: Service) -> None:
        self.texts = service.core.texts

    def text(self, lang: str, key: str, **params: object) -> str:
        if key == "withdraw_partial":
            return f"[{lang}] some older messages stayed"
        return self.texts.text(lang, key, **params)


async def test_delete_my_data_removes_both_sides_of_the_chat_and_says_what_stayed(
    service: Service, stand_in: BotApiStandIn
) -> None:
    adapter = make_adapter(stand_in, texts=NoteTexts(service))
    service.add_adapter(adapter)
    await adapter.start(service.dispatcher.receive)
    chat = PollingChat(service, stand_in, adapter)
    resident = person()
    try:
        await chat.push(stand_in.text_update(resident, "/start"))
        await chat.push(stand_in.press_update(resident, "lang:fi"))
        await chat.push(stand_in.press_update(resident, "topic:housing"))
        old = stand_in.text_update(resident, "Asia zq-delete")
        await chat.push(old)
        recent = stand_in.text_update(resident, "Toinen asia")
        await chat.push(recent)
        bot_messages = {int(p["_message_id"]) for p in stand_in.sent_to(resident)}
        stand_in.undeletable.add(old["message"]["message_id"])  # older than 48 hours
        await chat.push(stand_in.text_update(resident, "/delete"))
    finally:
        await adapter.stop()
    deleted = {message_id for _, message_id in stand_in.deleted}
    assert deleted == bot_messages | {recent["message"]["message_id"]}
    attempted = {c.params["message_id"] for c in stand_in.calls if c.method == "deleteMessage"}
    assert old["message"]["message_id"] in attempted
    confirmation = stand_in.texts_to(resident)[-1]
    assert confirmation.startswith(service.core.texts.text("fi", "deleted"))
    assert confirmation.endswith("[fi] some older messages stayed")
    assert await count(service, Conversation) == 0


async def test_delete_my_data_without_leftovers_adds_no_note(
    polling: tuple[PollingChat, TelegramAdapter], service: Service
) -> None:
    chat, _ = polling
    resident = person()
    await chat.push(chat.stand_in.text_update(resident, "/start"))
    await chat.push(chat.stand_in.text_update(resident, "/delete"))
    assert chat.stand_in.texts_to(resident)[-1] == service.core.texts.text("fi", "deleted")
    # The language menu; commands like /start are not kept by the core, so not referenced.
    assert {m for _, m in chat.stand_in.deleted} == {
        int(p["_message_id"]) for p in chat.stand_in.sent_to(resident)[:-1]
    }


async def test_a_withdrawal_retried_after_a_rate_limit_counts_deleted_messages_as_gone(
    service: Service, stand_in: BotApiStandIn
) -> None:
    adapter = make_adapter(stand_in, texts=NoteTexts(service))
    resident = person()
    address = ReplyAddress(str(resident.user_id))
    withdraw = (DeliveryId("11,12"), DeliveryId("in:u5:m13"), DeliveryId("in:u6"))
    outbound = Outbound("o3", "Poistettu", withdraw=withdraw)
    stand_in.fail_next("deleteMessage", RATE_LIMITED, after=1)
    with pytest.raises(RetryableDeliveryError):
        await adapter.send(address, outbound)
    await adapter.send(address, outbound)
    assert {message_id for _, message_id in stand_in.deleted} == {11, 12, 13}
    assert stand_in.texts_to(resident) == ["Poistettu"]  # nothing stayed: no note
    await adapter._bot.shutdown()
