"""Residents' files fetched from the homeserver's media repository, for the core; and the
organisation's library documents uploaded there, to send.

Only the core calls `fetch`, once the resident has passed the privacy notice; building a
MatrixFile requests nothing. Never reads more than the core's size limit, never keeps the
bytes, and never puts an mxc URI, a key or file content in an exception message or a log.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any
from urllib.parse import quote

from aiohttp import ClientError
from nio import UploadResponse
from nio.api import MATRIX_MEDIA_API_PATH
from nio.crypto.attachments import decrypt_attachment

from adapters.matrix_events import FileKeys, FileRef
from bot.events import FileTooLarge, FileUnavailable, OutboundDocument

DOWNLOAD_SECONDS = 45.0
"""One download, headers to last byte (the core gives up on the whole fetch at 60 s)."""

CHUNK_BYTES = 64 * 1024


class MatrixFile:
    """The file of one m.image, m.file or m.audio event (a PlatformFile), read through the
    adapter's nio client: authenticated media (`/_matrix/client/v1/media/download`), the
    access token in a header, decrypted with the event's key where the room is encrypted."""

    def __init__(self, client: Any, ref: FileRef, *, seconds: float = DOWNLOAD_SECONDS) -> None:
        self._client = client
        self._ref = ref
        self._seconds = seconds

    def __repr__(self) -> str:
        return f"MatrixFile({self._ref!r})"

    async def fetch(self, max_bytes: int) -> bytes:
        ref = self._ref
        if ref.problem is not None:
            raise FileUnavailable(ref.problem)
        # The sender's declared size is checked first: no request for a file that is too big.
        if ref.declared_size is not None and ref.declared_size > max_bytes:
            raise FileTooLarge("declared size over the limit")
        # A declared size may be wrong or missing: the limit holds again while reading.
        data = await self._download(max_bytes)
        if ref.keys is None:
            return data
        return await asyncio.to_thread(_decrypt, data, ref.keys)

    async def _download(self, max_bytes: int) -> bytes:
        """The media's bytes, refused as soon as the answer says or reaches more than
        `max_bytes` (nio's own `download` has no time limit and reads any size whole)."""
        client = self._client
        token = getattr(client, "access_token", None)
        if not token:
            raise FileUnavailable("not_logged_in")
        path = (
            f"{MATRIX_MEDIA_API_PATH}/download/"
            f"{quote(self._ref.server_name, safe='')}/{quote(self._ref.media_id, safe='')}"
        )
        try:
            async with asyncio.timeout(self._seconds):
                response = await client.send(
                    "GET",
                    path,
                    # In a header, not nio's query parameter: it stays out of access logs.
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=self._seconds,
                )
                try:
                    return await _body(response, max_bytes)
                finally:
                    response.release()
        except (ClientError, TimeoutError, OSError) as error:
            # `from None`: aiohttp's own messages name the URL, hence the media.
            raise FileUnavailable(type(error).__name__) from None


async def _body(response: Any, max_bytes: int) -> bytes:
    if response.status != 200:
        raise FileUnavailable(f"http_{int(response.status)}")
    length = response.content_length
    if length is not None and length > max_bytes:
        raise FileTooLarge("announced length over the limit")
    data = bytearray()
    async for chunk in response.content.iter_chunked(CHUNK_BYTES):
        data += chunk
        if len(data) > max_bytes:
            raise FileTooLarge("read over the limit")
    return bytes(data)


def _decrypt(ciphertext: bytes, keys: FileKeys) -> bytes:
    """The plaintext, after checking the ciphertext's SHA-256 against the event's."""
    try:
        return bytes(decrypt_attachment(ciphertext, keys.key, keys.sha256, keys.iv))
    except Exception:
        # EncryptionError (hash, key, IV) and the decoders' errors alike: none names the key.
        raise FileUnavailable("undecryptable") from None


UPLOAD_SECONDS = 60.0
"""One upload of a library document to the media repository."""


class UploadFailed(Exception):
    """The media repository did not take the document; a retry may (the message names no
    content)."""


async def document_content(
    client: Any, room: Any, text: str, document: OutboundDocument
) -> dict[str, Any]:
    """The m.file content of a library document, uploaded to the homeserver first: encrypted
    with a fresh key in an encrypted room (the key rides in the event, itself encrypted), in
    the clear otherwise (the document is public). `text` is the caption."""
    encrypted = bool(getattr(room, "encrypted", False))
    try:
        response, keys = await asyncio.wait_for(
            client.upload(
                io.BytesIO(document.data),
                content_type=document.media_type,
                filename=document.file_name,
                encrypt=encrypted,
                filesize=len(document.data),
            ),
            UPLOAD_SECONDS,
        )
    except (ClientError, TimeoutError):
        raise UploadFailed("network") from None
    if not isinstance(response, UploadResponse):
        raise UploadFailed("refused")
    content: dict[str, Any] = {
        "msgtype": "m.file",
        "body": text,  # with `filename` beside it, the body is the caption (Matrix 1.10)
        "filename": document.file_name,
        "info": {"mimetype": document.media_type, "size": len(document.data)},
    }
    if encrypted and keys is not None:
        content["file"] = {**keys, "url": str(response.content_uri)}
    else:
        content["url"] = str(response.content_uri)
    return content
