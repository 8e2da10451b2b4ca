"""Re-scans every stored (already redacted) message for personal data that redaction missed.

Reports kinds, counts and message ids only: a value found is never printed, logged or kept.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import col, func, select

from bot.actions.context import Core, unit_of_work
from bot.message_body import MessageBody
from bot.sealed_formats import MESSAGE_BODY
from bot.sealing import KeyPurpose
from bot.store.tables import Conversation, Message
from privacy.audit import AuditAction
from privacy.crypto import unseal
from privacy.errors import PrivacyError
from privacy.redaction import Redactor

from .common import OFFICER

SCANNED_AUTHORS = ("resident", "counsellor")
"""Service texts are templates, not personal data; only what people wrote was redacted."""

# Stricter than the redactor on purpose: false alarms cost the officer a look, misses do not.
STRICT_PATTERNS: dict[str, re.Pattern[str]] = {
    "strict:long_number": re.compile(r"(?<!\d)\d(?:[ -]?\d){8,}(?!\d)"),
    "strict:at_word": re.compile(r"@[\w.-]+", re.UNICODE),
    "strict:hetu_like": re.compile(r"(?<![\w])\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y](?![\w])"),
    "strict:iban_like": re.compile(r"(?<![A-Za-z])FI\s?\d{2}(?:\s?\d){8,}", re.IGNORECASE),
}

ProgressStep = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class ScanReport:
    messages_scanned: int
    unreadable: int
    counts: dict[str, int]
    message_ids: dict[str, tuple[str, ...]]
    affected: tuple[str, ...] = field(default=())

    @property
    def found(self) -> bool:
        return bool(self.counts)

    def as_json(self) -> dict[str, object]:
        return {
            "messages_scanned": self.messages_scanned,
            "unreadable": self.unreadable,
            "counts": self.counts,
            "message_ids": {kind: list(ids) for kind, ids in self.message_ids.items()},
            "affected_messages": list(self.affected),
        }


def without_placeholders(body: MessageBody) -> str:
    """The stored text with each placeholder blanked, so "[PHONE]" itself is not a finding."""
    text = body.text
    for placeholder in sorted(body.placeholders, key=lambda p: p.start, reverse=True):
        text = text[: placeholder.start] + " " + text[placeholder.end :]
    return text


def scan_text(redactor: Redactor, text: str) -> Counter[str]:
    kinds: Counter[str] = Counter(str(finding.kind) for finding in redactor.redact(text).findings)
    for kind, pattern in STRICT_PATTERNS.items():
        hits = len(pattern.findall(text))
        if hits:
            kinds[kind] += hits
    return kinds


async def count_messages(core: Core) -> int:
    async with core.database.session() as session:
        query = (
            select(func.count())
            .select_from(Message)
            .where(col(Message.author).in_(SCANNED_AUTHORS), Message.kind == "text")
        )
        return int((await session.execute(query)).scalar_one())


async def pii_scan(
    core: Core, *, redactor: Redactor | None = None, on_conversation: ProgressStep | None = None
) -> ScanReport:
    """Scan conversation by conversation, each in its own short read, so the service runs on."""
    redactor = redactor or Redactor()
    # Recorded before any content is opened: even a scan that crashes half-way left a trace.
    async with unit_of_work(core) as work:
        await work.audit(
            OFFICER,
            AuditAction.READ,
            object_type="message",
            object_id="all stored messages",
            purpose="PII scan: re-check of redacted messages (values are not shown)",
        )
    async with core.database.session() as session:
        conversation_ids = list(
            (
                await session.execute(select(Conversation.id).order_by(col(Conversation.id)))
            ).scalars()
        )
    counts: Counter[str] = Counter()
    ids: dict[str, list[str]] = {}
    scanned = unreadable = 0
    for conversation_id in conversation_ids:
        async with core.database.session() as session:
            messages = list(
                (
                    await session.execute(
                        select(Message)
                        .where(
                            Message.conversation_id == conversation_id,
                            col(Message.author).in_(SCANNED_AUTHORS),
                            Message.kind == "text",
                        )
                        .order_by(col(Message.created_at))
                    )
                ).scalars()
            )
            try:
                key = await core.keys.get(session, conversation_id, KeyPurpose.CONVERSATION)
            except PrivacyError:
                key = None
        for message in messages:
            if key is None:
                unreadable += 1
                continue
            try:
                body = MessageBody.decode(
                    unseal(key, message.sealed_body, aad=MESSAGE_BODY.context(message.id))
                )
            except PrivacyError:
                unreadable += 1
                continue
            scanned += 1
            for kind, hits in scan_text(redactor, without_placeholders(body)).items():
                counts[kind] += hits
                ids.setdefault(kind, []).append(message.id)
        core.keys.forget(conversation_id)  # do not keep thousands of keys unwrapped
        if on_conversation is not None:
            on_conversation(len(messages))
    affected = sorted({message_id for found in ids.values() for message_id in found})
    return ScanReport(
        messages_scanned=scanned,
        unreadable=unreadable,
        counts=dict(sorted(counts.items())),
        message_ids={kind: tuple(found) for kind, found in sorted(ids.items())},
        affected=tuple(affected),
    )
