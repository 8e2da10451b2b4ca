"""Bodies and queries of the document library's routes (bot/console/library.py)."""

from __future__ import annotations

from pydantic import BaseModel


class LibraryDocument(BaseModel):
    """A published document: public, made safe (no metadata) when it was published."""

    id: str
    language: str
    title: str
    kind: str
    media_type: str
    size: int


class LibraryQuery(BaseModel):
    """Query of GET /api/library: one language's documents, or every language's."""

    language: str = ""


class LibraryPublishQuery(BaseModel):
    """Query of POST /api/admin/library, whose body is the file itself (octet-stream)."""

    language: str
    title: str


class DocumentSend(BaseModel):
    """Body of POST /api/conversations/{id}/documents."""

    document: str


class DocumentSent(BaseModel):
    ok: bool = True
    message: str = ""


MODELS: tuple[type[BaseModel], ...] = (LibraryDocument, DocumentSend, DocumentSent)
PARAMETER_MODELS: tuple[type[BaseModel], ...] = (LibraryQuery, LibraryPublishQuery)
