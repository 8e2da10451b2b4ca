"""Pure translation between Matrix events (their JSON) and somesossu's Inbound/Outbound.

No network and no state: never reads display names, avatars or any profile field, and never
keeps a Matrix user id beyond the Inbound's sender id (which the core only pseudonymises).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.events import Author, ChannelName, Inbound, MediaKind, Outbound, ReplyAddress

CHANNEL = ChannelName("matrix")

MEDIA_KINDS: Mapping[str, MediaKind] = {
    "m.image": MediaKind.PHOTO,
    "m.file": MediaKind.DOCUMENT,
    "m.audio": MediaKind.AUDIO,
    "m.video": MediaKind.VIDEO,
    "m.location": MediaKind.LOCATION,
}

# The keycap emoji Matrix clients offer as reactions: "1️⃣" is "1" + VS16 + U+20E3.
_KEYCAP = re.compile(r"^([0-9])\ufe0f?\u20e3$")


def _text_of(content: Mapping[str, Any]) -> str:
    """The body a resident typed, without an edit's "* " marker or a reply's quote."""
    relates = content.get("m.relates_to")
    new_content = content.get("m.new_content")
    if isinstance(relates, Mapping) and relates.get("rel_type") == "m.replace":
        if isinstance(new_content, Mapping):
            return str(new_content.get("body", ""))
    body = str(content.get("body", ""))
    if isinstance(relates, Mapping) and "m.in_reply_to" in relates:
        body = strip_reply_fallback(body)
    return body


def strip_reply_fallback(body: str) -> str:
    """Drop the "> <@user:server> quoted text" lines clients prepend to a reply.

    The fallback names the quoted sender's Matrix id and repeats their text: both must
    never reach the store.
    """
    lines = body.split("\n")
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index == 0:
        return body
    if index < len(lines) and lines[index] == "":
        index += 1
    return "\n".join(lines[index:])


def inbound_of(source: Mapping[str, Any], *, room_id: str, own_user_id: str) -> Inbound | None:
    """One resident Inbound from one (decrypted) room event, or None to ignore it.

    Ignored: the bot's own events, notices (other bots), state events, redactions and
    reactions other than a keycap digit (which answers a numbered choice).
    """
    sender = source.get("sender")
    event_id = source.get("event_id")
    if not isinstance(sender, str) or not isinstance(event_id, str) or sender == own_user_id:
        return None
    if "state_key" in source:
        return None
    content = source.get("content")
    if not isinstance(content, Mapping):
        return None
    event_type = source.get("type")
    text = ""
    media: MediaKind | None = None
    if event_type == "m.room.message":
        msgtype = content.get("msgtype")
        if msgtype in ("m.text", "m.emote"):
            text = _text_of(content)
            if not text.strip():
                return None
        elif msgtype == "m.notice":
            return None
        elif msgtype == "m.audio" and "org.matrix.msc3245.voice" in content:
            media = MediaKind.VOICE
        elif isinstance(msgtype, str) and msgtype in MEDIA_KINDS:
            media = MEDIA_KINDS[msgtype]
        else:
            media = MediaKind.OTHER
    elif event_type == "m.sticker":
        media = MediaKind.STICKER
    elif event_type == "m.reaction":
        relates = content.get("m.relates_to")
        key = relates.get("key") if isinstance(relates, Mapping) else None
        match = _KEYCAP.match(key) if isinstance(key, str) else None
        if match is None:
            return None
        text = match.group(1)
    else:
        return None
    return Inbound(
        channel=CHANNEL,
        sender_id=sender,
        reply_address=ReplyAddress(room_id),
        platform_message_id=event_id,
        received_at=received_at(source),
        text=text,
        media=media,
    )


def received_at(source: Mapping[str, Any]) -> datetime:
    stamp = source.get("origin_server_ts")
    if isinstance(stamp, int) and stamp > 0:
        return datetime.fromtimestamp(stamp / 1000, UTC)
    return datetime.now(UTC)


def after_own_join(sources: Sequence[Mapping[str, Any]], own_user_id: str) -> int:
    """Index of the first timeline event after the bot joined (0 if it joined earlier).

    What was said in a room before the bot joined is not addressed to the service.
    """
    start = 0
    for index, source in enumerate(sources):
        if source.get("type") != "m.room.member" or source.get("state_key") != own_user_id:
            continue
        content = source.get("content")
        unsigned = source.get("unsigned")
        previous = unsigned.get("prev_content") if isinstance(unsigned, Mapping) else None
        was_joined = isinstance(previous, Mapping) and previous.get("membership") == "join"
        if isinstance(content, Mapping) and content.get("membership") == "join" and not was_joined:
            start = index + 1
    return start


def is_direct_invite(invite_state: Sequence[Mapping[str, Any]], own_user_id: str) -> bool:
    """A one-to-one invite: flagged direct, or a room whose only other member is the inviter."""
    members: set[str] = set()
    direct = False
    for source in invite_state:
        if source.get("type") != "m.room.member":
            continue
        content = source.get("content")
        if not isinstance(content, Mapping):
            continue
        member = source.get("state_key")
        if member == own_user_id:
            direct = direct or bool(content.get("is_direct"))
        elif isinstance(member, str) and content.get("membership") in ("join", "invite"):
            members.add(member)
    return len(members) <= 1 and (direct or len(members) == 1)


def message_content(outbound: Outbound) -> dict[str, Any]:
    """The m.room.message content for one Outbound: choices become numbered lines."""
    text = outbound.text
    if outbound.author is Author.COUNSELLOR and outbound.display_name:
        text = f"{outbound.display_name}: {text}"
    if outbound.choices:
        options = "\n".join(
            f"{number}. {choice.label}" for number, choice in enumerate(outbound.choices, 1)
        )
        text = f"{text}\n\n{options}" if text else options
    return {"msgtype": "m.text", "body": text}
