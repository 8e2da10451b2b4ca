"""Captions on Matrix (Matrix 1.10, MSC2530): a media event with a `filename` beside its
`body` carries the resident's own words in the body. They reach the core as a text message of
their own after the file, redacted and sealed like any text, and "delete my data" redacts the
event that carried them; a body without `filename` is the file's name and is never read."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from nio.crypto.attachments import encrypt_attachment

from adapters.matrix_events import CAPTION_PREFIX, caption_of, event_of_ref
from bot.actions import conversations as actions
from tests.adapters.synapse import Synapse, synapse_server
from tests.adapters.test_matrix import (
    BOT,
    Bot,
    bot,
    counsellor,
    event,
    eventually,
    matrix_resident,
    triage_to_queue,
)
from tests.adapters.test_matrix_files import erase, send, stored, upload
from tests.support.files import photo_with_gps
from tests.support.raw import raw_database

__all__ = ["bot", "synapse_server"]  # fixtures, used by name below

FILE_NAME = "IMG_Virtanen_kotiosoite.jpg"
CAPTION = "Vuokralasku, eräpäivä huomenna zq-cap"


def media(msgtype: str = "m.image", **content: Any) -> dict[str, Any]:
    return event(content={"msgtype": msgtype, "url": "mxc://x/y", **content})


@pytest.mark.parametrize("msgtype", ["m.image", "m.file", "m.audio", "m.video"])
def test_a_body_beside_a_filename_is_the_caption_with_a_key_naming_the_same_event(
    msgtype: str,
) -> None:
    source = media(msgtype, body=CAPTION, filename=FILE_NAME)
    caption = caption_of(source, room_id="!r", own_user_id=BOT)
    assert caption is not None
    assert (caption.text, caption.platform_file, caption.media) == (CAPTION, None, None)
    assert caption.platform_message_id == CAPTION_PREFIX + "$e1"
    assert event_of_ref(caption.platform_message_id) == "$e1"
    assert event_of_ref("$e1") == "$e1"


def test_a_body_that_is_the_file_name_or_has_no_filename_beside_it_is_never_read() -> None:
    for source in (
        media(body=FILE_NAME),  # before Matrix 1.10: the body is the name
        media(body=FILE_NAME, filename=FILE_NAME),
        media(body="   ", filename=FILE_NAME),
        media("m.location", body=CAPTION, filename=FILE_NAME, geo_uri="geo:60.1,24.9"),
        event(CAPTION),  # a text is not a caption
        {**media(body=CAPTION, filename=FILE_NAME), "sender": BOT},  # the bot's own
        media(
            body=CAPTION,
            filename=FILE_NAME,
            **{"m.relates_to": {"rel_type": "m.replace", "event_id": "$0"}},
        ),
    ):
        assert caption_of(source, room_id="!r", own_user_id=BOT) is None, source


@pytest.mark.matrix
async def test_a_caption_is_stored_as_text_after_the_photo_and_its_event_redacted_on_erasure(
    bot: Bot, synapse_server: Synapse, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="somesossu.matrix")
    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=True)
        await triage_to_queue(bot, resident, room_id)
        ciphertext, keys = encrypt_attachment(photo_with_gps())
        uri, _ = await upload(resident, ciphertext)
        photo = await send(
            resident,
            room_id,
            {
                "msgtype": "m.image",
                "body": CAPTION,
                "filename": FILE_NAME,
                "file": {**keys, "url": uri},
            },
        )
        await stored(bot, resident, 1)
        conversation = await bot.conversation(resident)
        tiina = await counsellor(bot, "Tiina")
        await actions.claim(bot.core, tiina, conversation.id)

        async def captioned() -> bool:
            transcript = await actions.read(bot.core, tiina, conversation.id, reason="")
            residents = [m for m in transcript.messages if m.author == "resident"]
            return bool(residents) and residents[-1].text == CAPTION

        await eventually(captioned, "the caption after the file")
        raw = await raw_database(bot.service)
        assert b"zq-cap" not in raw and FILE_NAME.encode() not in raw
        await erase(bot, resident, room_id)
        await eventually(lambda: photo in resident.redacted, "the captioned photo's redaction")
        [withdrawn] = [r for r in caplog.records if r.getMessage() == "matrix.withdrawn"]
        fields = getattr(withdrawn, "fields", {})
        assert fields["failed"] == 0 and fields["residents_kept"] == 0
        # The caption's reference names the photo's event: it adds no redaction of its own
        # (Synapse accepts a redaction of any id, so a wrong one would count here, not fail).
        await eventually(
            lambda: len(resident.redacted) == fields["redacted"], "every redaction to arrive"
        )
