"""Opening a file of a conversation in the console: checked like reading it, audited each time.

The audit record names the file and conversation by id only; never logs or keeps the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.access import Staff, conversation_access
from bot.errors import ActionError
from bot.roles import Capability, can
from privacy.audit import AuditAction
from privacy.errors import PrivacyError

from ..attachments import open_attachment
from ..read_audit import audit_read
from ..store.attachments import Attachment
from .context import Core, unit_of_work
from .conversation_checks import READ_REFUSED, audit_denied, clean_reason, load_visible


@dataclass(frozen=True, slots=True)
class OpenedFile:
    kind: str
    media_type: str
    data: bytes

    def __repr__(self) -> str:
        return f"OpenedFile(kind={self.kind!r}, bytes={len(self.data)})"


async def open_file(
    core: Core, staff: Staff, conversation_id: str, attachment_id: str, *, reason: str = ""
) -> OpenedFile:
    """The file's bytes for someone who may read the conversation; audited as a read of the
    file (refusals too). A privacy officer opens one as they read the transcript: with a
    stated reason, which the audit record carries."""
    with_reason = can(staff.role, Capability.READ_WITH_REASON)
    purpose = clean_reason(core, reason) if with_reason else ""
    denied: str | None = None
    opened: OpenedFile | None = None
    async with unit_of_work(core) as work:
        conversation = await load_visible(work, staff, conversation_id)
        denial = None if with_reason else conversation_access(staff, conversation)
        if denial is not None:
            await audit_denied(work, staff, AuditAction.READ, conversation, READ_REFUSED[denial][0])
            denied = READ_REFUSED[denial][1]
        else:
            attachment = await work.session.get(Attachment, attachment_id)
            if attachment is None or attachment.conversation_id != conversation.id:
                raise ActionError("not_found", "no such file")
            try:
                data = await open_attachment(work, attachment)
            except PrivacyError:
                raise ActionError("not_found", "no such file") from None
            await audit_read(
                work,
                staff.actor(conversation.queue_id),
                object_type="attachment",
                object_id=attachment.id,
                subject_ref=conversation.id,
                purpose=purpose,
            )
            opened = OpenedFile(attachment.kind, attachment.media_type, data)
    if opened is None:
        raise ActionError("forbidden", denied or "forbidden")
    return opened
