"""PDF documents rebuilt from pictures of their pages.

Rendering, not cleaning: a cleaner must know every place a PDF can hide a script, a form, an
attached file, an invisible text layer or metadata, and keeps the rest of the structure. A
page rendered to pixels keeps only what a reader sees. The price: text is no longer
selectable, and the file is larger than a text PDF. PDFium (through pypdfium2) renders: the
engine of Chromium's PDF viewer, built without JavaScript in these wheels, fuzzed
continuously upstream.
"""

from __future__ import annotations

import io
import math
import time

import pypdfium2 as pdfium
from PIL import Image

from .images import pixels_only
from .model import AttachmentKind, AttachmentRefused, Limits, Refusal, Sanitised

_POINTS_PER_INCH = 72
_NO_TIME = time.gmtime(0)


def sanitise_pdf(data: bytes, limits: Limits) -> Sanitised:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        # Also a password-protected PDF: it cannot be rendered without the password.
        raise AttachmentRefused(Refusal.UNREADABLE) from None
    try:
        if len(document) == 0:
            raise AttachmentRefused(Refusal.UNREADABLE)
        if len(document) > limits.max_pages:
            raise AttachmentRefused(Refusal.TOO_MANY_PAGES)
        pages = [_rendered(document[index], limits) for index in range(len(document))]
    except pdfium.PdfiumError:
        raise AttachmentRefused(Refusal.UNREADABLE) from None
    finally:
        document.close()
    out = io.BytesIO()
    pages[0].save(
        out,
        format="PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=float(limits.page_dpi),
        quality=limits.jpeg_quality,
        # The writer would stamp the time of rebuilding; the file gets no time of its own.
        creationDate=_NO_TIME,
        modDate=_NO_TIME,
    )
    return Sanitised(
        AttachmentKind.DOCUMENT, "application/pdf", out.getvalue(), {"pages": len(pages)}
    )


def _rendered(page: pdfium.PdfPage, limits: Limits) -> Image.Image:
    try:
        width, height = page.get_size()
        if width <= 0 or height <= 0:
            raise AttachmentRefused(Refusal.UNREADABLE)
        scale = limits.page_dpi / _POINTS_PER_INCH
        # A page can claim any size; its picture stays within the pixel budget.
        scale = min(scale, math.sqrt(limits.max_pixels / (width * height)))
        bitmap = page.render(scale=scale, may_draw_forms=False)
        picture = bitmap.to_pil().convert("RGB")
    finally:
        page.close()
    return pixels_only(picture, max_side=max(picture.size))
