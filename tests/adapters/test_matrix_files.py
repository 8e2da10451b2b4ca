"""Files on Matrix: pictures, documents and voice messages, plain or end-to-end encrypted,
fetched from the homeserver only past the privacy notice, made safe and stored sealed, or
refused in the resident's language with the conversation going on.

Against a real Synapse, whose access log shows every download of a resident's media; the
event parsing itself is pure and tested without a server.
"""

from __future__ import annotations

import contextlib
import io
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from nio.crypto.attachments import encrypt_attachment
from sqlmodel import select

from adapters.matrix_events import FileRef, file_ref_of, inbound_of
from adapters.matrix_files import MatrixFile
from adapters.matrix_redactions import may_redact_others
from bot.attachments import open_attachment
from bot.core import unit_of_work
from bot.events import (
    DeliveryId,
    FileTooLarge,
    FileUnavailable,
    MediaKind,
    Outbound,
    PlatformFile,
    ReplyAddress,
    RetryableDeliveryError,
)
from bot.store.attachments import Attachment
from tests.adapters.synapse import Synapse, synapse_server
from tests.adapters.test_matrix import (
    BOT,
    Bot,
    MatrixResident,
    bot,
    event,
    eventually,
    matrix_resident,
    triage_to_queue,
)
from tests.support.files import (
    SECRET_DEVICE,
    SECRET_NAME,
    opus_voice,
    pdf_with_extras,
    photo_with_gps,
)
from tests.support.raw import raw_database

__all__ = ["bot", "synapse_server"]  # fixtures, used by name below

FILE_NAME = "IMG_Virtanen_kotiosoite.jpg"
KEYS: dict[str, Any] = {
    "v": "v2",
    "key": {
        "kty": "oct",
        "alg": "A256CTR",
        "ext": True,
        "k": "qcHVMSgYg-71CauWBezXI5qkaRb0LuIy-Wx5kIaHMIA",
        "key_ops": ["encrypt", "decrypt"],
    },
    "iv": "X85+XgHN+HEAAAAAAAAAAA",
    "hashes": {"sha256": "5qG4fFnbbVdlAB1Q72JDKwCagV6Dbkx9PpKBQqlGSiQ"},
}


# ------------------------------------------------------------------ pure parsing


class _Opened:
    """What the adapter's opener was given (the PlatformFile itself is the real one)."""

    def __init__(self) -> None:
        self.refs: list[FileRef] = []

    def __call__(self, ref: FileRef) -> PlatformFile:
        self.refs.append(ref)
        return MatrixFile(None, ref)


@pytest.mark.parametrize("msgtype", ["m.image", "m.file", "m.audio"])
def test_a_file_event_carries_its_file_by_reference_and_never_its_name_as_text(
    msgtype: str,
) -> None:
    opened = _Opened()
    content = {"msgtype": msgtype, "url": "mxc://localhost/AbC_12-x", "info": {"size": 1234}}
    inbound = inbound_of(
        event(FILE_NAME, content=content), room_id="!r", own_user_id=BOT, open_file=opened
    )
    assert inbound is not None and inbound.platform_file is not None
    assert inbound.text == "" and inbound.media is None and inbound.has_file
    [ref] = opened.refs
    assert (ref.server_name, ref.media_id, ref.declared_size, ref.keys) == (
        "localhost",
        "AbC_12-x",
        1234,
        None,
    )
    assert FILE_NAME not in repr(inbound) and "AbC_12" not in repr(inbound.platform_file)


def test_an_encrypted_file_event_carries_its_key_and_hides_it_from_repr() -> None:
    content = {"msgtype": "m.image", "file": {**KEYS, "url": "mxc://localhost/Enc"}}
    ref = file_ref_of(content)
    assert ref.problem is None and ref.keys is not None and ref.media_id == "Enc"
    assert ref.keys.key == KEYS["key"]["k"] and ref.keys.sha256 == KEYS["hashes"]["sha256"]
    for secret in (KEYS["key"]["k"], KEYS["iv"], "Enc"):
        assert secret not in repr(ref) and secret not in repr(ref.keys)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ({"msgtype": "m.image"}, "no_address"),
        ({"msgtype": "m.image", "url": "https://example.org/a.jpg"}, "no_address"),
        ({"msgtype": "m.image", "url": "mxc://localhost/../../admin"}, "no_address"),
        ({"msgtype": "m.file", "file": {**KEYS, "url": "mxc://x/y", "v": "v1"}}, "file_version"),
        (
            {"msgtype": "m.file", "file": {**KEYS, "url": "mxc://x/y", "key": {"k": "a"}}},
            "file_key",
        ),
        (
            {"msgtype": "m.file", "file": {**KEYS, "url": "mxc://x/y", "hashes": {}}},
            "file_key",
        ),
    ],
)
async def test_a_file_without_a_usable_address_or_key_is_unavailable_without_a_request(
    content: dict[str, Any], problem: str
) -> None:
    ref = file_ref_of(content)
    assert ref.problem == problem
    # No client at all: a request would fail differently from the refusal expected here.
    with pytest.raises(FileUnavailable) as refused:
        await MatrixFile(None, ref).fetch(10_000)
    assert str(refused.value) == problem


async def test_a_declared_size_over_the_limit_is_refused_without_a_request() -> None:
    ref = file_ref_of({"msgtype": "m.file", "url": "mxc://x/y", "info": {"size": 10_001}})
    with pytest.raises(FileTooLarge):
        await MatrixFile(None, ref).fetch(10_000)


@pytest.mark.parametrize(
    ("msgtype", "kind"),
    [("m.video", MediaKind.VIDEO), ("m.location", MediaKind.LOCATION)],
)
def test_video_and_location_stay_refused_and_an_edit_of_a_file_is_ignored(
    msgtype: str, kind: MediaKind
) -> None:
    opened = _Opened()
    source = event(content={"msgtype": msgtype, "url": "mxc://x/y"})
    inbound = inbound_of(source, room_id="!r", own_user_id=BOT, open_file=opened)
    assert inbound is not None and inbound.media is kind and inbound.platform_file is None
    sticker = {**event(), "type": "m.sticker", "content": {"url": "mxc://x/y", "body": "s"}}
    inbound = inbound_of(sticker, room_id="!r", own_user_id=BOT, open_file=opened)
    assert inbound is not None and inbound.media is MediaKind.STICKER
    edit = event(
        "* new name.jpg",
        content={
            "msgtype": "m.image",
            "url": "mxc://x/y",
            "m.new_content": {"msgtype": "m.image", "url": "mxc://x/y", "body": "new name.jpg"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": "$0"},
        },
    )
    assert inbound_of(edit, room_id="!r", own_user_id=BOT, open_file=opened) is None
    assert opened.refs == []


# ------------------------------------------------------------------ against a media server


@contextlib.asynccontextmanager
async def media_server(chunks: int) -> AsyncIterator[tuple[Any, list[Any]]]:
    """A homeserver's download endpoint that streams `chunks` KiB without a length (as a
    proxy or another server implementation may), and a nio client logged in to it."""
    from aiohttp import web
    from nio import AsyncClient

    requests: list[Any] = []

    async def download(request: web.Request) -> web.StreamResponse:
        requests.append(request)
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(chunks):
            await response.write(bytes(range(256)) * 4)
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_get("/_matrix/client/v1/media/download/{server}/{media}", download)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    client = AsyncClient(f"http://127.0.0.1:{port}", "@bot:localhost")
    client.access_token = "token-of-the-bot"
    try:
        yield client, requests
    finally:
        await client.close()
        await runner.cleanup()


async def test_a_file_streamed_without_a_length_is_cut_off_at_the_limit() -> None:
    ref = file_ref_of({"msgtype": "m.file", "url": "mxc://localhost/Streamed"})
    async with media_server(chunks=64) as (client, requests):
        with pytest.raises(FileTooLarge):
            await MatrixFile(client, ref).fetch(10 * 1024)
        assert len(await MatrixFile(client, ref).fetch(64 * 1024)) == 64 * 1024
    # The token went in a header, never in the URL (which access logs keep).
    assert all(r.headers["Authorization"] == "Bearer token-of-the-bot" for r in requests)
    assert all("token" not in str(r.rel_url) for r in requests)


# ------------------------------------------------------------------ against Synapse


async def upload(resident: MatrixResident, data: bytes) -> tuple[str, str]:
    """Put bytes in the media repository as the resident; their mxc URI and media id."""
    from nio import UploadResponse

    response, _ = await resident.client.upload(
        io.BytesIO(data), content_type="application/octet-stream", filesize=len(data)
    )
    assert isinstance(response, UploadResponse), response
    uri = str(response.content_uri)
    return uri, uri.rsplit("/", 1)[1]


async def send(resident: MatrixResident, room_id: str, content: dict[str, Any]) -> str:
    from nio import RoomSendResponse

    response = await resident.client.room_send(
        room_id, "m.room.message", content, ignore_unverified_devices=True
    )
    assert isinstance(response, RoomSendResponse), response
    return str(response.event_id)


def image(uri: str, size: int | None) -> dict[str, Any]:
    info: dict[str, Any] = {"mimetype": "image/jpeg"}
    if size is not None:
        info["size"] = size
    return {"msgtype": "m.image", "body": FILE_NAME, "url": uri, "info": info}


async def attachments(bot: Bot, resident: MatrixResident) -> list[Attachment]:
    conversation = await bot.conversation(resident)
    async with bot.core.database.session() as session:
        rows = await session.execute(
            select(Attachment).where(Attachment.conversation_id == conversation.id)
        )
        return list(rows.scalars())


async def stored(bot: Bot, resident: MatrixResident, count: int) -> list[Attachment]:
    found: list[Attachment] = []

    async def enough() -> bool:
        found[:] = await attachments(bot, resident)
        return len(found) >= count

    await eventually(enough, f"{count} stored file(s)")
    return found


async def opened(bot: Bot, attachment: Attachment) -> bytes:
    async with unit_of_work(bot.core) as work:
        return await open_attachment(work, attachment)


async def said(resident: MatrixResident, room_id: str, text: str, seen: int = 0) -> None:
    await eventually(lambda: text in resident.texts(room_id)[seen:], repr(text[:30]))


async def goes_on(bot: Bot, resident: MatrixResident, room_id: str) -> None:
    """The resident's next text is stored after the refusal: nothing else was lost."""
    conversation = await bot.conversation(resident)
    before = await bot.resident_messages(conversation.id)
    await resident.write(room_id, "Entä nyt?")

    async def one_more() -> bool:
        return await bot.resident_messages(conversation.id) == before + 1

    await eventually(one_more, "the next text to be stored")


@pytest.mark.matrix
async def test_a_photo_with_gps_is_fetched_only_after_the_notice_and_stored_without_metadata(
    bot: Bot, synapse_server: Synapse, tmp_path: Any
) -> None:
    texts = bot.core.texts
    original = photo_with_gps(400, 300)
    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=False)
        await resident.write(room_id, "hei")
        await resident.wait_for_text(room_id, 1)
        await resident.write(room_id, "1")  # Finnish; no topic yet, so no privacy notice
        await resident.wait_for_text(room_id, 2)
        uri, media_id = await upload(resident, original)
        seen = len(resident.texts(room_id))
        await send(resident, room_id, image(uri, len(original)))
        await said(resident, room_id, texts.text("fi", "attachment_not_yet"), seen)
        # The core answered without the file: the homeserver never handed it out.
        assert synapse_server.media_downloads(media_id) == 0
        assert await attachments(bot, resident) == []

        await resident.write(room_id, "1")  # the topic, past the notice
        queued = texts.text("fi", "queued", position=1, minutes=5)
        await eventually(lambda: queued in resident.texts(room_id), "the queued notice")
        await send(resident, room_id, image(uri, len(original)))
        [attachment] = await stored(bot, resident, 1)
        await eventually(lambda: synapse_server.media_downloads(media_id) == 1, "the download")

    assert (attachment.kind, attachment.media_type) == ("photo", "image/jpeg")
    data = await opened(bot, attachment)
    assert data.startswith(b"\xff\xd8")
    for secret in (SECRET_NAME.encode(), SECRET_DEVICE.encode(), b"Exif", b"Somefone"):
        assert secret not in data
    raw = await raw_database(bot.service)
    for secret in (SECRET_NAME, SECRET_DEVICE, "Somefone", FILE_NAME, uri, media_id):
        assert secret.encode() not in raw, secret
    # Neither the photo as sent nor as stored is in the database file in clear (runs of a few
    # repeated values, such as zeros, would match anything).
    runs = [
        chunk[start : start + 64]
        for chunk in (original, data)
        for start in range(0, len(chunk) - 64, 64)
        if len(set(chunk[start : start + 64])) >= 24
    ]
    assert len(runs) > 10
    assert not [run for run in runs if run in raw]


@pytest.mark.matrix
async def test_an_encrypted_file_in_an_encrypted_room_is_decrypted_and_a_bad_hash_refused(
    bot: Bot, synapse_server: Synapse, tmp_path: Any
) -> None:
    original = photo_with_gps(200, 100)
    ciphertext, keys = encrypt_attachment(original)
    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=True)
        await triage_to_queue(bot, resident, room_id)
        uri, media_id = await upload(resident, ciphertext)
        content = {
            "msgtype": "m.image",
            "body": FILE_NAME,
            "file": {**keys, "url": uri, "mimetype": "image/jpeg"},
            "info": {"mimetype": "image/jpeg", "size": len(original)},
        }
        await send(resident, room_id, content)
        [attachment] = await stored(bot, resident, 1)
        assert attachment.kind == "photo"
        data = await opened(bot, attachment)
        assert data.startswith(b"\xff\xd8") and SECRET_NAME.encode() not in data

        # The same ciphertext under another hash: not the file its sender encrypted.
        tampered = {**keys, "hashes": {"sha256": keys["hashes"]["sha256"][::-1]}}
        seen = len(resident.texts(room_id))
        await send(resident, room_id, {**content, "file": {**tampered, "url": uri}})
        await said(resident, room_id, bot.core.texts.text("fi", "attachment_unsupported"), seen)
        assert len(await attachments(bot, resident)) == 1
        assert synapse_server.media_downloads(media_id) == 2
        await goes_on(bot, resident, room_id)
        assert all(decrypted for *_, decrypted in resident.messages)


@pytest.mark.matrix
async def test_a_pdf_encrypted_by_its_client_in_a_plain_room_is_rebuilt_and_stored(
    bot: Bot, synapse_server: Synapse, tmp_path: Any
) -> None:
    document = pdf_with_extras()
    ciphertext, keys = encrypt_attachment(document)
    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=False)
        await triage_to_queue(bot, resident, room_id)
        uri, _ = await upload(resident, ciphertext)
        content = {"msgtype": "m.file", "body": "paatos.pdf", "file": {**keys, "url": uri}}
        await send(resident, room_id, content)
        [attachment] = await stored(bot, resident, 1)
    assert (attachment.kind, attachment.media_type) == ("document", "application/pdf")
    data = await opened(bot, attachment)
    assert data.startswith(b"%PDF-")
    for secret in (b"JavaScript", b"SECRET-EMBEDDED", b"SECRET-FIELD", SECRET_NAME.encode()):
        assert secret not in data


@pytest.mark.matrix
async def test_a_voice_message_is_stored_as_voice_without_its_tags(
    bot: Bot, synapse_server: Synapse, tmp_path: Any
) -> None:
    voice = opus_voice(3.0)
    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=True)
        await triage_to_queue(bot, resident, room_id)
        ciphertext, keys = encrypt_attachment(voice)
        uri, _media_id = await upload(resident, ciphertext)
        await send(
            resident,
            room_id,
            {
                "msgtype": "m.audio",
                "body": "Voice message.ogg",
                "file": {**keys, "url": uri},
                "info": {"mimetype": "audio/ogg", "size": len(voice), "duration": 3000},
                "org.matrix.msc1767.audio": {"duration": 3000, "waveform": [0, 512, 1024]},
                "org.matrix.msc3245.voice": {},
            },
        )
        [attachment] = await stored(bot, resident, 1)
    assert (attachment.kind, attachment.media_type) == ("voice", "audio/ogg")
    data = await opened(bot, attachment)
    assert data.startswith(b"OggS")
    for secret in (SECRET_NAME, "SecretRecorder", "60.1699"):
        assert secret.encode() not in data


@pytest.mark.matrix
async def test_a_file_over_the_limit_is_refused_by_its_declared_size_or_while_read(
    bot: Bot, synapse_server: Synapse, tmp_path: Any
) -> None:
    core = bot.core
    core.settings = core.settings.model_copy(update={"attachment_max_bytes": 4096})
    too_large = core.texts.text("fi", "attachment_too_large")
    big = photo_with_gps(600, 400)
    assert len(big) > 4096
    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=False)
        await triage_to_queue(bot, resident, room_id)
        uri, media_id = await upload(resident, big)

        seen = len(resident.texts(room_id))
        await send(resident, room_id, image(uri, len(big)))
        await said(resident, room_id, too_large, seen)
        assert synapse_server.media_downloads(media_id) == 0  # refused from the event alone

        # No size, or a false one: the limit holds while the bytes arrive.
        for declared in (None, 1000):
            seen = len(resident.texts(room_id))
            await send(resident, room_id, image(uri, declared))
            await said(resident, room_id, too_large, seen)
        assert await attachments(bot, resident) == []
        await goes_on(bot, resident, room_id)


@pytest.mark.matrix
async def test_a_missing_file_is_refused_and_the_conversation_goes_on(
    bot: Bot, synapse_server: Synapse, tmp_path: Any
) -> None:
    unsupported = bot.core.texts.text("fi", "attachment_unsupported")
    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=False)
        await triage_to_queue(bot, resident, room_id)
        for uri in ("mxc://localhost/NoSuchMediaHere", "mxc://localhost"):
            seen = len(resident.texts(room_id))
            await send(resident, room_id, image(uri, 2000))
            await said(resident, room_id, unsupported, seen)
        assert await attachments(bot, resident) == []
        await goes_on(bot, resident, room_id)


async def erase(bot: Bot, resident: MatrixResident, room_id: str) -> str:
    event_id = await resident.write(room_id, "poista tietoni")
    deleted = bot.core.texts.text("fi", "deleted")
    await eventually(lambda: deleted in resident.texts(room_id), "the confirmation")
    await eventually(
        lambda: bot.adapter.user_id not in resident._joined(room_id), "the bot to leave"
    )
    return event_id


@pytest.mark.matrix
async def test_delete_my_data_redacts_the_residents_file_events_where_the_bot_may(
    bot: Bot, synapse_server: Synapse, tmp_path: Any
) -> None:
    original = photo_with_gps()
    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        # A direct chat as Element makes it (trusted_private_chat): the bot has the power.
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=True)
        await triage_to_queue(bot, resident, room_id)
        assert await may_redact_others(bot.adapter._client, room_id)
        ciphertext, keys = encrypt_attachment(original)
        uri, _ = await upload(resident, ciphertext)
        photo = await send(
            resident,
            room_id,
            {"msgtype": "m.image", "body": FILE_NAME, "file": {**keys, "url": uri}},
        )
        await stored(bot, resident, 1)
        text = await resident.write(room_id, "Tässä kuva vuokrasopimuksesta")
        bot_events = {event_id for room, event_id, *_ in resident.messages if room == room_id}
        await erase(bot, resident, room_id)
        wanted = {photo, text} | bot_events
        await eventually(lambda: wanted <= resident.redacted, "the redactions")


@pytest.mark.matrix
async def test_without_the_power_to_redact_the_residents_events_stay_and_the_bots_go(
    bot: Bot, synapse_server: Synapse, tmp_path: Any
) -> None:
    from nio import RoomCreateResponse, RoomPreset

    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        # A private_chat preset leaves the invited bot at power level 0.
        created = await resident.client.room_create(
            is_direct=True, invite=[bot.adapter.user_id], preset=RoomPreset.private_chat
        )
        assert isinstance(created, RoomCreateResponse), created
        room_id = str(created.room_id)
        await eventually(
            lambda: bot.adapter.user_id in resident._joined(room_id), "the bot to join"
        )
        assert not await may_redact_others(bot.adapter._client, room_id)
        await triage_to_queue(bot, resident, room_id)
        uri, _ = await upload(resident, photo_with_gps())
        photo = await send(resident, room_id, image(uri, None))
        await stored(bot, resident, 1)
        bot_events = {event_id for room, event_id, *_ in resident.messages if room == room_id}
        await erase(bot, resident, room_id)
        await eventually(lambda: bot_events <= resident.redacted, "the bot's redactions")
        assert photo not in resident.redacted


@pytest.mark.matrix
async def test_an_erasure_that_cannot_ask_the_room_is_retried_whole_before_any_redaction(
    bot: Bot, synapse_server: Synapse, tmp_path: Any
) -> None:
    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=False)
        await triage_to_queue(bot, resident, room_id)
        [first, *_] = [event_id for room, event_id, *_ in resident.messages if room == room_id]
        client = bot.adapter._client
        homeserver, client.homeserver = client.homeserver, f"http://127.0.0.1:{_closed_port()}"
        try:
            erasure = Outbound("erase-1", "Poistettu", withdraw=(DeliveryId(first),))
            with pytest.raises(RetryableDeliveryError):
                await bot.adapter.send(ReplyAddress(room_id), erasure)
        finally:
            client.homeserver = homeserver
        assert first not in bot.adapter._withdrawn


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ------------------------------------------------------------------ library documents


@pytest.mark.matrix
@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_a_library_document_reaches_the_resident_as_a_file_they_can_open(
    bot: Bot, synapse_server: Synapse, tmp_path: Any, encrypted: bool
) -> None:
    from nio import DownloadResponse, RoomEncryptedFile, RoomMessageFile
    from nio.crypto.attachments import decrypt_attachment

    from bot.actions import conversations as actions
    from bot.actions import library
    from bot.actions.context import Actor
    from tests.adapters.test_matrix import counsellor

    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        files: list[Any] = []

        async def on_file(room: Any, message: Any) -> None:
            files.append(message)

        resident.client.add_event_callback(on_file, (RoomMessageFile, RoomEncryptedFile))
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=encrypted)
        await triage_to_queue(bot, resident, room_id)
        tiina = await counsellor(bot, "Tiina")
        conversation = await bot.conversation(resident)
        await actions.claim(bot.core, tiina, conversation.id)
        form = await library.publish(
            bot.core,
            Actor("admin-1", "admin"),
            language="fi",
            title="Vuokrasopimus: malli",
            data=pdf_with_extras(pages=1),
        )
        [published] = await library.published(bot.core, language="fi")
        await library.send(bot.core, tiina, conversation.id, form)
        await eventually(lambda: bool(files), "the document's event")

        [received] = files
        assert isinstance(received, RoomEncryptedFile if encrypted else RoomMessageFile)
        assert received.body == "Tiina: Vuokrasopimus: malli"
        assert received.source["content"]["filename"] == "vuokrasopimus-malli.pdf"
        downloaded = await resident.client.download(mxc=received.url)
        assert isinstance(downloaded, DownloadResponse), downloaded
        data = downloaded.body
        if encrypted:
            assert data != published.data  # the homeserver holds ciphertext only
            data = decrypt_attachment(
                data, received.key["k"], received.hashes["sha256"], received.iv
            )
        assert data == published.data and SECRET_NAME.encode() not in data
