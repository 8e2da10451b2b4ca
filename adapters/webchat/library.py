"""`GET /chat/library/{id}`: a document of the organisation's library a counsellor sent.

The documents are public (forms, instructions), so no session is asked; withdrawn or unknown
ones are 404. Served as a download, typed from a short list, never sniffed or cached (a shared
computer's cache would tell the next user what the resident was sent).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.events import OutboundDocument

LibraryLookup = Callable[[str], Awaitable[OutboundDocument | None]]
Handler = Callable[[web.Request], Awaitable[web.Response]]

SERVED_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


def library_handler(
    lookup: LibraryLookup | None,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def document(request: web.Request) -> web.Response:
        document_id = request.match_info["id"]
        found = await lookup(document_id) if lookup is not None and len(document_id) <= 64 else None
        if found is None or found.media_type not in SERVED_TYPES:
            return web.json_response(
                {"error": "not_found"}, status=404, headers={"Cache-Control": "no-store"}
            )
        return web.Response(
            body=found.data,
            headers={
                "Content-Type": found.media_type,
                "Content-Disposition": f'attachment; filename="{found.file_name}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "sandbox; default-src 'none'",
                "Referrer-Policy": "no-referrer",
            },
        )

    return document
