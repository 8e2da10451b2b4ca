"""Platform-neutral message types that adapters and the core exchange.

Adapters build these at their boundary; no platform name, username, profile field or phone
number may ever be put into one. The sender id travels only to be pseudonymised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NewType, Protocol

LANGUAGE_CHOICE_PREFIX = "lang:"
"""Choice values the conversation offers for a language: `lang:` and the language code
(adapters read it through `bot.channels`; the pure state machine from here, without aiohttp)."""

ChannelName = NewType("ChannelName", str)
ReplyAddress = NewType("ReplyAddress", str)
"""Opaque per-platform address to answer to (chat id, room id, web session); sealed at rest."""
DeliveryId = NewType("DeliveryId", str)
"""The platform's id of a delivered message (used to withdraw it on erasure)."""


class MediaKind(StrEnum):
    PHOTO = "photo"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACT = "contact"
    OTHER = "other"


class Author(StrEnum):
    RESIDENT = "resident"
    COUNSELLOR = "counsellor"
    BOT = "bot"


class FileTooLarge(Exception):
    """The platform's file is larger than the core takes; raised before it is read whole."""


class FileUnavailable(Exception):
    """The platform could not hand over the file (gone, forbidden, broken, undecryptable).

    Its message names the reason only, never the file's address, key or content.
    """


class PlatformFile(Protocol):
    """A file a resident sent on a platform that keeps it (Telegram, Matrix), still there.

    The adapter builds one per message without fetching anything: the core calls `fetch` only
    once the resident's conversation has passed the privacy notice, so no platform media is
    read before the resident knows what is kept.
    """

    async def fetch(self, max_bytes: int) -> bytes:
        """The file's bytes (decrypted where the platform encrypts them), at most `max_bytes`:
        raises FileTooLarge beyond that and FileUnavailable when it cannot be read."""
        ...


@dataclass(frozen=True, slots=True)
class Choice:
    """One button (or numbered option where a platform has no buttons)."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a resident, as the adapter received it.

    `sender_id` is the platform identity, used only to compute the pseudonym and never stored.
    `platform_message_id` must be unique within the channel (used to drop redeliveries).
    """

    channel: ChannelName
    sender_id: str
    reply_address: ReplyAddress
    platform_message_id: str
    received_at: datetime
    text: str = ""
    choice: str | None = None
    media: MediaKind | None = None
    language_hint: str | None = None
    # The network address the message came from, where the channel knows it (web chat).
    # Only a keyed digest of it is kept, to let a block hold for a new session.
    origin: str | None = None
    # A file as the resident sent it, where the channel takes files (web chat): made safe by
    # the core before anything of it is stored, never stored as it came.
    file: bytes | None = None
    # A file still on the platform (Telegram, Matrix): fetched by the core only after the
    # privacy notice, then made safe like `file`.
    platform_file: PlatformFile | None = None

    @property
    def has_file(self) -> bool:
        return self.file is not None or self.platform_file is not None

    def __repr__(self) -> str:
        # The default repr would print the sender id and the text into any log or traceback.
        return (
            f"Inbound(channel={self.channel!r}, chars={len(self.text)}, "
            f"choice={self.choice is not None}, media={self.media}, "
            f"file_bytes={len(self.file) if self.file is not None else None}, "
            f"platform_file={self.platform_file is not None})"
        )


@dataclass(frozen=True, slots=True)
class ResidentSignal:
    """Something a resident did besides writing, by `kind`: "typing" (ephemeral, forwarded to
    the console, never stored) or "left" (quick exit: the core ends their conversation)."""

    channel: ChannelName
    sender_id: str
    kind: str = "typing"

    def __repr__(self) -> str:
        return f"ResidentSignal(channel={self.channel!r}, kind={self.kind!r})"


@dataclass(frozen=True, slots=True)
class OutboundDocument:
    """A document of the organisation's library that a counsellor sent: public, made safe when
    it was published. `file_name` is a safe name made from its title and type."""

    document_id: str
    title: str
    kind: str
    media_type: str
    file_name: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message to a resident. `outbox_id` makes retried deliveries idempotent."""

    outbox_id: str
    text: str
    author: Author = Author.BOT
    choices: tuple[Choice, ...] = ()
    display_name: str | None = None
    protect: bool = True
    withdraw: tuple[DeliveryId, ...] = field(default=())
    message_id: str | None = None
    sent_at: str | None = None
    event: str | None = None
    """What the message marks, for front ends that show it specially: "joined" or "ended"."""
    language: str | None = None
    retract: tuple[DeliveryId, ...] = field(default=())
    """Delivery ids of single earlier messages to remove from the platform (a moderator removed
    them); unlike `withdraw`, which means erasure, the conversation carries on."""
    """The resident's language, for texts an adapter adds itself (e.g. a deletion note)."""
    document: OutboundDocument | None = None
    """A library document the message carries; `text` is then its title."""

    def __repr__(self) -> str:
        return (
            f"Outbound(outbox_id={self.outbox_id!r}, chars={len(self.text)}, "
            f"choices={len(self.choices)}, author={self.author}, "
            f"document={self.document is not None})"
        )


@dataclass(frozen=True, slots=True)
class Delivery:
    """The result of delivering an Outbound."""

    outbox_id: str
    delivery_id: DeliveryId


class DeliveryError(Exception):
    """Delivery failed. Messages carry error codes, never message text or platform ids."""

    retryable = True

    def __init__(self, code: str, *, retry_after: float | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after


class RetryableDeliveryError(DeliveryError):
    """Temporary: network error, rate limit (with `retry_after` seconds), server error."""


class PermanentDeliveryError(DeliveryError):
    """Will never succeed: the resident blocked the bot, the chat is gone."""

    retryable = False


class RecipientGone(PermanentDeliveryError):
    """The resident has left or blocked the bot: the conversation should be closed."""


class StoreUnavailable(Exception):
    """The message could not be stored now; the adapter must not acknowledge the platform."""
