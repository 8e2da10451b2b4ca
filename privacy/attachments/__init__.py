"""Files from residents made safe to store: checked by content, rebuilt without metadata.

A photo is decoded and encoded again from its pixels alone (no EXIF, GPS, ICC profile,
comments or thumbnails survive), turned upright first so nothing looks wrong without its
orientation tag. A PDF is rendered page by page and rebuilt from those images: no script,
form, attachment, link, hidden layer or metadata of the original can come through, because
nothing of its structure does. A voice message stays audio (Ogg Opus, what Telegram and most
browsers record) with its tags emptied. What cannot be made safe is refused with a reason
code (`Refusal`) the caller turns into a message in the resident's language; the refused
bytes are never kept.

Pure: no I/O, no settings, nothing of the project. PDF rendering parses untrusted input in
native code: callers run `sanitise` in a worker process with a time limit.
"""

from __future__ import annotations

from .model import AttachmentKind, AttachmentRefused, Limits, Refusal, Sanitised
from .sanitise import sanitise
from .sniff import Detected, detect

__all__ = [
    "AttachmentKind",
    "AttachmentRefused",
    "Detected",
    "Limits",
    "Refusal",
    "Sanitised",
    "detect",
    "sanitise",
]
