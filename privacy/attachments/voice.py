"""Voice messages kept as audio, their tags emptied.

Ogg Opus (RFC 7845) is what Telegram's voice messages and Firefox's recorder produce. Its
only free text is the comment header, the stream's second packet (an encoder "vendor"
string and any comments: artist, place, date, a cover picture), which RFC 7845 puts on pages
of its own. Those pages are replaced by one page holding an empty comment header and the
audio pages are renumbered; no audio byte changes. A file that is not exactly one clean Opus
stream (a chained or multiplexed Ogg, where a second stream could carry anything, a bad
checksum, a header out of place) is refused rather than half cleaned.
"""

from __future__ import annotations

import struct

from .model import AttachmentKind, AttachmentRefused, Limits, Refusal, Sanitised
from .ogg import BEGINNING_OF_STREAM, Page, page_of, read_pages

_OPUS_RATE = 48_000
EMPTY_TAGS = b"OpusTags" + struct.pack("<II", 0, 0)


def sanitise_ogg_opus(data: bytes, limits: Limits) -> Sanitised:
    pages = read_pages(data)
    if pages is None or len(pages) < 3 or len({page.serial for page in pages}) != 1:
        raise AttachmentRefused(Refusal.UNREADABLE)
    pre_skip = _pre_skip(pages[0])
    tags_end = _comment_pages_end(pages)
    audio = pages[tags_end:]
    granules = [page.granule for page in audio if page.granule >= 0]
    if not audio or not granules:
        raise AttachmentRefused(Refusal.UNREADABLE)
    seconds = max(0, max(granules) - pre_skip) / _OPUS_RATE
    if seconds > limits.max_voice_seconds:
        raise AttachmentRefused(Refusal.TOO_LONG)
    tags = page_of(EMPTY_TAGS, serial=pages[0].serial, sequence=1, granule=0)
    rebuilt = [pages[0], tags] + [page.renumbered(2 + n) for n, page in enumerate(audio)]
    return Sanitised(
        AttachmentKind.VOICE,
        "audio/ogg",
        b"".join(page.encode() for page in rebuilt),
        {"seconds": round(seconds, 1)},
    )


def _pre_skip(first: Page) -> int:
    """The identification header, alone on the first page: checked, its pre-skip returned."""
    packets = first.packets()
    if not first.flags & BEGINNING_OF_STREAM or len(packets) != 1 or not first.ends_packet:
        raise AttachmentRefused(Refusal.UNREADABLE)
    head = packets[0]
    if len(head) < 19 or not head.startswith(b"OpusHead") or head[8] >> 4 != 0 or head[9] < 1:
        raise AttachmentRefused(Refusal.UNREADABLE)
    pre_skip: int = struct.unpack_from("<H", head, 10)[0]
    return pre_skip


def _comment_pages_end(pages: list[Page]) -> int:
    """The index of the first audio page: the comment header fills the pages before it."""
    if not pages[1].body.startswith(b"OpusTags"):
        raise AttachmentRefused(Refusal.UNREADABLE)
    for index in range(1, len(pages)):
        lacing = pages[index].lacing
        closing = [at for at, value in enumerate(lacing) if value < 255]
        if not closing:
            continue  # the header goes on over the next page
        if closing != [len(lacing) - 1] or pages[index].granule not in (0, -1):
            raise AttachmentRefused(Refusal.UNREADABLE)  # audio shares the header's page
        return index + 1
    raise AttachmentRefused(Refusal.UNREADABLE)
