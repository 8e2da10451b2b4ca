"""Photos and pictures rebuilt from their pixels alone."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from .model import AttachmentKind, AttachmentRefused, Limits, Refusal, Sanitised
from .sniff import Detected

_PILLOW_FORMAT = {
    Detected.JPEG: "JPEG",
    Detected.PNG: "PNG",
    Detected.WEBP: "WEBP",
    Detected.GIF: "GIF",
}
# Pillow raises these, and more than its documentation lists, on damaged or hostile files.
_DECODE_ERRORS = (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError)


def sanitise_image(data: bytes, detected: Detected, limits: Limits) -> Sanitised:
    picture = decode_upright(data, _PILLOW_FORMAT[detected], limits)
    # Lossless sources (screenshots, scans of forms) stay lossless; photos become JPEG.
    if detected in (Detected.PNG, Detected.GIF) or picture.mode in ("RGBA", "LA"):
        return _encoded(picture, "PNG", limits)
    return _encoded(picture, "JPEG", limits)


def decode_upright(data: bytes, pillow_format: str, limits: Limits) -> Image.Image:
    """The first frame's pixels, turned upright, scaled to the longest side, and nothing else."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as opened:
                # The header is read; the pixels are not yet: refuse before decoding them.
                if opened.width * opened.height > limits.max_pixels:
                    raise AttachmentRefused(Refusal.TOO_MANY_PIXELS)
                opened.seek(0)
                upright = ImageOps.exif_transpose(opened)
                upright.load()
    except AttachmentRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise AttachmentRefused(Refusal.TOO_MANY_PIXELS) from None
    except _DECODE_ERRORS:
        raise AttachmentRefused(Refusal.UNREADABLE) from None
    return pixels_only(upright, limits.max_side)


def pixels_only(picture: Image.Image, max_side: int) -> Image.Image:
    """A new image made of the pixel values alone: no info dictionary, profile or palette
    metadata carries over, whatever the decoder attached."""
    if picture.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = "A" in picture.mode or "transparency" in picture.info
        picture = picture.convert("RGBA" if has_alpha else "RGB")
    if max(picture.size) > max_side:
        picture = picture.copy()
        picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return Image.frombytes(picture.mode, picture.size, picture.tobytes())


def _encoded(picture: Image.Image, pillow_format: str, limits: Limits) -> Sanitised:
    out = io.BytesIO()
    if pillow_format == "JPEG":
        if picture.mode != "RGB" and picture.mode != "L":
            picture = picture.convert("RGB")
        picture.save(out, format="JPEG", quality=limits.jpeg_quality, optimize=True)
        media_type = "image/jpeg"
    else:
        picture.save(out, format="PNG", optimize=True)
        media_type = "image/png"
    return Sanitised(
        AttachmentKind.PHOTO,
        media_type,
        out.getvalue(),
        {"width": picture.width, "height": picture.height},
    )
