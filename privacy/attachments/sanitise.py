"""One entry point: whatever arrives, a safe rebuilt file or a refusal with its reason."""

from __future__ import annotations

from .documents import sanitise_pdf
from .images import sanitise_image
from .model import AttachmentRefused, Limits, Refusal, Sanitised
from .sniff import Detected, detect
from .voice import sanitise_ogg_opus
from .webm import remux_webm_opus

_IMAGES = (Detected.JPEG, Detected.PNG, Detected.WEBP, Detected.GIF)


def sanitise(data: bytes, limits: Limits | None = None) -> Sanitised:
    """The file rebuilt without metadata; AttachmentRefused when that cannot be done.

    The kind comes from the bytes alone. Never returns any byte of the input unexamined.
    """
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise AttachmentRefused(Refusal.TOO_LARGE)
    detected = detect(data)
    if detected in _IMAGES:
        return sanitise_image(data, detected, limits)
    if detected is Detected.PDF:
        return sanitise_pdf(data, limits)
    if detected is Detected.OGG:
        return sanitise_ogg_opus(data, limits)
    if detected is Detected.WEBM:
        # Remuxed first, then held to exactly what an Ogg voice message is held to.
        return sanitise_ogg_opus(remux_webm_opus(data, limits.max_voice_seconds), limits)
    raise AttachmentRefused(Refusal.UNSUPPORTED)
