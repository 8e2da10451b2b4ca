"""The document library: administrators publish and withdraw, counsellors send.

A published document is made safe like a resident's file (no author, software or other
metadata of the office that wrote it). Sending one is a counsellor's message like a reply,
audited as such; never takes anything of a resident into the library.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.access import Staff
from bot.errors import ActionError
from privacy.attachments import Limits
from privacy.audit import AuditAction

from ..attachments import prepare
from ..events import Author
from ..messages import store_message
from ..store import library as library_store
from ..store.library import LibraryDocument, LibrarySend
from ..store.rows import add_row
from ..texts import LANGUAGES
from .admin import AdminError, _require_admin
from .context import Actor, Core, unit_of_work
from .conversation_checks import load_visible, require_assigned
from .conversations import send_as_counsellor

LIBRARY_KINDS = ("document", "photo")
"""What the library publishes: documents and pictures (a voice recording is no form)."""

MAX_TITLE_CHARS = 200


async def publish(core: Core, actor: Actor, *, language: str, title: str, data: bytes) -> str:
    """Make the file safe and publish it in `language`; its id."""
    _require_admin(actor)
    title = " ".join(title.split())
    if language not in LANGUAGES:
        raise AdminError("invalid_input", f"unknown language {language!r}")
    if not 1 <= len(title) <= MAX_TITLE_CHARS:
        raise AdminError("invalid_input", f"a title is 1-{MAX_TITLE_CHARS} characters")
    prepared = await prepare(
        data, Limits(max_bytes=core.settings.attachment_max_bytes), core.sanitiser
    )
    sanitised = prepared.sanitised
    if sanitised is None or str(sanitised.kind) not in LIBRARY_KINDS:
        reason = prepared.refused or "unsupported"
        raise AdminError("invalid_input", f"the file cannot be published ({reason})")
    async with unit_of_work(core) as work:
        document = LibraryDocument(
            language=language,
            title=title,
            kind=str(sanitised.kind),
            media_type=sanitised.media_type,
            size=sanitised.size,
            data=sanitised.data,
            created_at=core.now(),
        )
        work.session.add(document)
        await work.audit(
            actor, AuditAction.CREATE, object_type="library_document", object_id=document.id
        )
    return document.id


async def withdraw(core: Core, actor: Actor, document_id: str) -> None:
    """Stop offering and serving a document; the record of where it was sent stays."""
    _require_admin(actor)
    async with unit_of_work(core) as work:
        document = await work.session.get(LibraryDocument, document_id)
        if document is None or not document.active:
            raise AdminError("not_found", "no such document")
        document.active = False
        work.session.add(document)
        await work.audit(
            actor, AuditAction.DELETE, object_type="library_document", object_id=document_id
        )


async def published(core: Core, *, language: str | None = None) -> Sequence[LibraryDocument]:
    async with core.database.session() as session:
        return await library_store.documents(session, language=language)


async def send(core: Core, staff: Staff, conversation_id: str, document_id: str) -> str:
    """Send a published document into a conversation the counsellor holds, as their message
    (its text the title); the stored message's id."""
    async with unit_of_work(core) as work:
        conversation = await load_visible(work, staff, conversation_id)
        require_assigned(staff, conversation)
        document = await work.session.get(LibraryDocument, document_id)
        if document is None or not document.active:
            raise ActionError("not_found", "no such document")
        message = await store_message(
            work,
            conversation,
            Author.COUNSELLOR,
            document.title,
            kind="document",
            redact=False,  # a published title, not anyone's words
            author_user_id=staff.user_id,
        )
        # With the message's own rows, after it (bot/store/rows.py).
        add_row(
            work.session,
            LibrarySend(
                conversation_id=conversation.id,
                message_id=message.id,
                document_id=document.id,
                created_at=core.now(),
            ),
        )
        await send_as_counsellor(
            work,
            staff,
            conversation,
            message,
            document.title,
            document=document.id,
            purpose=f"library document {document.id}",
        )
    return message.id
