"""Voice recorded as WebM (Chromium's MediaRecorder) remuxed to Ogg Opus, its metadata left out.

Only the Opus identification header (the track's CodecPrivate, cut to the length RFC 7845
defines) and the audio packets are carried over; the Info (muxing and writing application,
title, date), Tags, Chapters, Attachments, Cues and every other element are not read at all.
The packets go onto Ogg pages behind an empty comment header, with granule positions counted
from each packet's TOC byte (RFC 6716, 48 kHz); the caller then runs the result through the
same Ogg voice path as any other voice message. Exactly one Opus audio track or a refusal:
video, several tracks, another codec, laced, encrypted or compressed blocks are `UNSUPPORTED`,
anything malformed `UNREADABLE`. MediaRecorder writes the Segment and its Clusters with an
unknown size while recording; a Cluster of unknown size ends where an element that cannot be
inside a Cluster begins, a Segment of unknown size at the end of the file. Never copies a
byte of the input to the output but the identification header's fields and the packets.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from . import ebml
from .ebml import Element, Malformed
from .model import AttachmentRefused, Refusal
from .ogg import BEGINNING_OF_STREAM, END_OF_STREAM, page_of, page_of_packets
from .voice import EMPTY_TAGS

SEGMENT = 0x18538067
TRACKS = 0x1654AE6B
TRACK_ENTRY = 0xAE
TRACK_NUMBER = 0xD7
TRACK_TYPE = 0x83
CODEC_ID = 0x86
CODEC_PRIVATE = 0x63A2
CONTENT_ENCODINGS = 0x6D80
VIDEO = 0xE0
CLUSTER = 0x1F43B675
SIMPLE_BLOCK = 0xA3
BLOCK_GROUP = 0xA0
BLOCK = 0xA1
ENCRYPTED_BLOCK = 0xAF
# What may sit inside a Cluster (RFC 9559): anything else closes one of unknown size.
CLUSTER_CHILDREN = frozenset(
    {0xE7, SIMPLE_BLOCK, BLOCK_GROUP, 0xA7, 0xAB, 0x5854, ENCRYPTED_BLOCK, ebml.VOID, ebml.CRC32}
)
AUDIO_TRACK = 2
OPUS = b"A_OPUS"
# The serial number is a fresh constant: nothing of the recording chooses it.
SERIAL = 0x564F4943
# About one second of 20 ms packets a page, as Opus encoders commonly write.
PACKETS_PER_PAGE = 50
OPUS_RATE = 48_000
MAX_PACKET_SAMPLES = 5760  # 120 ms, RFC 6716 section 3.2.5
_FRAME_SAMPLES = (480, 960, 1920, 2880)  # SILK: 10, 20, 40, 60 ms
_HYBRID_SAMPLES = (480, 960)
_CELT_SAMPLES = (120, 240, 480, 960)  # 2.5, 5, 10, 20 ms


def remux_webm_opus(data: bytes, max_seconds: float) -> bytes:
    """The WebM's Opus audio as an Ogg Opus file with an empty comment header.

    Stops reading as soon as the audio runs past `max_seconds` (TOO_LONG): a file of tiny
    packets within the size limit would otherwise cost seconds of work before its refusal.
    """
    try:
        head, packets = _read(data, max_seconds)
    except Malformed:
        raise AttachmentRefused(Refusal.UNREADABLE) from None
    if not packets:
        raise AttachmentRefused(Refusal.UNREADABLE)
    pages = [
        page_of(head, serial=SERIAL, sequence=0, granule=0, flags=BEGINNING_OF_STREAM),
        page_of(EMPTY_TAGS, serial=SERIAL, sequence=1, granule=0),
    ]
    granule = pre_skip(head)
    groups = list(_pages_of(packets))
    for index, group in enumerate(groups):
        granule += sum(samples(packet) for packet in group)
        flags = END_OF_STREAM if index == len(groups) - 1 else 0
        pages.append(
            page_of_packets(group, serial=SERIAL, sequence=len(pages), granule=granule, flags=flags)
        )
    return b"".join(page.encode() for page in pages)


def _pages_of(packets: list[bytes]) -> Iterator[list[bytes]]:
    """Packets grouped for pages: whole packets only, at most 255 lacing values a page."""
    group: list[bytes] = []
    lacing = 0
    for packet in packets:
        needed = len(packet) // 255 + 1
        if group and (lacing + needed > 255 or len(group) == PACKETS_PER_PAGE):
            yield group
            group, lacing = [], 0
        group.append(packet)
        lacing += needed
    if group:
        yield group


def pre_skip(head: bytes) -> int:
    value: int = struct.unpack_from("<H", head, 10)[0]
    return value


def samples(packet: bytes) -> int:
    """Samples at 48 kHz in one Opus packet, from its TOC byte (RFC 6716 section 3.1)."""
    if not packet:
        raise AttachmentRefused(Refusal.UNREADABLE)
    config, code = packet[0] >> 3, packet[0] & 0x03
    if config < 12:
        per_frame = _FRAME_SAMPLES[config % 4]
    elif config < 16:
        per_frame = _HYBRID_SAMPLES[config % 2]
    else:
        per_frame = _CELT_SAMPLES[config % 4]
    if code == 0:
        frames = 1
    elif code in (1, 2):
        frames = 2
    elif len(packet) < 2 or not packet[1] & 0x3F:
        raise AttachmentRefused(Refusal.UNREADABLE)
    else:
        frames = packet[1] & 0x3F
    if per_frame * frames > MAX_PACKET_SAMPLES:
        raise AttachmentRefused(Refusal.UNREADABLE)
    return per_frame * frames


def _read(data: bytes, max_seconds: float) -> tuple[bytes, list[bytes]]:
    """The Opus identification header and the audio packets, in file order."""
    header = ebml.read_element(data, 0, len(data))
    if header.id != ebml.EBML_HEADER or header.unknown_size:
        raise Malformed
    _check_header(data, header)
    segment = ebml.read_element(data, header.end, len(data))
    if segment.id != SEGMENT:
        raise Malformed
    if not segment.unknown_size and segment.end != len(data):
        raise Malformed  # a second segment (chained file) or trailing bytes
    head: bytes | None = None
    track = heard = 0
    packets: list[bytes] = []
    position = segment.start
    while position < segment.end:
        element = ebml.read_element(data, position, segment.end)
        if element.id == TRACKS:
            if head is not None or element.unknown_size:
                raise Malformed
            track, head = _track(data, element)
        elif element.id == CLUSTER:
            if head is None:
                raise Malformed  # audio before its track is described
            element = _cluster_extent(data, element)
            for packet in _frames(data, element, track):
                heard += samples(packet)
                if heard - pre_skip(head) > max_seconds * OPUS_RATE:
                    raise AttachmentRefused(Refusal.TOO_LONG)
                packets.append(packet)
        elif element.unknown_size:
            raise Malformed
        position = element.end
    if head is None:
        raise Malformed
    return head, packets


def _check_header(data: bytes, header: Element) -> None:
    fields = {child.id: child for child in ebml.children(data, header)}
    read_version = fields.get(ebml.EBML_READ_VERSION)
    if read_version is not None and ebml.unsigned(data, read_version) != 1:
        raise Malformed
    doc_type = fields.get(ebml.DOC_TYPE)
    if doc_type is None or data[doc_type.start : doc_type.end].rstrip(b"\0") != b"webm":
        raise AttachmentRefused(Refusal.UNSUPPORTED)
    doc_read = fields.get(ebml.DOC_TYPE_READ_VERSION)
    if doc_read is not None and ebml.unsigned(data, doc_read) > 4:
        raise AttachmentRefused(Refusal.UNSUPPORTED)
    for limit_id, most in ((ebml.EBML_MAX_ID_LENGTH, 4), (ebml.EBML_MAX_SIZE_LENGTH, 8)):
        limit = fields.get(limit_id)
        if limit is not None and ebml.unsigned(data, limit) > most:
            raise AttachmentRefused(Refusal.UNSUPPORTED)


def _track(data: bytes, tracks: Element) -> tuple[int, bytes]:
    """The one track's number and its Opus identification header, checked and cut to size."""
    entries = [child for child in ebml.children(data, tracks) if child.id == TRACK_ENTRY]
    if not entries:
        raise Malformed
    if len(entries) > 1:
        raise AttachmentRefused(Refusal.UNSUPPORTED)
    fields: dict[int, Element] = {}
    for child in ebml.children(data, entries[0]):
        fields.setdefault(child.id, child)
    if VIDEO in fields or CONTENT_ENCODINGS in fields:
        raise AttachmentRefused(Refusal.UNSUPPORTED)
    kind = fields.get(TRACK_TYPE)
    codec = fields.get(CODEC_ID)
    if kind is None or ebml.unsigned(data, kind) != AUDIO_TRACK:
        raise AttachmentRefused(Refusal.UNSUPPORTED)
    if codec is None or data[codec.start : codec.end].rstrip(b"\0") != OPUS:
        raise AttachmentRefused(Refusal.UNSUPPORTED)
    number, private = fields.get(TRACK_NUMBER), fields.get(CODEC_PRIVATE)
    if number is None or private is None:
        raise Malformed
    return ebml.unsigned(data, number), _opus_head(data[private.start : private.end])


def _opus_head(head: bytes) -> bytes:
    """RFC 7845 section 5.1: 19 bytes, or 21 plus a channel map for mapping families 1-255.

    Bytes past that length are cut: a later minor version may define them, and anything a
    recorder put there would otherwise be carried over unexamined.
    """
    if len(head) < 19 or not head.startswith(b"OpusHead") or head[8] >> 4 != 0:
        raise Malformed
    channels, family = head[9], head[18]
    if channels < 1 or (family == 0 and channels > 2):
        raise Malformed
    length = 19 if family == 0 else 21 + channels
    if len(head) < length:
        raise Malformed
    return head[:length]


def _cluster_extent(data: bytes, cluster: Element) -> Element:
    """A cluster of unknown size ends before the first element that cannot be its child."""
    if not cluster.unknown_size:
        return cluster
    position = cluster.start
    while position < cluster.end:
        child = ebml.read_element(data, position, cluster.end)
        if child.id not in CLUSTER_CHILDREN:
            break
        if child.unknown_size:
            raise Malformed
        position = child.end
    return Element(cluster.id, cluster.start, position, False)


def _frames(data: bytes, cluster: Element, track: int) -> Iterator[bytes]:
    for child in ebml.children(data, cluster):
        if child.id == SIMPLE_BLOCK:
            yield _block_frame(data, child, track)
        elif child.id == BLOCK_GROUP:
            blocks = [inner for inner in ebml.children(data, child) if inner.id == BLOCK]
            if len(blocks) != 1:
                raise Malformed
            yield _block_frame(data, blocks[0], track)
        elif child.id == ENCRYPTED_BLOCK:
            raise AttachmentRefused(Refusal.UNSUPPORTED)


def _block_frame(data: bytes, block: Element, track: int) -> bytes:
    """A block's one frame: track number, 16-bit timestamp, flags, then the Opus packet."""
    number, length, _ = ebml.read_vint(data, block.start, keep_marker=False)
    flags_at = block.start + length + 2
    if number != track or flags_at >= block.end:
        raise Malformed
    if data[flags_at] & 0x06:
        raise AttachmentRefused(Refusal.UNSUPPORTED)  # laced: several frames in one block
    packet = data[flags_at + 1 : block.end]
    if len(packet) // 255 + 1 > 255:
        raise Malformed  # longer than any Opus packet (48 frames of 1,275 bytes)
    samples(packet)
    return packet
