"""Turns one Telegram `Update` into a platform-neutral `Inbound`: pure, no network, no state.

Never lets a name, username, language code, phone number, contact card, location or file
through: only the chat id (the reply address) and the user id (to be pseudonymised) leave here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from telegram import Message, Update
from telegram.constants import ChatType

from bot.events import ChannelName, Inbound, MediaKind, ReplyAddress

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

# "/start@somesossu_bot" is what a tap on a command in Telegram's menu may send.
_ADDRESSED_COMMAND = re.compile(r"^(/[A-Za-z0-9_]+)@[A-Za-z0-9_]+")


@dataclass(frozen=True, slots=True)
class Normalised:
    """What the adapter does with one update.

    `inbound` is None when there is nothing for the core (a group chat, a service message,
    an edit); the update is then only acknowledged. `callback_query_id` is set for a button
    press, which Telegram wants answered so the button stops spinning.
    """

    inbound: Inbound | None
    callback_query_id: str | None = None


def platform_message_id(update_id: int, message_id: int | None) -> str:
    """The dedup key and the resident's own message ref for "delete my data".

    `update_id` is unique per bot across messages and button presses, and is the same when
    Telegram redelivers, so it drops repeats; a bare message id is only unique per chat.
    The message id rides along so the adapter can delete the message from the chat later.
    """
    if message_id is None:
        return f"u{update_id}"
    return f"u{update_id}:m{message_id}"


def message_id_of_ref(ref: str) -> int | None:
    """The Telegram message id inside a `platform_message_id`, if it has one."""
    _, _, tail = ref.partition(":m")
    return int(tail) if tail.isdigit() else None


def media_kind(message: Message) -> MediaKind | None:
    for attribute, kind in _MEDIA_ATTRIBUTES:
        if getattr(message, attribute, None):
            return kind
    return None


def normalise(update: Update, channel: ChannelName, received_at: datetime) -> Normalised:
    """The resident's message or button press, stripped of every profile field."""
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
    # Media is never downloaded; a caption, contact card or coordinates are dropped with it.
    return Normalised(
        Inbound(
            channel=channel,
            sender_id=str(message.from_user.id),
            reply_address=ReplyAddress(str(message.chat.id)),
            platform_message_id=platform_message_id(update.update_id, message.message_id),
            received_at=received_at,
            text=text,
            media=kind,
        )
    )
