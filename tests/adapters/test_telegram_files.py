"""Files on Telegram: fetched through the real python-telegram-bot client from the Bot API
stand-in only past the privacy notice and within the size limit, made safe, stored sealed, or
refused in the resident's language with nothing else of the conversation lost."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select
from telegram import Bot, Update

from adapters.telegram import TelegramAdapter, TelegramConfigError, file_url
from adapters.telegram_files import FileRef, TelegramFile
from adapters.telegram_updates import message_id_of_ref, normalise
from bot.actions import conversations as actions
from bot.app import Service, build_service, build_web_app
from bot.attachments import open_attachment
from bot.config import Settings
from bot.core import unit_of_work
from bot.events import ChannelName, FileTooLarge, FileUnavailable, PlatformFile
from bot.store.attachments import Attachment
from bot.store.tables import Conversation, Message
from tests.adapters.telegram_stand_in import (
    FILE_UNAVAILABLE,
    GONE,
    TOKEN,
    BotApiStandIn,
    Person,
)
from tests.adapters.test_telegram import (
    SECRET,
    TELEGRAM_LOG,
    PollingChat,
    WebhookChat,
    conversation_of,
    count,
    log_lines,
    make_adapter,
    person,
    quiet_libraries,
    staff,
    stand_in,
)
from tests.support.files import SECRET_DEVICE, SECRET_NAME, opus_voice, photo_with_gps
from tests.support.raw import raw_database

__all__ = ["stand_in"]  # the stand-in fixture, used by name below

FILE_NAME = "IMG_20261205_zq-name.jpg"


@pytest.fixture
async def chat(service: Service, stand_in: BotApiStandIn) -> AsyncIterator[PollingChat]:
    adapter = make_adapter(stand_in, file_timeout=0.5)
    service.add_adapter(adapter)
    await adapter.start(service.dispatcher.receive)
    yield PollingChat(service, stand_in, adapter)
    await adapter.stop()


async def triaged(chat: PollingChat, resident: Person, lang: str = "fi") -> None:
    """Language, topic and the privacy notice behind them: the resident is queued."""
    await chat.push(chat.stand_in.text_update(resident, "/start"))
    await chat.push(chat.stand_in.press_update(resident, f"lang:{lang}"))
    await chat.push(chat.stand_in.press_update(resident, "topic:housing"))


async def stored_files(service: Service) -> list[Attachment]:
    async with service.core.database.session() as session:
        return list((await session.execute(select(Attachment))).scalars())


async def opened(service: Service, attachment: Attachment) -> bytes:
    async with unit_of_work(service.core) as work:
        return await open_attachment(work, attachment)


def answer(service: Service, lang: str, key: str) -> str:
    return str(service.core.texts.text(lang, key))


def limit_files_to(service: Service, max_bytes: int) -> None:
    core = service.core
    core.settings = core.settings.model_copy(update={"attachment_max_bytes": max_bytes})


def long_runs(*files: bytes) -> list[bytes]:
    """64-byte runs of varied bytes (runs of a few repeated values would match anything)."""
    return [
        data[start : start + 64]
        for data in files
        for start in range(0, len(data) - 64, 64)
        if len(set(data[start : start + 64])) >= 24
    ]


# -- photos and documents, end to end --------------------------------------------------------


async def test_a_phone_photo_sent_as_a_document_is_stored_without_gps_and_unreadable_on_disk(
    chat: PollingChat, service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    quiet_libraries()
    api, resident = chat.stand_in, person()
    await triaged(chat, resident)
    original = photo_with_gps(400, 300)
    update = api.document_update(resident, original, file_name=FILE_NAME)
    file_id = update["message"]["document"]["file_id"]
    with caplog.at_level(logging.DEBUG):
        await chat.push(update)
    assert [call.method for call in api.file_calls()] == ["getFile", "download"]
    assert api.file_calls()[0].params["file_id"] == file_id

    [attachment] = await stored_files(service)
    assert (attachment.kind, attachment.media_type) == ("photo", "image/jpeg")
    stored = await opened(service, attachment)
    assert stored.startswith(b"\xff\xd8")
    for secret in (SECRET_NAME.encode(), SECRET_DEVICE.encode(), b"Exif", b"Somefone"):
        assert secret not in stored
    raw = await raw_database(service)
    for secret in (SECRET_NAME, SECRET_DEVICE, "Somefone", FILE_NAME, file_id, "zq-name"):
        assert secret.encode() not in raw, secret
        assert secret not in log_lines(caplog), secret
    runs = long_runs(original, stored)
    assert len(runs) > 10
    assert not [run for run in runs if run in raw]


async def test_a_compressed_photo_is_fetched_at_its_largest_size_and_stored_clean(
    chat: PollingChat, service: Service
) -> None:
    api, resident = chat.stand_in, person()
    await triaged(chat, resident, "en")
    update = api.photo_update(resident, photo_with_gps(400, 300))
    largest = update["message"]["photo"][-1]["file_id"]
    await chat.push(update)
    assert [call.params.get("file_id") for call in api.file_calls()][:1] == [largest]
    [attachment] = await stored_files(service)
    assert attachment.kind == "photo"
    stored = await opened(service, attachment)
    assert SECRET_NAME.encode() not in stored and b"Exif" not in stored
    raw = await raw_database(service)
    assert SECRET_NAME.encode() not in raw and SECRET_DEVICE.encode() not in raw
    assert not [run for run in long_runs(stored) if run in raw]


async def test_a_voice_message_is_stored_as_voice_without_its_tags(
    chat: PollingChat, service: Service
) -> None:
    api, resident = chat.stand_in, person()
    await triaged(chat, resident)
    await chat.push(api.voice_update(resident, opus_voice()))
    [attachment] = await stored_files(service)
    assert (attachment.kind, attachment.media_type) == ("voice", "audio/ogg")
    stored = await opened(service, attachment)
    assert stored.startswith(b"OggS")
    assert SECRET_NAME.encode() not in stored and b"60.1699" not in stored


async def test_the_counsellor_sees_the_file_as_a_placeholder_and_the_caption_as_text(
    chat: PollingChat, service: Service
) -> None:
    api, resident = chat.stand_in, person()
    await triaged(chat, resident)
    caption = "Vuokralasku, eräpäivä huomenna zq-cap"
    await chat.push(api.photo_update(resident, photo_with_gps(200, 100), caption=caption))
    counsellor = await staff(service)
    conversation = await conversation_of(service, resident)
    await actions.claim(service.core, counsellor, conversation.id)
    transcript = await actions.read(service.core, counsellor, conversation.id, reason="")
    residents = [m for m in transcript.messages if m.author == "resident"]
    [placeholder] = [m.attachment for m in residents if m.attachment is not None]
    [attachment] = await stored_files(service)
    assert (placeholder.kind, placeholder.size) == ("photo", attachment.size)
    assert residents[-1].text == caption  # after the file, as the resident wrote it under it
    assert b"zq-cap" not in await raw_database(service)


async def test_a_photo_by_webhook_is_fetched_and_stored_like_one_by_polling(
    settings: Settings, stand_in: BotApiStandIn
) -> None:
    service = build_service(settings)
    adapter = make_adapter(
        stand_in, mode="webhook", webhook_url="https://chat.example.org", webhook_secret=SECRET
    )
    service.add_adapter(adapter)
    resident = person(tag="w")
    async with TestClient(TestServer(build_web_app(service))) as client:
        chat = WebhookChat(service, stand_in, client)
        await chat.push(stand_in.text_update(resident, "/start"))
        await chat.push(stand_in.press_update(resident, "lang:fi"))
        await chat.push(stand_in.press_update(resident, "topic:housing"))
        await chat.push(stand_in.photo_update(resident, photo_with_gps()))
        [attachment] = await stored_files(service)
        assert attachment.kind == "photo"
    assert [call.method for call in stand_in.file_calls()] == ["getFile", "download"]


# -- before the privacy notice ---------------------------------------------------------------


async def test_a_file_before_the_privacy_notice_is_not_fetched_and_the_resident_is_told(
    chat: PollingChat, service: Service
) -> None:
    api, resident = chat.stand_in, person()
    await chat.push(api.text_update(resident, "/start"))
    await chat.push(api.press_update(resident, "lang:sv"))
    await chat.push(api.photo_update(resident, photo_with_gps()))
    await chat.push(api.document_update(resident, photo_with_gps()))
    assert api.file_calls() == []
    assert api.texts_to(resident)[-2:] == [answer(service, "sv", "attachment_not_yet")] * 2
    assert await stored_files(service) == []


# -- refusals: nothing downloaded that is too large, nothing else lost -----------------------


async def test_a_file_declared_over_the_limit_by_its_message_is_refused_without_any_call(
    chat: PollingChat, service: Service
) -> None:
    api, resident = chat.stand_in, person()
    await triaged(chat, resident)
    limit = service.core.settings.attachment_max_bytes
    await chat.push(api.document_update(resident, photo_with_gps(), declared_size=limit + 1))
    assert api.file_calls() == []
    assert api.texts_to(resident)[-1] == answer(service, "fi", "attachment_too_large")
    assert await stored_files(service) == []


async def test_a_file_declared_over_the_limit_by_get_file_is_refused_before_the_download(
    chat: PollingChat, service: Service
) -> None:
    api, resident = chat.stand_in, person()
    await triaged(chat, resident)
    limit_files_to(service, 4096)
    await chat.push(
        api.document_update(resident, photo_with_gps(), declared_size=5000, in_message=False)
    )
    assert [call.method for call in api.file_calls()] == ["getFile"]
    assert api.texts_to(resident)[-1] == answer(service, "fi", "attachment_too_large")


async def test_a_file_over_the_bot_apis_own_limit_is_refused_as_too_large(
    chat: PollingChat, service: Service
) -> None:
    api, resident = chat.stand_in, person()
    await triaged(chat, resident)
    limit_files_to(service, 50 * 1024 * 1024)
    await chat.push(
        api.document_update(resident, b"%PDF", declared_size=30 * 1024 * 1024, in_message=False)
    )
    assert [call.method for call in api.file_calls()] == ["getFile"]  # "file is too big"
    assert api.texts_to(resident)[-1] == answer(service, "fi", "attachment_too_large")


async def test_a_download_larger_than_declared_is_refused_and_not_kept(
    chat: PollingChat, service: Service
) -> None:
    api, resident = chat.stand_in, person()
    await triaged(chat, resident)
    original = photo_with_gps(400, 300)
    limit_files_to(service, len(original) - 1)
    await chat.push(api.document_update(resident, original, declared_size=1000))
    assert [call.method for call in api.file_calls()] == ["getFile", "download"]
    assert api.texts_to(resident)[-1] == answer(service, "fi", "attachment_too_large")
    assert await stored_files(service) == []


@pytest.mark.parametrize("failure", ["get_file_refused", "get_file_down", "download_gone"])
async def test_a_file_telegram_cannot_hand_over_is_refused_and_the_conversation_goes_on(
    chat: PollingChat, service: Service, failure: str
) -> None:
    api, resident = chat.stand_in, person()
    await triaged(chat, resident)
    update = api.photo_update(resident, photo_with_gps())
    if failure == "get_file_refused":
        api.fail_next("getFile", FILE_UNAVAILABLE)
    elif failure == "get_file_down":
        api.fail_next("getFile", (502, {"ok": False, "error_code": 502}))
    else:
        api.fail_next("download", GONE)  # gone from Telegram's store after getFile
    await chat.push(update)
    assert api.texts_to(resident)[-1] == answer(service, "fi", "attachment_unsupported")
    assert await stored_files(service) == []
    await chat.push(api.text_update(resident, "Kuulitteko? zq-after"))
    conversation = await conversation_of(service, resident)
    assert conversation.state == "queued"
    counsellor = await staff(service)
    await actions.claim(service.core, counsellor, conversation.id)
    transcript = await actions.read(service.core, counsellor, conversation.id, reason="")
    said = [m.text for m in transcript.messages if m.author == "resident"]
    assert said[-1] == "Kuulitteko? zq-after"


# -- the reference itself: no file id, path or token in an error, no local file read ---------


@pytest.fixture
async def bot(stand_in: BotApiStandIn) -> AsyncIterator[Bot]:
    client = Bot(TOKEN, base_url=stand_in.base_url, base_file_url=file_url(stand_in.base_url))
    async with client:
        yield client


def ref_of(fields: dict[str, object]) -> FileRef:
    size = fields.get("file_size")
    return FileRef(str(fields["file_id"]), size if isinstance(size, int) else None)


@pytest.mark.parametrize("failure", ["refused", "network", "download", "timeout"])
async def test_a_failed_fetch_names_no_file_id_path_or_token(
    stand_in: BotApiStandIn, bot: Bot, failure: str, caplog: pytest.LogCaptureFixture
) -> None:
    quiet_libraries()
    fields = stand_in.hold(b"%PDF-1.4 zq", file_path="documents/file_zq-path.pdf")
    if failure == "refused":
        stand_in.fail_next("getFile", FILE_UNAVAILABLE)
    elif failure == "network":
        stand_in.fail_next("getFile", (502, {"ok": False, "error_code": 502}))
    elif failure == "download":
        stand_in.fail_next("download", GONE)
    else:
        stand_in.downloads_flowing.clear()  # Telegram stops sending: the read times out
    kept = TelegramFile(bot, ref_of(fields), timeout=0.2, log=TELEGRAM_LOG)
    with caplog.at_level(logging.INFO), pytest.raises(FileUnavailable) as caught:
        await kept.fetch(1024)
    assert "telegram.file_refused" in log_lines(caplog)
    said = f"{caught.value} {caught.value!r} {kept!r} {ref_of(fields)!r} {log_lines(caplog)}"
    for secret in (str(fields["file_id"]), "zq-path", TOKEN, TOKEN.split(":")[1]):
        assert secret not in said, secret
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


async def test_a_file_path_naming_a_file_on_this_machine_is_never_read(
    stand_in: BotApiStandIn, bot: Bot, tmp_path: Path
) -> None:
    local = tmp_path / "keys.json"
    local.write_bytes(b"%PDF- not to be read zq-local")
    fields = stand_in.hold(b"%PDF-1.4", file_path=str(local))
    with pytest.raises(FileUnavailable):
        await TelegramFile(bot, ref_of(fields)).fetch(1024)
    assert [call.method for call in stand_in.file_calls()] == ["getFile"]


async def test_a_fetch_within_the_limit_hands_over_exactly_the_bytes(
    stand_in: BotApiStandIn, bot: Bot
) -> None:
    data = photo_with_gps()
    fields = stand_in.hold(data)
    assert await TelegramFile(bot, ref_of(fields)).fetch(len(data)) == data
    with pytest.raises(FileTooLarge):
        await TelegramFile(bot, ref_of(fields)).fetch(len(data) - 1)
    # The second fetch was refused by the message's declared size, without a call.
    assert [call.method for call in stand_in.file_calls()] == ["getFile", "download"]


async def test_a_download_longer_than_telegram_declared_is_refused_by_its_real_size(
    stand_in: BotApiStandIn, bot: Bot
) -> None:
    data = photo_with_gps()
    fields = stand_in.hold(data, declared_size=100)
    with pytest.raises(FileTooLarge):
        await TelegramFile(bot, ref_of(fields)).fetch(len(data) - 1)
    assert [call.method for call in stand_in.file_calls()] == ["getFile", "download"]


def test_the_file_url_sits_beside_the_method_url() -> None:
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url("http://127.0.0.1:8081/bot/") == "http://127.0.0.1:8081/file/bot"
    for wrong in ("https://botapi.internal/", "https://botapi.internal/bot/extra"):
        with pytest.raises(TelegramConfigError) as caught:
            file_url(wrong)
        assert "SOMESOSSU_TELEGRAM_API_URL" in str(caught.value) and wrong not in str(caught.value)


# -- the adapter's boundary ------------------------------------------------------------------


class Opened:
    """Records which references the adapter would have the core fetch."""

    def __init__(self) -> None:
        self.refs: list[FileRef] = []

    def __call__(self, ref: FileRef) -> PlatformFile:
        self.refs.append(ref)
        return TelegramFile(Bot(TOKEN), ref)


def test_a_photo_goes_by_its_largest_size_and_a_document_without_its_name_or_caption(
    stand_in: BotApiStandIn,
) -> None:
    resident = person()
    photo = stand_in.photo_update(resident, b"full", caption="kuvateksti zq-cap")
    sizes = photo["message"]["photo"]
    sizes.reverse()  # the order is not promised; the pixels decide
    opener = Opened()
    normalised = normalise(
        Update.de_json(photo, None), ChannelName("telegram"), datetime.now(UTC), files=opener
    )
    inbound, caption = normalised.inbound, normalised.caption
    assert inbound is not None and caption is not None
    assert [ref.file_id for ref in opener.refs] == [sizes[0]["file_id"]]
    assert inbound.platform_file is not None and inbound.media is None and inbound.text == ""
    assert caption.text == "kuvateksti zq-cap" and caption.platform_file is None
    assert caption.platform_message_id != inbound.platform_message_id
    assert message_id_of_ref(caption.platform_message_id) == photo["message"]["message_id"]

    document = stand_in.document_update(resident, b"%PDF", file_name="passi_zq.pdf")
    update = Update.de_json(document, None)
    found = normalise(update, ChannelName("telegram"), datetime.now(UTC), files=opener)
    assert found.inbound is not None and found.caption is None
    carried = f"{found.inbound!r} {found.inbound.platform_file!r} {opener.refs[-1]!r}"
    for fragment in ("passi_zq", "image/jpeg", "pdf", document["message"]["document"]["file_id"]):
        assert fragment not in carried


def test_the_adapter_refuses_an_api_url_it_cannot_place_files_beside() -> None:
    with pytest.raises(TelegramConfigError):
        TelegramAdapter(token=TOKEN, api_url="https://botapi.internal/", log=TELEGRAM_LOG)


# -- delete my data --------------------------------------------------------------------------


async def test_delete_my_data_deletes_the_residents_file_messages_from_the_chat(
    chat: PollingChat, service: Service
) -> None:
    api, resident = chat.stand_in, person()
    await triaged(chat, resident)
    photo = api.photo_update(resident, photo_with_gps(), caption="Tässä lasku")
    await chat.push(photo)
    voice = api.voice_update(resident, opus_voice())
    await chat.push(voice)
    assert len(await stored_files(service)) == 2
    await chat.push(api.text_update(resident, "/delete"))
    deleted = {message_id for _, message_id in api.deleted}
    assert {photo["message"]["message_id"], voice["message"]["message_id"]} <= deleted
    assert api.texts_to(resident)[-1] == answer(service, "fi", "deleted")
    assert await stored_files(service) == []
    assert await count(service, Conversation) == 0 and await count(service, Message) == 0


# -- library documents, from the counsellor to the resident -----------------------------------


async def test_a_library_document_reaches_the_resident_as_a_file_with_its_title(
    chat: PollingChat, service: Service
) -> None:
    from bot.actions import library
    from bot.actions.context import Actor
    from tests.support.files import pdf_with_extras

    api, resident = chat.stand_in, person()
    await triaged(chat, resident)
    counsellor = await staff(service)
    conversation = await conversation_of(service, resident)
    await actions.claim(service.core, counsellor, conversation.id)
    form = await library.publish(
        service.core,
        Actor("admin-1", "admin"),
        language="fi",
        title="Asumistuki: hakemus",
        data=pdf_with_extras(pages=1),
    )
    await library.send(service.core, counsellor, conversation.id, form)
    await chat.settle()

    [upload] = [call for call in api.calls if call.method == "sendDocument"]
    assert upload.params["chat_id"] == resident.user_id
    assert upload.params["caption"] == "Tiina: Asumistuki: hakemus"
    document = upload.params["document"]
    assert document["filename"] == "asumistuki-hakemus.pdf"
    assert document["data"].startswith(b"%PDF-") and SECRET_NAME.encode() not in document["data"]
    # One message for the document: its title is not sent again as text.
    assert not [
        call
        for call in api.calls
        if call.method == "sendMessage" and "hakemus" in str(call.params.get("text"))
    ]
