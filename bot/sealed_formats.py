"""Every sealed column's data key and encryption context, and the sealed outbox payload, once.

The context (AAD) of a sealed value is bound into its ciphertext: changing a prefix here makes
every value already stored unreadable. Never rename a prefix; add a new format instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .events import Author, Choice, DeliveryId, Outbound
from .sealing import KeyPurpose


@dataclass(frozen=True, slots=True)
class SealedFormat:
    """One sealed column: which data key seals it and the context its values are bound to.

    `owner` says whose key that is (the key's owner id is built where the owner is known).
    """

    column: str
    owner: str
    purpose: KeyPurpose
    prefix: str

    def context(self, row_id: str) -> str:
        """The encryption context of this column's value in row `row_id`."""
        return f"{self.prefix}:{row_id}"


_CONVERSATION = KeyPurpose.CONVERSATION
_SYSTEM = KeyPurpose.SYSTEM

REPLY_ADDRESS = SealedFormat(
    "conversation.sealed_reply_address", "conversation", _CONVERSATION, "reply-address"
)
ORIGIN = SealedFormat("conversation.sealed_origin", "conversation", _CONVERSATION, "origin")
MESSAGE_BODY = SealedFormat("message.sealed_body", "conversation", _CONVERSATION, "message")
PLATFORM_REF = SealedFormat(
    "message.sealed_platform_ref", "conversation", _CONVERSATION, "platform-ref"
)
PII_VALUE = SealedFormat("pii_item.sealed_value", "conversation", KeyPurpose.PII_VAULT, "pii")
ATTACHMENT_DATA = SealedFormat(
    "attachment.sealed_data", "conversation", KeyPurpose.ATTACHMENT, "attachment"
)
NOTE_BODY = SealedFormat("note.sealed_body", "conversation", _CONVERSATION, "note")
OUTBOX_PAYLOAD = SealedFormat(
    "outbox.sealed_payload", "conversation, or the system without one", _CONVERSATION, "outbox"
)
BLOCK_REASON = SealedFormat("block.sealed_reason", "system", _SYSTEM, "block")
TOTP_SECRET = SealedFormat("staff_user.totp_secret", "system", _SYSTEM, "totp")
GROUP_REPLY_ADDRESS = SealedFormat(
    "group_participant.sealed_reply_address",
    "group session",
    _CONVERSATION,
    "group-reply-address",
)
GROUP_MESSAGE_BODY = SealedFormat(
    "group_message.sealed_body", "group session", _CONVERSATION, "group-message"
)
GROUP_DELIVERIES = SealedFormat(
    "group_message.sealed_deliveries", "group session", _CONVERSATION, "group-deliveries"
)
NEWS_REPLY_ADDRESS = SealedFormat(
    "news_opt_in.sealed_reply_address", "news opt-in", _CONVERSATION, "news-reply-address"
)
ANNOUNCEMENT_TEXT = SealedFormat("announcement.sealed_text", "system", _SYSTEM, "announcement")

SEALED_FORMATS: tuple[SealedFormat, ...] = (
    REPLY_ADDRESS,
    ORIGIN,
    MESSAGE_BODY,
    PLATFORM_REF,
    PII_VALUE,
    ATTACHMENT_DATA,
    NOTE_BODY,
    OUTBOX_PAYLOAD,
    BLOCK_REASON,
    TOTP_SECRET,
    GROUP_REPLY_ADDRESS,
    GROUP_MESSAGE_BODY,
    GROUP_DELIVERIES,
    NEWS_REPLY_ADDRESS,
    ANNOUNCEMENT_TEXT,
)
"""Every sealed column (a test checks the tables have no sealed column missing here)."""


@dataclass(frozen=True, slots=True)
class OutboxPayload:
    """What an outbox row carries sealed: the text and everything needed to send it.

    `reply_address` only in rows without a conversation (the conversation's own sealed
    address is used otherwise); `withdraw` (erasure) and `retract` (moderation) are delivery
    ids for the platform to delete.
    """

    text: str
    author: Author = Author.BOT
    choices: tuple[tuple[str, str], ...] = ()
    display_name: str | None = None
    message_id: str | None = None
    at: str | None = None
    event: str | None = None
    language: str | None = None
    reply_address: str | None = None
    withdraw: tuple[str, ...] = ()
    retract: tuple[str, ...] = ()
    document: str | None = None
    """The id of a library document the message carries (its bytes are read at delivery)."""

    def to_json(self) -> str:
        # Same keys in the same order as the rows queued before this type existed.
        payload: dict[str, Any] = {
            "text": self.text,
            "author": str(self.author),
            "choices": [list(choice) for choice in self.choices],
            "display_name": self.display_name,
            "message_id": self.message_id,
            "at": self.at,
            "event": self.event,
            "language": self.language,
        }
        if self.reply_address is not None:
            payload["reply_address"] = self.reply_address
        if self.withdraw:
            payload["withdraw"] = list(self.withdraw)
        if self.retract:
            payload["retract"] = list(self.retract)
        if self.document is not None:
            payload["document"] = self.document
        return json.dumps(payload, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> OutboxPayload:
        """Parse a stored payload; KeyError (a LookupError) when it has no text."""
        payload: dict[str, Any] = json.loads(raw)
        reply_address = payload.get("reply_address")
        return cls(
            text=str(payload["text"]),
            author=Author(payload.get("author", "bot")),
            choices=tuple((str(v), str(label)) for v, label in payload.get("choices", [])),
            display_name=payload.get("display_name"),
            message_id=payload.get("message_id"),
            at=payload.get("at"),
            event=payload.get("event"),
            language=payload.get("language"),
            reply_address=str(reply_address) if reply_address is not None else None,
            withdraw=tuple(str(d) for d in payload.get("withdraw", [])),
            retract=tuple(str(d) for d in payload.get("retract", [])),
            document=str(payload["document"]) if payload.get("document") else None,
        )

    def outbound(self, outbox_id: str) -> Outbound:
        """The platform-neutral message an adapter sends."""
        return Outbound(
            outbox_id=outbox_id,
            text=self.text,
            author=self.author,
            choices=tuple(Choice(value, label) for value, label in self.choices),
            display_name=self.display_name,
            message_id=self.message_id,
            sent_at=self.at,
            withdraw=tuple(DeliveryId(d) for d in self.withdraw),
            retract=tuple(DeliveryId(d) for d in self.retract),
            event=self.event,
            language=self.language,
        )
