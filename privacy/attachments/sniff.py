"""A file's type from its first bytes; the name and the declared type are never trusted."""

from __future__ import annotations

from enum import StrEnum

from .ebml import EBML_MAGIC, doc_type


class Detected(StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    GIF = "image/gif"
    PDF = "application/pdf"
    OGG = "audio/ogg"
    # EBML with the DocType "webm"; other Matroska files are UNKNOWN.
    WEBM = "audio/webm"
    # Recognised so the refusal can say what it was; not (yet) made safe.
    HEIC = "image/heic"
    MP4 = "audio/mp4"
    UNKNOWN = "application/octet-stream"


_HEIC_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1")


def detect(data: bytes) -> Detected:
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return Detected.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected.PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Detected.WEBP
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Detected.GIF
    # PDF readers accept the header anywhere in the first kilobyte; so must the check.
    if b"%PDF-" in data[:1024]:
        return Detected.PDF
    if head.startswith(b"OggS"):
        return Detected.OGG
    if head.startswith(EBML_MAGIC):
        return Detected.WEBM if doc_type(data) == b"webm" else Detected.UNKNOWN
    if head[4:8] == b"ftyp":
        return Detected.HEIC if head[8:12] in _HEIC_BRANDS else Detected.MP4
    return Detected.UNKNOWN
