"""Pure translation between Matrix events (their JSON) and somesossu's Inbound/Outbound.

No network and no state: never reads display names, avatars or any profile field, and never
keeps a Matrix user id beyond the Inbound's sender id (which the core only pseudonymises).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.events import (
    Author,
    ChannelName,
    Inbound,
    MediaKind,
    Outbound,
    PlatformFile,
    ReplyAddress,
)

CHANNEL = ChannelName("matrix")

FILE_MSGTYPES = frozenset({"m.image", "m.file", "m.audio"})
"""Message types whose file the service takes (made safe by the core); voice messages
(MSC3245) are m.audio. Video, stickers and locations stay refused."""

# mxc://<server name>/<media id> (spec: "Matrix Content URIs"); anything else is not fetched,
# so neither part can reach a URL path unchecked.
_MXC = re.compile(
    r"^mxc://([A-Za-z0-9.\-]+(?::[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?)"
    r"/([A-Za-z0-9_\-]+)$"
)
_UNPADDED_BASE64 = re.compile(r"^[A-Za-z0-9+/_\-]+$")


@dataclass(frozen=True, slots=True)
class FileKeys:
    """How to decrypt an encrypted attachment (the event's EncryptedFile): the AES-CTR key
    (JWK `k`), its IV and the SHA-256 of the ciphertext, all unpadded base64."""

    key: str
    iv: str
    sha256: str

    def __repr__(self) -> str:
        return "FileKeys(...)"  # a key in a traceback or log line would open the file


@dataclass(frozen=True, slots=True)
class FileRef:
    """Where a resident's file is on the homeserver, and how to read it; nothing fetched.

    `problem` names what makes the event's file unusable (no valid mxc URI, an encryption
    this service does not know), so the core refuses it as unreadable without a request.
    """

    server_name: str
    media_id: str
    declared_size: int | None
    keys: FileKeys | None
    problem: str | None = None

    def __repr__(self) -> str:
        # The mxc URI lets anyone with an account on the server download the file.
        return (
            f"FileRef(encrypted={self.keys is not None}, "
            f"declared_size={self.declared_size}, problem={self.problem})"
        )


FileOpener = Callable[[FileRef], PlatformFile]
"""Makes the PlatformFile that fetches a FileRef (the adapter's, holding its client)."""

MEDIA_KINDS: Mapping[str, MediaKind] = {
    "m.image": MediaKind.PHOTO,
    "m.file": MediaKind.DOCUMENT,
    "m.audio": MediaKind.AUDIO,
    "m.video": MediaKind.VIDEO,
    "m.location": MediaKind.LOCATION,
}
MEDIA_MSGTYPES = frozenset({"m.image", "m.file", "m.audio", "m.video"})
"""The media events that may carry a caption (a location has no file name)."""

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


def inbound_of(
    source: Mapping[str, Any],
    *,
    room_id: str,
    own_user_id: str,
    open_file: FileOpener | None = None,
) -> Inbound | None:
    """One resident Inbound from one (decrypted) room event, or None to ignore it.

    Ignored: the bot's own events, notices (other bots), state events, redactions, edits of a
    file and reactions other than a keycap digit (which answers a numbered choice). A picture,
    document or audio message carries the PlatformFile `open_file` makes (without one it is
    noted by kind only) and no text: its body is the file's name, never read.
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
    platform_file: PlatformFile | None = None
    if event_type == "m.room.message":
        msgtype = content.get("msgtype")
        if msgtype in ("m.text", "m.emote"):
            text = _text_of(content)
            if not text.strip():
                return None
        elif msgtype == "m.notice":
            return None
        elif msgtype in FILE_MSGTYPES and open_file is not None:
            if _is_edit(content):
                # The file came with the original event; an edit only renames it.
                return None
            platform_file = open_file(file_ref_of(content))
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
        platform_file=platform_file,
    )


CAPTION_PREFIX = "caption:"
"""Marks a caption's dedup key: its own, yet naming the same event (`event_of_ref`), so "delete
my data" redacts the event whichever of the two the core kept."""


def caption_of(source: Mapping[str, Any], *, room_id: str, own_user_id: str) -> Inbound | None:
    """The caption of a resident's media event, as a text Inbound of its own, or None.

    Since Matrix 1.10 (MSC2530) a media event with a `filename` beside its `body` uses the body
    as a caption, the resident's own words; without `filename` the body is the file's name and
    is never read. An edit of a media event is ignored with the event.
    """
    sender = source.get("sender")
    event_id = source.get("event_id")
    content = source.get("content")
    if (
        not isinstance(sender, str)
        or not isinstance(event_id, str)
        or sender == own_user_id
        or "state_key" in source
        or source.get("type") != "m.room.message"
        or not isinstance(content, Mapping)
        or content.get("msgtype") not in MEDIA_MSGTYPES
        or _is_edit(content)
    ):
        return None
    body, filename = content.get("body"), content.get("filename")
    if not isinstance(body, str) or not isinstance(filename, str) or body == filename:
        return None
    text = _text_of(content)
    if not text.strip():
        return None
    return Inbound(
        channel=CHANNEL,
        sender_id=sender,
        reply_address=ReplyAddress(room_id),
        platform_message_id=CAPTION_PREFIX + event_id,
        received_at=received_at(source),
        text=text,
    )


def event_of_ref(ref: str) -> str:
    """The Matrix event a stored message's platform reference names (a caption's included)."""
    return ref.removeprefix(CAPTION_PREFIX)


def _is_edit(content: Mapping[str, Any]) -> bool:
    relates = content.get("m.relates_to")
    return isinstance(relates, Mapping) and relates.get("rel_type") == "m.replace"


def file_ref_of(content: Mapping[str, Any]) -> FileRef:
    """The file of an m.image, m.file or m.audio content: its `file` (an EncryptedFile, in
    encrypted rooms and from some clients elsewhere) or else its `url`, and the size the
    sender declared. Never reads the body, the file name or the declared type."""
    info = content.get("info")
    size = info.get("size") if isinstance(info, Mapping) else None
    declared = size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None
    encrypted = content.get("file")
    keys: FileKeys | None = None
    problem: str | None = None
    if isinstance(encrypted, Mapping):
        url = encrypted.get("url")
        keys, problem = _keys_of(encrypted)
    else:
        url = content.get("url")
    match = _MXC.match(url) if isinstance(url, str) else None
    if match is None:
        return FileRef("", "", declared, None, problem="no_address")
    return FileRef(match.group(1), match.group(2), declared, keys, problem)


def _keys_of(encrypted: Mapping[str, Any]) -> tuple[FileKeys | None, str | None]:
    """The keys of an EncryptedFile (spec: v2, an A256CTR JSON Web Key for decrypting, a
    SHA-256 of the ciphertext), or the reason it cannot be decrypted."""
    if encrypted.get("v") != "v2":
        return None, "file_version"
    jwk = encrypted.get("key")
    if not isinstance(jwk, Mapping) or jwk.get("kty") != "oct" or jwk.get("alg") != "A256CTR":
        return None, "file_key"
    operations = jwk.get("key_ops")
    if not isinstance(operations, list) or "decrypt" not in operations:
        return None, "file_key"
    hashes = encrypted.get("hashes")
    digest = hashes.get("sha256") if isinstance(hashes, Mapping) else None
    parts = [jwk.get("k"), encrypted.get("iv"), digest]
    texts = [part for part in parts if isinstance(part, str) and _UNPADDED_BASE64.match(part)]
    if len(texts) != len(parts):
        return None, "file_key"
    key, iv, sha256 = texts
    return FileKeys(key, iv, sha256), None


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
