"""Data subject requests by reference code: export a resident's conversations, or erase them.

The export is the one place the officer's tools produce plaintext: only into an owner-only
file, never to a log or the audit trail. Both requests are audited with the pseudonym only.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlmodel import col, func, select

from bot.actions.context import Core, Work, unit_of_work
from bot.attachments import open_attachment
from bot.hub_topics import conversation_topic
from bot.local_time import zone_label
from bot.message_body import MessageBody
from bot.sealed_formats import MESSAGE_BODY, PII_VALUE
from bot.sealing import CONVERSATION_PURPOSES, KeyPurpose
from bot.store import attachments as attachment_store
from bot.store import conversations as conversation_store
from bot.store import returning
from bot.store.attachments import Attachment
from bot.store.tables import Conversation
from privacy.audit import AuditAction
from privacy.crypto import unseal
from privacy.errors import PrivacyError
from privacy.keyfile import write_private_file
from privacy.pseudonym import Pseudonym, normalise_reference_code, reference_code

from .common import OFFICER, OfficerError, local_text

AUTHOR_LABELS = {"resident": "You", "counsellor": "Counsellor", "bot": "Service"}

FILE_SUFFIXES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
    "audio/ogg": "ogg",
}
"""The suffix of an exported file by its stored (rebuilt) media type; anything else `bin`."""


class AmbiguousCode(Exception):
    """The code matches more than one resident: exporting or erasing would touch someone else."""


@dataclass(frozen=True, slots=True)
class SubjectMatch:
    code: str
    pseudonym: str | None
    conversation_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExportedFile:
    """A file the resident sent, as stored (made safe): written beside the export."""

    name: str
    kind: str
    media_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ExportedMessage:
    id: str
    at: datetime
    author: str
    text: str
    withheld: int  # originals no longer available (PII vault already deleted by retention)
    file: ExportedFile | None = None


@dataclass(frozen=True, slots=True)
class ExportedConversation:
    id: str
    channel: str
    language: str | None
    topic: str | None
    state: str
    created_at: datetime
    closed_at: datetime | None
    messages: tuple[ExportedMessage, ...]


@dataclass(frozen=True, slots=True)
class SubjectExport:
    code: str
    made_at: datetime
    conversations: tuple[ExportedConversation, ...]
    zone: ZoneInfo
    """The service's zone (`Settings.zone`), in which the Markdown shows times."""

    @property
    def message_count(self) -> int:
        return sum(len(c.messages) for c in self.conversations)

    @property
    def files(self) -> list[ExportedFile]:
        return [m.file for c in self.conversations for m in c.messages if m.file is not None]

    def as_json(self) -> dict[str, object]:
        return {
            "reference_code": self.code,
            "made_at": self.made_at.isoformat(),
            "conversations": [
                {
                    "id": c.id,
                    "channel": c.channel,
                    "language": c.language,
                    "topic": c.topic,
                    "state": c.state,
                    "created_at": c.created_at.isoformat(),
                    "closed_at": c.closed_at.isoformat() if c.closed_at else None,
                    "messages": [
                        {
                            "at": m.at.isoformat(),
                            "author": m.author,
                            "text": m.text,
                            "originals_deleted": m.withheld,
                            "file": _file_json(m.file),
                        }
                        for m in c.messages
                    ],
                }
                for c in self.conversations
            ],
        }

    def as_markdown(self) -> str:
        zone = self.zone
        lines = [
            "# Your conversations with the chat service",
            "",
            f"Reference code: {self.code}  ",
            f"Made: {local_text(self.made_at, zone)} ({zone_label(zone)})",
            "",
            "This file contains the messages you wrote and the replies you received, as the "
            "service stores them. Personal details you gave (such as a phone number) are shown "
            "as you wrote them where the service still keeps them; where they were already "
            "deleted under the retention rules, a placeholder such as [PHONE] is shown.",
            "",
        ]
        if not self.conversations:
            lines.append("No conversations are stored for this reference code.")
        for number, conversation in enumerate(self.conversations, start=1):
            lines += [
                f"## Conversation {number}",
                "",
                f"- Channel: {conversation.channel}",
                f"- Language: {conversation.language or '-'}",
                f"- Topic: {conversation.topic or '-'}",
                f"- Started: {local_text(conversation.created_at, zone)}",
                f"- Ended: {local_text(conversation.closed_at, zone) or 'not ended'}",
                "",
            ]
            for message in conversation.messages:
                author = AUTHOR_LABELS.get(message.author, message.author)
                body = message.text.replace("\n", "\n  > ")
                lines.append(f"- **{author}**, {local_text(message.at, zone)}:")
                lines.append(f"  > {body}")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


def _file_json(file: ExportedFile | None) -> dict[str, object] | None:
    if file is None:
        return None
    return {
        "name": file.name,
        "kind": file.kind,
        "media_type": file.media_type,
        "size": len(file.data),
    }


async def find_subject(core: Core, code_text: str) -> SubjectMatch:
    """The conversations of the resident whose reference code this is (any accepted spelling)."""
    try:
        code = normalise_reference_code(code_text)
    except ValueError:
        raise OfficerError("not a valid reference code (10 letters and digits)") from None
    async with core.database.session() as session:
        pseudonyms = list(
            (
                await session.execute(
                    select(Conversation.pseudonym).group_by(col(Conversation.pseudonym))
                )
            ).scalars()
        )
        # The code is one-way: compute it for every stored pseudonym and compare.
        matches = [
            p
            for p in pseudonyms
            if hmac.compare_digest(reference_code(core.keyring.pepper, Pseudonym(p)), code)
        ]
        if len(matches) > 1:
            raise AmbiguousCode(f"the code matches {len(matches)} residents")
        if not matches:
            return SubjectMatch(code, None, ())
        conversations = await conversation_store.of_pseudonym(session, matches[0])
    ordered = sorted(conversations, key=lambda c: c.created_at)
    return SubjectMatch(code, matches[0], tuple(c.id for c in ordered))


def _restore(text: str, body: MessageBody, originals: dict[int, str]) -> tuple[str, int]:
    """Put the removed originals back where their placeholders are; count those missing."""
    parts, position, missing = [], 0, 0
    for placeholder in sorted(body.placeholders, key=lambda p: p.start):
        parts.append(text[position : placeholder.start])
        original = originals.get(placeholder.ordinal)
        if original is None:
            missing += 1
            parts.append(text[placeholder.start : placeholder.end])
        else:
            parts.append(original)
        position = placeholder.end
    parts.append(text[position:])
    return "".join(parts), missing


async def _export_conversation(work: Work, conversation: Conversation) -> ExportedConversation:
    keys, session = work.core.keys, work.session
    key = await keys.get(session, conversation.id, KeyPurpose.CONVERSATION)
    try:
        vault = await keys.get(session, conversation.id, KeyPurpose.PII_VAULT)
    except PrivacyError:
        vault = None  # shredded by retention before the transcript: placeholders stay
    items: dict[str, dict[int, str]] = {}
    if vault is not None:
        for item in await conversation_store.pii_items(session, conversation.id):
            value = unseal(vault, item.sealed_value, aad=PII_VALUE.context(item.id))
            items.setdefault(item.message_id, {})[item.ordinal] = value
    files = {a.message_id: a for a in await attachment_store.of(session, conversation.id)}
    messages = []
    for message in await conversation_store.messages(session, conversation.id):
        body = MessageBody.decode(
            unseal(key, message.sealed_body, aad=MESSAGE_BODY.context(message.id))
        )
        text, missing = _restore(body.text, body, items.get(message.id, {}))
        file = None
        if message.kind == "media_note":
            text = f"(you sent an attachment: {text}; attachments are not stored)"
        elif message.kind == "attachment":
            file = await _export_file(work, files.get(message.id))
            text = (
                f"(you sent a file: {text}; it is in the export's files folder as {file.name})"
                if file is not None
                else f"(you sent a file: {text}; it was deleted under the retention rules)"
            )
        messages.append(
            ExportedMessage(message.id, message.created_at, message.author, text, missing, file)
        )
    return ExportedConversation(
        id=conversation.id,
        channel=conversation.channel,
        language=conversation.language,
        topic=conversation.topic_id,
        state=conversation.state,
        created_at=conversation.created_at,
        closed_at=conversation.closed_at,
        messages=tuple(messages),
    )


async def _export_file(work: Work, attachment: Attachment | None) -> ExportedFile | None:
    """The stored file, or None once its key was shredded by the files' own retention."""
    if attachment is None:
        return None
    try:
        data = await open_attachment(work, attachment)
    except PrivacyError:
        return None
    suffix = FILE_SUFFIXES.get(attachment.media_type, "bin")
    return ExportedFile(f"{attachment.id}.{suffix}", attachment.kind, attachment.media_type, data)


def files_directory(path: Path) -> Path:
    """Where the export's files go: a folder beside the export file, named after it."""
    return path.with_name(f"{path.stem}-files")


def _audit_purpose(core: Core, default: str, reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        return default
    # The reason goes into the audit trail, which must never hold personal data.
    return f"{default}: {core.redactor.redact(reason[:300]).text}"


def _object_id(ids: tuple[str, ...]) -> str:
    return ",".join(ids) if len(ids) <= 5 else f"{len(ids)} conversations"


async def export_subject(core: Core, match: SubjectMatch, *, reason: str = "") -> SubjectExport:
    """Decrypt the resident's conversations; the EXPORT record commits with the reading."""
    made_at = core.now()
    exported = []
    async with unit_of_work(core) as work:
        for conversation_id in match.conversation_ids:
            conversation = await conversation_store.get(work.session, conversation_id)
            if conversation is None:
                continue
            try:
                exported.append(await _export_conversation(work, conversation))
            except PrivacyError:
                continue  # its key was shredded meanwhile: nothing readable is left
        await work.audit(
            OFFICER,
            AuditAction.EXPORT,
            object_type="conversation",
            object_id=_object_id(match.conversation_ids),
            subject_ref=match.pseudonym or "",
            purpose=_audit_purpose(core, "data subject request: access (GDPR Art. 15)", reason),
        )
    return SubjectExport(match.code, made_at, tuple(exported), core.settings.zone)


def write_export(export: SubjectExport, path: Path, *, as_json: bool) -> None:
    """Owner-only (0600) file, replaced atomically: it holds the resident's own words. The
    files they sent go, owner-only too, into `files_directory(path)`."""
    if as_json:
        data = json.dumps(export.as_json(), indent=2, ensure_ascii=False) + "\n"
    else:
        data = export.as_markdown()
    for file in export.files:
        write_private_file(files_directory(path) / file.name, file.data)
    write_private_file(path, data.encode("utf-8"))


async def erase_subject(core: Core, match: SubjectMatch, *, reason: str = "") -> int:
    """Crypto-shred every conversation of the resident: keys first, then the rows."""
    ids = list(match.conversation_ids)
    async with unit_of_work(core) as work:
        for conversation_id in ids:
            await core.keys.destroy(work.session, conversation_id, CONVERSATION_PURPOSES)
        result = await work.session.execute(
            delete(Conversation).where(col(Conversation.id).in_(ids))
        )
        if match.pseudonym:
            await returning.forget(work.session, [match.pseudonym])
        await work.audit(
            OFFICER,
            AuditAction.ERASE,
            object_type="conversation",
            object_id=_object_id(match.conversation_ids),
            subject_ref=match.pseudonym or "",
            purpose=_audit_purpose(core, "data subject request: erasure (GDPR Art. 17)", reason),
        )
        for conversation_id in ids:
            work.publish(
                conversation_topic(conversation_id),
                "conversation.erased",
                conversation=conversation_id,
            )
            work.publish("staff", "conversation.erased", conversation=conversation_id)
    return int(getattr(result, "rowcount", 0) or 0)


async def conversation_count(core: Core) -> int:
    async with core.database.session() as session:
        return int(
            (await session.execute(select(func.count()).select_from(Conversation))).scalar_one()
        )
