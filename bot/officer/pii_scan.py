"""Re-scans every stored (already redacted) message for personal data that redaction missed.

Records the scan in the audit trail first, then takes the fast scan (`pii_scan_fast`) or, at
any doubt, the exact one here. Reports kinds, counts and message ids only: a value found is
never printed, logged or kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from sqlmodel import col, func, select

from bot.actions.context import Core, unit_of_work
from bot.message_body import MessageBody
from bot.sealed_formats import MESSAGE_BODY
from bot.sealing import KeyPurpose
from bot.store import attachments as attachment_store
from bot.store.tables import Message
from privacy.audit import AuditAction
from privacy.crypto import unseal
from privacy.errors import PrivacyError
from privacy.redaction import Redactor

from .common import OFFICER, Progress
from .pii_scan_fast import conversation_ids, fast_scan
from .pii_scan_rules import (
    SCANNED_AUTHORS,
    STRICT_PATTERNS,
    ScanReport,
    report_of,
    scan_text,
    without_placeholders,
)

__all__ = [
    "SCANNED_AUTHORS",
    "STRICT_PATTERNS",
    "ScanReport",
    "count_messages",
    "exact_scan",
    "pii_scan",
    "record_scan",
    "scan_text",
    "without_placeholders",
]

ProgressStep = Callable[[int], None]


async def count_messages(core: Core) -> int:
    async with core.database.session() as session:
        query = (
            select(func.count())
            .select_from(Message)
            .where(col(Message.author).in_(SCANNED_AUTHORS), Message.kind == "text")
        )
        return int((await session.execute(query)).scalar_one())


async def record_scan(core: Core) -> None:
    """The scan's audit record, written (and committed) before any content is opened: even a
    scan that crashes half-way leaves a trace."""
    async with unit_of_work(core) as work:
        await work.audit(
            OFFICER,
            AuditAction.READ,
            object_type="message",
            object_id="all stored messages",
            purpose="PII scan: re-check of redacted messages (values are not shown)",
        )


async def pii_scan(
    core: Core,
    *,
    redactor: Redactor | None = None,
    on_conversation: ProgressStep | None = None,
    progress: Progress | None = None,
    fast: bool = True,
) -> ScanReport:
    """Record the scan, then scan every stored text of residents and counsellors.

    The fast scan (`pii_scan_fast`, both cores) reports what the exact scan reports; at any
    doubt it gives up and the exact scan runs from the start (`fast=False`: it alone).
    `progress` is advanced by the messages done (and set back for the exact scan after a
    fast one gave up); `on_conversation` is called with the same counts.
    """
    redactor = redactor or Redactor()
    await record_scan(core)

    def step(done: int) -> None:
        if progress is not None:
            progress.advance(done)
        if on_conversation is not None:
            on_conversation(done)

    files = await unscanned_files(core)
    if fast:
        report = await fast_scan(core, redactor, step)
        if report is not None:
            return replace(report, files_not_scanned=files)
        if progress is not None:
            progress.done = 0
    return replace(await exact_scan(core, redactor, step), files_not_scanned=files)


async def unscanned_files(core: Core) -> dict[str, int]:
    """Stored files the scan cannot read for personal data, by kind (counts only)."""
    async with core.database.session() as session:
        return dict(sorted((await attachment_store.kinds_count(session)).items()))


async def exact_scan(
    core: Core, redactor: Redactor, on_conversation: ProgressStep | None = None
) -> ScanReport:
    """Conversation by conversation through the ORM, each in its own short read.

    The reference the fast scan is held to; it writes no audit record of its own (see
    `pii_scan`).
    """
    counts: Counter[str] = Counter()
    ids: dict[str, list[str]] = {}
    scanned = unreadable = 0
    for conversation_id in await conversation_ids(core):
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
    return report_of(scanned, unreadable, counts, ids)
