"""Files on the web chat: uploaded with the tab's token, made safe, stored sealed, or refused
in the resident's language with nothing else of the conversation lost."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.attachments import open_attachment
from bot.core import unit_of_work
from bot.store.attachments import Attachment
from tests.adapters.conftest import WebChat, WebChatFactory, conversation_of, stored_messages
from tests.adapters.test_webchat import triaged
from tests.support.files import SECRET_DEVICE, SECRET_NAME, photo_with_gps
from tests.support.raw import raw_database

OCTETS = {"Content-Type": "application/octet-stream"}


async def upload(webchat: WebChat, token: str, data: bytes, client_id: str = "f1") -> Any:
    headers = {**OCTETS, "X-Chat-Token": token, "X-Client-Id": client_id}
    return await webchat.client.post("/chat/upload", data=data, headers=headers)


async def attachments_of(webchat: WebChat, token: str) -> list[Attachment]:
    conversation = await conversation_of(webchat.service, token)
    async with webchat.service.core.database.session() as session:
        rows = await session.execute(
            select(Attachment).where(Attachment.conversation_id == conversation.id)
        )
        return list(rows.scalars())


async def said(resident: Any, webchat: WebChat, lang: str, key: str) -> None:
    text = webchat.service.core.texts.text(lang, key)
    await resident.next(lambda f: f["type"] == "message" and f["text"] == text)


async def test_a_photo_with_gps_is_stored_sealed_and_neither_exif_nor_bytes_are_on_disk(
    webchat: WebChat,
) -> None:
    _resident, token = await triaged(webchat, "fi")
    original = photo_with_gps(400, 300)
    answer = await upload(webchat, token, original)
    assert answer.status == 200 and (await answer.json()) == {"delivered": "f1"}
    assert answer.headers["Cache-Control"] == "no-store"

    [attachment] = await attachments_of(webchat, token)
    assert (attachment.kind, attachment.media_type) == ("photo", "image/jpeg")
    async with unit_of_work(webchat.service.core) as work:
        stored = await open_attachment(work, attachment)
    assert stored.startswith(b"\xff\xd8") and attachment.size == len(stored)
    for secret in (SECRET_NAME.encode(), SECRET_DEVICE.encode(), b"Exif", b"Somefone"):
        assert secret not in stored
    messages = await stored_messages(webchat.service, token)
    [message] = [m for m in messages if m.kind == "attachment"]
    assert attachment.message_id == message.id

    raw = await raw_database(webchat.service)
    for secret in (SECRET_NAME.encode(), SECRET_DEVICE.encode(), b"Somefone"):
        assert secret not in raw
    # Neither the upload nor the rebuilt picture is in the file in clear: no 64-byte run of
    # either (runs of a few repeated values, such as zeros, would match anything).
    runs = [
        data[start : start + 64]
        for data in (original, stored)
        for start in range(0, len(data) - 64, 64)
        if len(set(data[start : start + 64])) >= 24
    ]
    assert len(runs) > 10
    assert not [run for run in runs if run in raw]


async def test_a_file_before_the_topic_is_refused_in_the_residents_language(
    webchat: WebChat,
) -> None:
    resident = await webchat.connect()
    token, _ = await resident.hello(lang="sv")
    await resident.send({"type": "choice", "value": "lang:sv", "client_id": "start"})
    await resident.next_of("delivered", client_id="start")
    answer = await upload(webchat, token, photo_with_gps())
    assert answer.status == 200
    await said(resident, webchat, "sv", "attachment_not_yet")
    assert await attachments_of(webchat, token) == []


async def test_an_unreadable_file_is_refused_in_finnish_and_nothing_else_is_lost(
    webchat: WebChat,
) -> None:
    resident, token = await triaged(webchat, "fi")
    await resident.send({"type": "message", "text": "Vuokra on myöhässä", "client_id": "m1"})
    await resident.next_of("delivered", client_id="m1")
    before = len(await stored_messages(webchat.service, token))

    answer = await upload(webchat, token, b"%PDF-1.4 broken " + bytes(range(256)))
    assert answer.status == 200
    await said(resident, webchat, "fi", "attachment_unsupported")
    assert await attachments_of(webchat, token) == []
    messages = await stored_messages(webchat.service, token)
    assert not [m for m in messages if m.kind == "attachment"]
    # A note that a file came and was not kept, and the bot's answer; the resident's text stays.
    assert len(messages) == before + 2
    assert [m.kind for m in messages[-2:]] == ["media_note", "text"]

    await resident.send({"type": "message", "text": "Entä nyt?", "client_id": "m2"})
    await resident.next_of("delivered", client_id="m2")


async def test_the_files_of_a_conversation_are_limited_in_number(
    webchat_factory: WebChatFactory,
) -> None:
    webchat = await webchat_factory()
    core = webchat.service.core
    core.settings = core.settings.model_copy(update={"attachment_max_per_conversation": 1})
    resident, token = await triaged(webchat, "en")
    assert (await upload(webchat, token, photo_with_gps(), "a")).status == 200
    assert (await upload(webchat, token, photo_with_gps(), "b")).status == 200
    await said(resident, webchat, "en", "attachment_too_many")
    assert len(await attachments_of(webchat, token)) == 1


async def test_an_upload_over_the_size_limit_is_refused_before_it_reaches_the_core(
    webchat_factory: WebChatFactory,
) -> None:
    webchat = await webchat_factory(max_upload_bytes=2048)
    _resident, token = await triaged(webchat, "fi")
    answer = await upload(webchat, token, b"\xff\xd8" + bytes(4096))
    assert answer.status == 413
    body = await answer.json()
    assert body["error"] == "too_large"
    assert body["text"] == webchat.service.core.texts.text("fi", "attachment_too_large")
    assert await attachments_of(webchat, token) == []


async def test_an_upload_needs_the_tabs_token_and_the_octet_stream_type(webchat: WebChat) -> None:
    _resident, token = await triaged(webchat, "fi")
    assert (await upload(webchat, "not-a-token", photo_with_gps())).status == 403
    answer = await webchat.client.post("/chat/upload", data=photo_with_gps())
    assert answer.status == 403
    typed = {"X-Chat-Token": token, "Content-Type": "image/jpeg"}
    answer = await webchat.client.post("/chat/upload", data=photo_with_gps(), headers=typed)
    assert answer.status == 415
    assert await attachments_of(webchat, token) == []
