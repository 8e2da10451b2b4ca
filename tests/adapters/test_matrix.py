"""The Matrix adapter against a real Synapse, with a separate matrix-nio client as resident.

Also the pure event translation (no server needed for those).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import stat
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, func, select

from adapters.base import Adapter
from adapters.matrix import MatrixAdapter, delivery_error
from adapters.matrix_events import (
    after_own_join,
    inbound_of,
    is_direct_invite,
    message_content,
    strip_reply_fallback,
)
from bot.actions import conversations as actions
from bot.app import Service, build_service, prepare_database
from bot.channels import event_log
from bot.config import Settings, load_settings
from bot.conversation import State
from bot.events import (
    Author,
    Choice,
    Inbound,
    MediaKind,
    Outbound,
    PermanentDeliveryError,
    RecipientGone,
    RetryableDeliveryError,
    StoreUnavailable,
)
from bot.store.tables import Conversation, Message
from bot.texts import LANGUAGES
from privacy.pseudonym import pseudonymise
from tests.adapters.synapse import MatrixUser, Synapse, synapse_server

__all__ = ["synapse_server"]  # the session fixture, used by name below

DEADLINE_SECONDS = 60.0
MATRIX_LOG = event_log(logging.getLogger("somesossu.matrix"))
BOT = "@bot:localhost"


# ------------------------------------------------------------------ pure translation


def event(body: str = "hei", **extra: Any) -> dict[str, Any]:
    content = {"msgtype": "m.text", "body": body, **extra.pop("content", {})}
    return {
        "type": "m.room.message",
        "sender": "@resident:example.org",
        "event_id": "$e1",
        "origin_server_ts": 1_700_000_000_000,
        "content": content,
        **extra,
    }


def test_a_text_message_becomes_an_inbound_keyed_by_event_id() -> None:
    inbound = inbound_of(event("moi"), room_id="!room:x", own_user_id=BOT)
    assert inbound is not None
    assert (inbound.text, inbound.platform_message_id, inbound.reply_address) == (
        "moi",
        "$e1",
        "!room:x",
    )
    assert inbound.sender_id == "@resident:example.org"
    assert inbound.channel == "matrix"


def test_the_bots_own_events_notices_and_state_are_ignored() -> None:
    assert inbound_of(event(sender=BOT), room_id="!r", own_user_id=BOT) is None
    assert inbound_of(event(content={"msgtype": "m.notice"}), room_id="!r", own_user_id=BOT) is None
    assert inbound_of(event(state_key=""), room_id="!r", own_user_id=BOT) is None
    assert (
        inbound_of({**event(), "type": "m.room.redaction"}, room_id="!r", own_user_id=BOT) is None
    )


@pytest.mark.parametrize(
    ("msgtype", "kind"),
    [
        ("m.image", MediaKind.PHOTO),
        ("m.file", MediaKind.DOCUMENT),
        ("m.audio", MediaKind.AUDIO),
        ("m.video", MediaKind.VIDEO),
        ("m.location", MediaKind.LOCATION),
        ("org.example.custom", MediaKind.OTHER),
    ],
)
def test_media_is_noted_by_kind_and_never_fetched(msgtype: str, kind: MediaKind) -> None:
    source = event(content={"msgtype": msgtype, "url": "mxc://x/y"})
    inbound = inbound_of(source, room_id="!r", own_user_id=BOT)
    assert inbound is not None and inbound.media is kind and inbound.text == ""


def test_a_reply_loses_its_quote_of_the_other_persons_id_and_text() -> None:
    body = "> <@counsellor:example.org> earlier words\n> more\n\nmy answer"
    source = event(body, content={"m.relates_to": {"m.in_reply_to": {"event_id": "$0"}}})
    inbound = inbound_of(source, room_id="!r", own_user_id=BOT)
    assert inbound is not None and inbound.text == "my answer"
    assert strip_reply_fallback("no quote") == "no quote"


def test_an_edit_carries_the_new_text_without_the_star() -> None:
    content = {
        "body": "* korjattu",
        "m.new_content": {"msgtype": "m.text", "body": "korjattu"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": "$0"},
    }
    inbound = inbound_of(event("* korjattu", content=content), room_id="!r", own_user_id=BOT)
    assert inbound is not None and inbound.text == "korjattu"


def test_a_keycap_reaction_answers_a_numbered_choice() -> None:
    source = {
        "type": "m.reaction",
        "sender": "@resident:example.org",
        "event_id": "$r",
        "content": {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$q", "key": "2️⃣"}},
    }
    inbound = inbound_of(source, room_id="!r", own_user_id=BOT)
    assert inbound is not None and inbound.text == "2"
    source["content"]["m.relates_to"]["key"] = "👍"
    assert inbound_of(source, room_id="!r", own_user_id=BOT) is None


def test_events_before_the_bot_joined_are_skipped() -> None:
    join = {"type": "m.room.member", "state_key": BOT, "content": {"membership": "join"}}
    rename = {
        **join,
        "unsigned": {"prev_content": {"membership": "join"}},
    }
    timeline = [event("before"), join, event("after")]
    assert after_own_join(timeline, BOT) == 2
    assert after_own_join([event("a"), rename, event("b")], BOT) == 0


def test_only_one_to_one_invites_count_as_direct() -> None:
    def member(user: str, membership: str, **content: Any) -> dict[str, Any]:
        return {
            "type": "m.room.member",
            "state_key": user,
            "content": {"membership": membership, **content},
        }

    resident = member("@a:x", "join")
    assert is_direct_invite([resident, member(BOT, "invite", is_direct=True)], BOT)
    assert is_direct_invite([resident, member(BOT, "invite")], BOT)
    group = [resident, member("@b:x", "join"), member(BOT, "invite", is_direct=True)]
    assert not is_direct_invite(group, BOT)


def test_choices_become_numbered_lines_and_counsellors_are_named() -> None:
    outbound = Outbound(
        outbox_id="o1",
        text="Valitse kieli",
        choices=(Choice("lang:fi", "Suomi"), Choice("lang:sv", "Svenska")),
    )
    assert message_content(outbound)["body"] == "Valitse kieli\n\n1. Suomi\n2. Svenska"
    reply = Outbound(outbox_id="o2", text="Hei", author=Author.COUNSELLOR, display_name="Tiina")
    assert message_content(reply) == {"msgtype": "m.text", "body": "Tiina: Hei"}


@dataclass
class _Error:
    status_code: str | None
    retry_after_ms: int | None = None
    transport_response: Any = None


def test_matrix_errors_map_to_retryable_permanent_or_gone() -> None:
    limited = delivery_error(_Error("M_LIMIT_EXCEEDED", retry_after_ms=2500))
    assert isinstance(limited, RetryableDeliveryError) and limited.retry_after == 2.5
    assert isinstance(delivery_error(_Error("M_FORBIDDEN")), RecipientGone)
    assert isinstance(delivery_error(_Error(None)), RetryableDeliveryError)
    assert type(delivery_error(_Error("M_TOO_LARGE"))) is PermanentDeliveryError


# ------------------------------------------------------------------ against Synapse


async def eventually(check: Callable[[], Awaitable[bool]] | Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@dataclass
class MatrixResident:
    """A resident on their own Matrix client (a separate device with its own keys)."""

    user: MatrixUser
    client: Any
    messages: list[tuple[str, str, str, bool]] = field(default_factory=list)
    redacted: set[str] = field(default_factory=set)
    task: asyncio.Task[None] | None = None

    def texts(self, room_id: str) -> list[str]:
        return [body for room, _, body, _ in self.messages if room == room_id]

    def last(self, room_id: str) -> str:
        return self.texts(room_id)[-1]

    async def wait_for_text(self, room_id: str, count: int) -> list[str]:
        await eventually(lambda: len(self.texts(room_id)) >= count, f"message {count}")
        return self.texts(room_id)

    async def open_direct_chat(self, bot_user_id: str, *, encrypted: bool) -> str:
        from nio import RoomCreateResponse, RoomPreset

        initial_state = []
        if encrypted:
            initial_state.append(
                {
                    "type": "m.room.encryption",
                    "state_key": "",
                    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                }
            )
        response = await self.client.room_create(
            is_direct=True,
            invite=[bot_user_id],
            preset=RoomPreset.trusted_private_chat,
            initial_state=initial_state,
        )
        assert isinstance(response, RoomCreateResponse), response
        room_id = str(response.room_id)
        await eventually(
            lambda: bot_user_id in self._joined(room_id), "the bot to join the direct chat"
        )
        return room_id

    def _joined(self, room_id: str) -> set[str]:
        room = self.client.rooms.get(room_id)
        if room is None:
            return set()
        return {user for user in room.users if user not in room.invited_users}

    async def write(self, room_id: str, text: str) -> str:
        from nio import RoomSendResponse

        response = await self.client.room_send(
            room_id,
            "m.room.message",
            {"msgtype": "m.text", "body": text},
            ignore_unverified_devices=True,
        )
        assert isinstance(response, RoomSendResponse), response
        return str(response.event_id)


@contextlib.asynccontextmanager
async def matrix_resident(
    synapse: Synapse, store: Path, *, display_name: str = ""
) -> AsyncIterator[MatrixResident]:
    from nio import AsyncClient, AsyncClientConfig, RedactionEvent, RoomMessageText

    user = await synapse.register("resident")
    store.mkdir(parents=True, exist_ok=True)
    client = AsyncClient(
        synapse.base_url,
        user.user_id,
        store_path=str(store),
        config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False),
    )
    resident = MatrixResident(user, client)

    async def on_text(room: Any, message: Any) -> None:
        if message.sender != user.user_id:
            resident.messages.append(
                (room.room_id, message.event_id, message.body, bool(message.decrypted))
            )

    async def on_redaction(room: Any, redaction: Any) -> None:
        resident.redacted.add(redaction.redacts)

    client.add_event_callback(on_text, RoomMessageText)
    client.add_event_callback(on_redaction, RedactionEvent)
    await client.login(user.password, device_name="resident phone")
    if display_name:
        await client.set_displayname(display_name)
    await client.sync(timeout=0)
    resident.task = asyncio.create_task(client.sync_forever(timeout=5000))
    try:
        yield resident
    finally:
        resident.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await resident.task
        await client.close()


@dataclass
class Bot:
    service: Service
    settings: Settings
    adapter: MatrixAdapter
    outbox: asyncio.Task[None]

    @property
    def core(self) -> Any:
        return self.service.core

    async def restart(self, sink: Callable[[Inbound], Awaitable[None]] | None = None) -> None:
        """A new adapter instance on the same data directory, as after a process restart."""
        await self.adapter.stop()
        self.adapter = MatrixAdapter.from_settings(self.settings, MATRIX_LOG)
        self.service.outbox.register(self.adapter.name, self.adapter.send)
        await self.adapter.start(sink or self.service.dispatcher.receive)
        await self.adapter.wait_ready(DEADLINE_SECONDS)

    async def conversation(self, resident: MatrixResident) -> Conversation:
        pseudonym = pseudonymise(self.core.keyring.pepper, "matrix", resident.user.user_id)
        async with self.core.database.session() as session:
            rows = await session.execute(
                select(Conversation).where(Conversation.pseudonym == pseudonym)
            )
            found = rows.scalars().first()
        assert found is not None
        return found

    def inbound_count(self, metric: str) -> int:
        counter = getattr(self.core.metrics, metric).labels(channel="matrix")
        return int(counter._value.get())

    async def resident_messages(self, conversation_id: str) -> int:
        async with self.core.database.session() as session:
            query = select(func.count()).where(
                col(Message.conversation_id) == conversation_id,
                col(Message.author) == "resident",
            )
            return int((await session.execute(query)).scalar_one())


@pytest.fixture
async def bot(synapse_server: Synapse, tmp_path: Path) -> AsyncIterator[Bot]:
    account = await synapse_server.register("bot")
    settings = load_settings(
        data_dir=tmp_path / "data",
        log_format="text",
        matrix_homeserver=synapse_server.base_url,
        matrix_user_id=account.user_id,
        matrix_password=account.password,
    )
    service = build_service(settings)
    await prepare_database(service)
    adapter = MatrixAdapter.from_settings(settings, MATRIX_LOG)
    service.add_adapter(adapter)
    assert isinstance(adapter, Adapter)
    await adapter.start(service.dispatcher.receive)
    await adapter.wait_ready(DEADLINE_SECONDS)
    outbox = asyncio.create_task(service.outbox.run(idle_seconds=0.2))
    running = Bot(service, settings, adapter, outbox)
    try:
        yield running
    finally:
        outbox.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await outbox
        await running.adapter.stop()
        await service.core.database.dispose()


async def triage_to_queue(bot: Bot, resident: MatrixResident, room_id: str) -> None:
    texts = bot.core.texts
    await resident.write(room_id, "hei")
    menu = (await resident.wait_for_text(room_id, 1))[-1]
    for number, language in enumerate(LANGUAGES, 1):
        assert f"{number}. {texts.language_name(language)}" in menu
    seen = len(resident.texts(room_id))
    await resident.write(room_id, "1")
    await eventually(
        lambda: any(
            "1. " + texts.text("fi", "topic_housing") in t for t in resident.texts(room_id)
        ),
        "the topic menu",
    )
    assert len(resident.texts(room_id)) > seen
    await resident.write(room_id, "1")
    queued = texts.text("fi", "queued", position=1, minutes=5)
    await eventually(lambda: queued in resident.texts(room_id), "the queued notice")


async def counsellor(bot: Bot, name: str) -> actions.Staff:
    from bot.actions.context import SYSTEM
    from bot.actions.users import create_user
    from bot.roles import Role

    user = await create_user(
        bot.core,
        SYSTEM,
        username=name.lower(),
        role=Role.COUNSELLOR,
        password="a long test password",
        queues=("general",),
        display_name=name,
    )
    return actions.Staff(user.id, Role.COUNSELLOR, user.display_name, frozenset(["general"]), 3)


@pytest.mark.matrix
async def test_a_direct_chat_is_joined_and_a_conversation_reaches_a_counsellor_reply(
    bot: Bot, synapse_server: Synapse, tmp_path: Path
) -> None:
    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=False)
        await triage_to_queue(bot, resident, room_id)

        conversation = await bot.conversation(resident)
        assert conversation.state == State.QUEUED
        tiina = await counsellor(bot, "Tiina")
        await actions.claim(bot.core, tiina, conversation.id)
        await actions.reply(bot.core, tiina, conversation.id, "Kerro lisää.")
        await eventually(lambda: "Tiina: Kerro lisää." in resident.texts(room_id), "the reply")
        assert not any(decrypted for *_, decrypted in resident.messages)


@pytest.mark.matrix
async def test_an_encrypted_direct_chat_works_both_ways(
    bot: Bot, synapse_server: Synapse, tmp_path: Path
) -> None:
    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=True)
        await triage_to_queue(bot, resident, room_id)
        # Every answer the resident saw was end-to-end encrypted by the bot's device.
        assert resident.messages and all(decrypted for *_, decrypted in resident.messages)
        assert bot.adapter._client.rooms[room_id].encrypted


@pytest.mark.matrix
async def test_a_restart_in_the_middle_neither_loses_nor_repeats_a_message(
    bot: Bot, synapse_server: Synapse, tmp_path: Path
) -> None:
    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=True)
        await resident.write(room_id, "hei")
        await resident.wait_for_text(room_id, 1)
        assert bot.inbound_count("inbound_messages") == 1

        await bot.adapter.stop()
        await resident.write(room_id, "1")  # while the bot is down
        await bot.restart()
        topic = "1. " + bot.core.texts.text("fi", "topic_housing")
        await eventually(
            lambda: any(topic in text for text in resident.texts(room_id)), "the topic menu"
        )
        # A second restart must not replay what was already stored.
        await bot.restart()
        await resident.write(room_id, "1")
        queued = bot.core.texts.text("fi", "queued", position=1, minutes=5)
        await eventually(lambda: queued in resident.texts(room_id), "the queued notice")
        # Three events, each taken by the core once: none lost, none replayed.
        assert bot.inbound_count("inbound_messages") == 3
        assert bot.inbound_count("inbound_duplicates") == 0
        assert sum(topic in text for text in resident.texts(room_id)) == 1


@pytest.mark.matrix
async def test_a_batch_the_store_refused_is_synced_again_not_skipped(
    bot: Bot, synapse_server: Synapse, tmp_path: Path
) -> None:
    refused: list[str] = []

    async def flaky_sink(inbound: Inbound) -> None:
        if not refused:
            refused.append(inbound.platform_message_id)
            raise StoreUnavailable("database down")
        await bot.service.dispatcher.receive(inbound)

    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=False)
        await bot.restart(flaky_sink)
        event_id = await resident.write(room_id, "hei")
        await resident.wait_for_text(room_id, 1)
        assert refused == [event_id]
        conversation = await bot.conversation(resident)
        assert await bot.resident_messages(conversation.id) == 1


@pytest.mark.matrix
async def test_erasure_withdraws_the_bots_messages_confirms_and_leaves_the_room(
    bot: Bot, synapse_server: Synapse, tmp_path: Path
) -> None:
    secret_name = "Maija Salaisennimi"
    async with matrix_resident(
        synapse_server, tmp_path / "resident", display_name=secret_name
    ) as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=True)
        await triage_to_queue(bot, resident, room_id)
        bot_events = [event_id for room, event_id, *_ in resident.messages if room == room_id]

        await resident.write(room_id, "poista tietoni")
        deleted = bot.core.texts.text("fi", "deleted")
        await eventually(lambda: deleted in resident.texts(room_id), "the confirmation")
        await eventually(
            lambda: bot.adapter.user_id not in resident._joined(room_id), "the bot to leave"
        )
        await eventually(lambda: set(bot_events) <= resident.redacted, "the redactions")

    await bot.service.core.database.dispose()
    raw = b"".join(
        path.read_bytes() for path in (tmp_path / "data").glob("somesossu.db*") if path.is_file()
    )
    assert raw, "the database file was not found"
    localpart = resident.user.user_id[1:].split(":")[0]
    for personal in (resident.user.user_id, localpart, room_id, secret_name):
        assert personal.encode() not in raw, personal


@pytest.mark.matrix
async def test_the_key_store_and_tokens_are_private_to_the_service_user(bot: Bot) -> None:
    store = bot.settings.data_dir / "matrix"
    assert stat.S_IMODE(store.stat().st_mode) == 0o700
    files = [path for path in store.iterdir() if path.is_file()]
    assert {"session.json", "sync-token", "pickle.key"} <= {path.name for path in files}
    assert any(path.suffix == ".db" for path in files), "no end-to-end key store"
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
