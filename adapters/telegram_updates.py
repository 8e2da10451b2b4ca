"""Turns one Telegram `Update` into a platform-neutral `Inbound`: pure, no network, no state.

Never lets a name, username, language code, phone number, contact card, location, file name or
file through: only the chat id (the reply address), the user id (to be pseudonymised), the
resident's own words (text or caption) and, for a photo, document or voice message, a
reference to the file that the core may fetch later (`adapters/telegram_files.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from telegram import Message, PhotoSize, Update
from telegram.constants import ChatType

from adapters.telegram_files import FileRef
from bot.events import ChannelName, Inbound, MediaKind, PlatformFile, ReplyAddress

ALLOWED_UPDATES = ("message", "callback_query")
"""The only update types the bot asks Telegram for (edits, reactions, polls are never wanted)."""

# Order matters: Telegram also sets `document` on an animation and `location` on a venue.
_MEDIA_ATTRIBUTES: tuple[tuple[str, MediaKind], ...] = (
    ("animation", MediaKind.VIDEO),
    ("photo", MediaKind.PHOTO),
    ("live_photo", MediaKind.PHOTO),
    ("voice", MediaKind.VOICE),
    ("audio", MediaKind.AUDIO),
    ("video", MediaKind.VIDEO),
    ("video_note", MediaKind.VIDEO),
    ("paid_media", MediaKind.OTHER),
    ("sticker", MediaKind.STICKER),
    ("document", MediaKind.DOCUMENT),
    ("venue", MediaKind.LOCATION),
    ("location", MediaKind.LOCATION),
    ("contact", MediaKind.CONTACT),
    ("poll", MediaKind.OTHER),
    ("dice", MediaKind.OTHER),
    ("game", MediaKind.OTHER),
    ("story", MediaKind.OTHER),
    ("checklist", MediaKind.OTHER),
)

# The attributes whose file the core may take (it decides the type by content, never by these):
# a photo, a document of any type, a voice message (Ogg Opus) and an audio file.
_FILE_ATTRIBUTES = frozenset({"photo", "document", "voice", "audio"})

FileOpener = Callable[[FileRef], PlatformFile]
"""Makes the fetchable file of a reference (the adapter binds it to its bot)."""

# "/start@somesossu_bot" is what a tap on a command in Telegram's menu may send.
_ADDRESSED_COMMAND = re.compile(r"^(/[A-Za-z0-9_]+)@[A-Za-z0-9_]+")


@dataclass(frozen=True, slots=True)
class Normalised:
    """What the adapter does with one update.

    `inbound` is None when there is nothing for the core (a group chat, a service message,
    an edit); the update is then only acknowledged. `callback_query_id` is set for a button
    press, which Telegram wants answered so the button stops spinning. `caption` is the text
    a resident wrote under a file or other media, handed to the core after it as a text
    message of its own (the core takes a file or a text per message, and the words are the
    resident's as much as any text).
    """

    inbound: Inbound | None
    callback_query_id: str | None = None
    caption: Inbound | None = None


def platform_message_id(update_id: int, message_id: int | None) -> str:
    """The dedup key and the resident's own message ref for "delete my data".

    `update_id` is unique per bot across messages and button presses, and is the same when
    Telegram redelivers, so it drops repeats; a bare message id is only unique per chat.
    The message id rides along so the adapter can delete the message from the chat later.
    """
    if message_id is None:
        return f"u{update_id}"
    return f"u{update_id}:m{message_id}"


def caption_message_id(update_id: int, message_id: int) -> str:
    """The dedup key of a caption: its own, yet naming the same Telegram message, so "delete my
    data" deletes the message whichever of the two the core kept."""
    return f"c{update_id}:m{message_id}"


def message_id_of_ref(ref: str) -> int | None:
    """The Telegram message id inside a `platform_message_id`, if it has one."""
    _, _, tail = ref.partition(":m")
    return int(tail) if tail.isdigit() else None


def _media(message: Message) -> tuple[str, MediaKind] | None:
    for attribute, kind in _MEDIA_ATTRIBUTES:
        if getattr(message, attribute, None):
            return attribute, kind
    return None


def media_kind(message: Message) -> MediaKind | None:
    media = _media(message)
    return media[1] if media is not None else None


def _largest(sizes: tuple[PhotoSize, ...]) -> PhotoSize:
    # Telegram lists a photo's sizes smallest first; the order is not promised, the pixels are.
    return max(sizes, key=lambda size: (size.width * size.height, size.file_size or 0))


def file_ref(message: Message) -> FileRef | None:
    """The file of a photo (its largest size), document, voice message or audio file; None for
    every other message (stickers, video, locations... stay refused)."""
    media = _media(message)
    if media is None or media[0] not in _FILE_ATTRIBUTES:
        return None
    attribute = media[0]
    if attribute == "photo":
        photo = _largest(message.photo)
        return FileRef(photo.file_id, photo.file_size)
    sent = getattr(message, attribute)
    return FileRef(sent.file_id, sent.file_size)


def normalise(
    update: Update, channel: ChannelName, received_at: datetime, *, files: FileOpener
) -> Normalised:
    """The resident's message or button press, stripped of every profile field; `files` makes
    the reference the core fetches a file through (nothing is fetched here)."""
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        if chat is not None and chat.type != ChatType.PRIVATE:
            return Normalised(None, query.id)
        # Without the message (very old keyboards) the private chat id equals the user id.
        chat_id = chat.id if chat is not None else query.from_user.id
        if query.data is None:
            return Normalised(None, query.id)
        return Normalised(
            Inbound(
                channel=channel,
                sender_id=str(query.from_user.id),
                reply_address=ReplyAddress(str(chat_id)),
                platform_message_id=platform_message_id(update.update_id, None),
                received_at=received_at,
                choice=query.data,
            ),
            query.id,
        )
    message = update.message
    if message is None or message.from_user is None or message.chat.type != ChatType.PRIVATE:
        # Edits, channel posts and group chats: the bot serves residents in private chats only.
        return Normalised(None)
    kind = media_kind(message)
    text = ""
    if kind is None:
        if message.text is None:
            return Normalised(None)  # a service message (pinned, chat background ...)
        text = _ADDRESSED_COMMAND.sub(r"\1", message.text)
    ref = file_ref(message)
    sender_id = str(message.from_user.id)
    reply_address = ReplyAddress(str(message.chat.id))
    # A file goes by reference only; other media as its kind. A file name, contact card or
    # coordinates are dropped here.
    inbound = Inbound(
        channel=channel,
        sender_id=sender_id,
        reply_address=reply_address,
        platform_message_id=platform_message_id(update.update_id, message.message_id),
        received_at=received_at,
        text=text,
        media=kind if ref is None else None,
        platform_file=files(ref) if ref is not None else None,
    )
    caption = None
    if kind is not None and message.caption:
        caption = Inbound(
            channel=channel,
            sender_id=sender_id,
            reply_address=reply_address,
            platform_message_id=caption_message_id(update.update_id, message.message_id),
            received_at=received_at,
            text=message.caption,
        )
    return Normalised(inbound, caption=caption)
