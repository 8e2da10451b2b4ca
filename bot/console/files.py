"""`GET /api/conversations/{id}/attachments/{attachment}`: a resident's file, opened in the console.

Never cached, sniffed or named: `no-store`, `nosniff`, the type from the stored kind and an
inline disposition with a fixed name; the open is audited (bot/actions/files.py).
"""

from __future__ import annotations

from aiohttp import web

from bot.actions import files as file_actions
from bot.roles import Capability
from bot.service import SERVICE

from .auth import staff_with_any

routes = web.RouteTableDef()

MEDIA_TYPES = {"photo": "image/jpeg", "document": "application/pdf", "voice": "audio/ogg"}
"""The answer's type by stored kind; a photo kept as PNG (lossless pictures) says so itself."""

FILE_NAMES = {"photo": "photo", "document": "document.pdf", "voice": "voice.ogg"}


def media_type_of(kind: str, stored: str) -> str:
    """The stored media type where it belongs to the kind, else the kind's own type."""
    allowed = {"photo": ("image/jpeg", "image/png"), "document": ("application/pdf",)}
    if stored in allowed.get(kind, ()) or (kind == "voice" and stored.startswith("audio/ogg")):
        return stored
    return MEDIA_TYPES.get(kind, "application/octet-stream")


@routes.get("/api/conversations/{id}/attachments/{attachment}")
async def open_file(request: web.Request) -> web.Response:
    staff = staff_with_any(
        request, Capability.WORK_QUEUES, Capability.SEE_ALL_QUEUES, Capability.READ_WITH_REASON
    )
    core = request.app[SERVICE].core
    opened = await file_actions.open_file(
        core,
        staff,
        request.match_info["id"],
        request.match_info["attachment"],
        reason=request.query.get("reason", "")[:500],  # a privacy officer's, as for the transcript
    )
    name = FILE_NAMES.get(opened.kind, "file")
    if opened.kind == "photo":
        name += ".png" if opened.media_type == "image/png" else ".jpg"
    return web.Response(
        body=opened.data,
        headers={
            "Content-Type": media_type_of(opened.kind, opened.media_type),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'inline; filename="{name}"',
            "Referrer-Policy": "no-referrer",
        },
    )
