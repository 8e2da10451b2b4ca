"""What a sanitised attachment is, the limits it is held to and why one is refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from privacy.errors import PrivacyError


class AttachmentKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"
    VOICE = "voice"


class Refusal(StrEnum):
    """Why a file was refused; stable codes that callers map to texts in every language."""

    TOO_LARGE = "too_large"
    UNSUPPORTED = "unsupported"
    UNREADABLE = "unreadable"
    TOO_MANY_PIXELS = "too_many_pixels"
    TOO_MANY_PAGES = "too_many_pages"
    TOO_LONG = "too_long"


class AttachmentRefused(PrivacyError):
    """The file cannot be made safe. The message names the reason code only, never content."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(f"attachment refused: {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what is accepted and produced; the service sets them from its settings."""

    max_bytes: int = 20 * 1024 * 1024
    # Decoding cost and memory grow with pixels, not bytes: a small file can unpack to
    # gigabytes. 50 MP admits every phone camera.
    max_pixels: int = 50_000_000
    # Stored photos are scaled down to this longest side: enough to read a letter.
    max_side: int = 2560
    max_pages: int = 20
    page_dpi: int = 150
    max_voice_seconds: float = 600.0
    jpeg_quality: int = 85


@dataclass(frozen=True, slots=True)
class Sanitised:
    """The rebuilt file. `details` holds sizes only (pixels, pages, seconds), for display."""

    kind: AttachmentKind
    media_type: str
    data: bytes = field(repr=False)
    details: dict[str, float] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.data)
