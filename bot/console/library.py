"""The document library in the console: the list, publishing and withdrawing (administrators),
and sending a document into a conversation (the counsellor who holds it).

The published file is the request body itself (`application/octet-stream`), read up to the
attachment size limit; never logs a title or a byte of it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.actions import library as library_actions
from bot.errors import ServiceError
from bot.roles import Capability
from bot.service import SERVICE
from bot.store.library import LibraryDocument

from .api import _conversation_write, text_field
from .auth import staff_of, staff_with_any

routes = web.RouteTableDef()

OCTET_STREAM = "application/octet-stream"


def document_json(document: LibraryDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "language": document.language,
        "title": document.title,
        "kind": document.kind,
        "media_type": document.media_type,
        "size": document.size,
    }


@routes.get("/api/library")
async def list_documents(request: web.Request) -> web.Response:
    staff_with_any(request, *Capability)  # any signed-in staff: the documents are public
    language = request.query.get("language", "").strip() or None
    found = await library_actions.published(request.app[SERVICE].core, language=language)
    return web.json_response([document_json(d) for d in found])


async def read_file(request: web.Request, max_bytes: int) -> bytes:
    if request.content_type != OCTET_STREAM:
        raise ServiceError("invalid_input", f"send the file itself as {OCTET_STREAM}")
    declared = request.content_length
    if declared is not None and declared > max_bytes:
        raise ServiceError("invalid_input", f"the file is over {max_bytes} bytes")
    data = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        data += chunk
        if len(data) > max_bytes:
            raise ServiceError("invalid_input", f"the file is over {max_bytes} bytes")
    if not data:
        raise ServiceError("invalid_input", "the file is empty")
    return bytes(data)


@routes.post("/api/admin/library")
async def publish(request: web.Request) -> web.Response:
    staff = staff_of(request, Capability.ADMINISTER)
    core = request.app[SERVICE].core
    query = dict(request.query)
    language = text_field(query, "language", limit=8).strip()
    title = text_field(query, "title", limit=library_actions.MAX_TITLE_CHARS)
    data = await read_file(request, core.settings.attachment_max_bytes)
    document_id = await library_actions.publish(
        core, staff.actor(), language=language, title=title, data=data
    )
    async with core.database.session() as session:
        document = await session.get(LibraryDocument, document_id)
    assert document is not None  # committed just above
    return web.json_response(document_json(document), status=201)


@routes.delete("/api/admin/library/{id}")
async def withdraw(request: web.Request) -> web.Response:
    staff = staff_of(request, Capability.ADMINISTER)
    await library_actions.withdraw(
        request.app[SERVICE].core, staff.actor(), request.match_info["id"]
    )
    return web.json_response({"ok": True})


@routes.post("/api/conversations/{id}/documents")
async def send(request: web.Request) -> web.Response:
    staff, conversation_id, body = await _conversation_write(request)
    document_id = text_field(body, "document", limit=64)
    message = await library_actions.send(
        request.app[SERVICE].core, staff, conversation_id, document_id
    )
    return web.json_response({"ok": True, "message": message})
