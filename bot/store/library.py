"""The organisation's document library: public forms and instructions counsellors send.

Holds only documents the organisation publishes (made safe like residents' files, so no
author or software metadata of the office that wrote them), never anything of a resident;
which document went into which conversation is a row of its own that goes with the
conversation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, col, select

from bot.events import OutboundDocument
from bot.ids import new_id

from .tables import Table, UTCDateTime, _cascade, utcnow

__all__ = ["LibraryDocument", "LibrarySend", "documents", "outbound_document", "sent_in"]

SUFFIXES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class LibraryDocument(Table, table=True):
    """One published document in one language; withdrawn ones stay for the record but are
    neither offered nor served."""

    __tablename__ = "library_document"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    language: str = Field(max_length=8, index=True)
    title: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    media_type: str = Field(max_length=64)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary(), nullable=False))
    active: bool = True
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class LibrarySend(Table, table=True):
    """A library document sent into a conversation, as the counsellor's message `message_id`."""

    __tablename__ = "library_send"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=64)
    conversation_id: str = _cascade("conversation.id")
    message_id: str = _cascade("message.id")
    document_id: str = Field(foreign_key="library_document.id", max_length=64, index=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


async def documents(
    session: AsyncSession, *, language: str | None = None
) -> Sequence[LibraryDocument]:
    """The published documents (in `language` only, when given), by language and title."""
    query = select(LibraryDocument).where(col(LibraryDocument.active))
    if language is not None:
        query = query.where(col(LibraryDocument.language) == language)
    query = query.order_by(col(LibraryDocument.language), col(LibraryDocument.title))
    return list((await session.execute(query)).scalars())


async def sent_in(session: AsyncSession, conversation_id: str) -> dict[str, LibraryDocument]:
    """The documents sent in a conversation, by the message that carried each."""
    query = (
        select(LibrarySend.message_id, LibraryDocument)
        .join(LibraryDocument, col(LibraryDocument.id) == col(LibrarySend.document_id))
        .where(col(LibrarySend.conversation_id) == conversation_id)
    )
    return {str(message_id): doc for message_id, doc in (await session.execute(query)).all()}


def file_name(document: LibraryDocument) -> str:
    """A name safe on every platform, from the title: letters, digits and dashes only."""
    stem = "".join(c if c.isalnum() else "-" for c in document.title.casefold())
    stem = "-".join(part for part in stem.split("-") if part)[:60] or "document"
    return f"{stem}.{SUFFIXES.get(document.media_type, 'bin')}"


async def outbound_document(session: AsyncSession, document_id: str) -> OutboundDocument | None:
    """The published document as an adapter sends it; None once withdrawn or unknown."""
    document = await session.get(LibraryDocument, document_id)
    if document is None or not document.active:
        return None
    return OutboundDocument(
        document_id=document.id,
        title=document.title,
        kind=document.kind,
        media_type=document.media_type,
        file_name=file_name(document),
        data=bytes(document.data),
    )
