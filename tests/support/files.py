"""Test files carrying metadata, made here byte by byte (no sample files from elsewhere)."""

from __future__ import annotations

import io
import struct

from PIL import ExifTags, Image

SECRET_NAME = "Matti Virtanen"
SECRET_DEVICE = "Kamerapuhelin X9"


def photo_with_gps(width: int = 40, height: int = 20) -> bytes:
    """A JPEG with the metadata a phone writes: maker, model, owner, GPS position, rotation
    (6: shown turned 90 degrees clockwise), a comment and an ICC profile."""
    picture = Image.new("RGB", (width, height), (200, 30, 30))
    picture.paste((30, 30, 200), (0, 0, width // 2, height))  # left half blue
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Somefone"
    exif[ExifTags.Base.Model] = SECRET_DEVICE
    exif[ExifTags.Base.Artist] = SECRET_NAME
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (60.0, 10.0, 11.64)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (24.0, 56.0, 18.24)
    out = io.BytesIO()
    picture.save(
        out,
        format="JPEG",
        exif=exif,
        comment=f"owner {SECRET_NAME}".encode(),
        icc_profile=b"fake profile of " + SECRET_DEVICE.encode(),
    )
    return out.getvalue()


def png_with_text(width: int = 30, height: int = 30) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", SECRET_NAME)
    info.add_itxt("Description", f"kuvattu {SECRET_DEVICE}")
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 200, 10, 128)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def pdf_with_extras(pages: int = 2) -> bytes:
    """A PDF with an author, a script run on opening, an attached file and a form field,
    each page saying "Hello" in big letters."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    content = b"BT /F1 48 Tf 72 700 Td (Hello) Tj ET"
    stream = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    pages_id = len(objects) + 1 + pages  # page objects come next, then the page tree
    kids = [
        add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (pages_id, font, stream)
        )
        for _ in range(pages)
    ]
    assert (
        add(
            b"<< /Type /Pages /Count %d /Kids [%s] >>"
            % (pages, b" ".join(b"%d 0 R" % kid for kid in kids))
        )
        == pages_id
    )
    script = add(b"<< /S /JavaScript /JS (app.alert\\('tracked'\\)) >>")
    secret = b"SECRET-EMBEDDED " + SECRET_NAME.encode()
    embedded = add(
        b"<< /Type /EmbeddedFile /Length %d >>\nstream\n%s\nendstream" % (len(secret), secret)
    )
    filespec = add(b"<< /Type /Filespec /F (notes.txt) /EF << /F %d 0 R >> >>" % embedded)
    field = add(b"<< /FT /Tx /T (hetu) /V (SECRET-FIELD) >>")
    catalog = add(
        b"<< /Type /Catalog /Pages %d 0 R /OpenAction %d 0 R "
        b"/Names << /EmbeddedFiles << /Names [(notes.txt) %d 0 R] >> >> "
        b"/AcroForm << /Fields [%d 0 R] >> >>" % (pages_id, script, filespec, field)
    )
    info = add(b"<< /Author (%s) /Creator (Secret Office 1.0) >>" % SECRET_NAME.encode())
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, catalog, info, xref)
    )
    return out.getvalue()


# ---- Ogg Opus ---------------------------------------------------------------------------


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def ogg_pages(packet: bytes, *, serial: int, sequence: int, granule: int, flags: int) -> bytes:
    """A packet on as many pages as it needs (255 segments of 255 bytes a page): the pages
    before the last continue on the next one and carry no granule position."""
    lacing = [255] * (len(packet) // 255) + [len(packet) % 255]
    out, offset = b"", 0
    for first in range(0, len(lacing), 255):
        part = lacing[first : first + 255]
        last = first + 255 >= len(lacing)
        page_flags = (flags if first == 0 else 0x01) | (flags & 0x04 if last else 0)
        body = packet[offset : offset + sum(part)]
        offset += len(body)
        header = struct.pack(
            "<4sBBqIIIB",
            b"OggS",
            0,
            page_flags,
            granule if last else -1,
            serial,
            sequence,
            0,
            len(part),
        ) + bytes(part)
        page = header + body
        out += page[:22] + struct.pack("<I", _ogg_crc(page)) + page[26:]
        sequence += 1
    return out


def opus_voice(
    seconds: float = 2.0,
    *,
    vendor: str = "SecretRecorder 1.0",
    comments: tuple[str, ...] = (f"ARTIST={SECRET_NAME}", "LOCATION=60.1699,24.9384"),
    serials: tuple[int, ...] = (0x1234,),
) -> bytes:
    """An Ogg Opus file of silent 20 ms packets (a TOC byte each: valid, nothing decoded),
    with the given tags; several serials make a multiplexed file."""
    pre_skip = 312
    out = b""
    for serial in serials:
        head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, pre_skip, 48000, 0, 0)
        vendor_bytes = vendor.encode()
        tags = b"OpusTags" + struct.pack("<I", len(vendor_bytes)) + vendor_bytes
        tags += struct.pack("<I", len(comments))
        for comment in comments:
            encoded = comment.encode()
            tags += struct.pack("<I", len(encoded)) + encoded
        out += ogg_pages(head, serial=serial, sequence=0, granule=0, flags=0x02)
        out += ogg_pages(tags, serial=serial, sequence=1, granule=0, flags=0)
        sequence = 1 + (len(tags) // 255 + 1 + 254) // 255  # after the head and tags pages
        packets = max(1, int(seconds / 0.02))
        for index in range(packets):
            last = index == packets - 1
            out += ogg_pages(
                b"\xf8",  # CELT fullband 20 ms, one frame of no data
                serial=serial,
                sequence=sequence + index,
                granule=pre_skip + 960 * (index + 1),
                flags=0x04 if last else 0,
            )
    return out


# ---- WebM (Matroska) Opus, as MediaRecorder writes it ------------------------------------

UNKNOWN_SIZE = b"\x01\xff\xff\xff\xff\xff\xff\xff"


def ebml_size(size: int) -> bytes:
    """A size as an 8-byte EBML integer: simple, and what MediaRecorder writes."""
    return bytes([0x01]) + size.to_bytes(7, "big")


def ebml(element_id: int, *parts: bytes, unknown_size: bool = False) -> bytes:
    body = b"".join(parts)
    raw_id = element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")
    return raw_id + (UNKNOWN_SIZE if unknown_size else ebml_size(len(body))) + body


def ebml_uint(element_id: int, value: int) -> bytes:
    return ebml(element_id, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def opus_head(channels: int = 1, pre_skip: int = 312) -> bytes:
    return b"OpusHead" + struct.pack("<BBHIhB", 1, channels, pre_skip, 48000, 0, 0)


def webm_track(
    number: int = 1, *, codec: bytes = b"A_OPUS", kind: int = 2, private: bytes | None = None
) -> bytes:
    """A TrackEntry: audio (kind 2) or video (kind 1), with a name that must not survive."""
    return ebml(
        0xAE,
        ebml_uint(0xD7, number),
        ebml_uint(0x73C5, 0x5EC12E7 + number),
        ebml_uint(0x83, kind),
        ebml(0x86, codec),
        ebml(0x536E, f"puhelu {SECRET_NAME}".encode()),
        ebml(0x63A2, opus_head() if private is None else private),
        ebml(0xE1, ebml(0xB5, struct.pack(">f", 48000.0)), ebml_uint(0x9F, 1)),
    )


def webm_opus_voice(
    seconds: float = 2.0,
    *,
    unknown_size: bool = True,
    tracks: tuple[bytes, ...] | None = None,
    packet: bytes = b"\xfb\x03\xff\xfe\xff\xfe\xff\xfe",
    packet_ms: int = 60,
    block_groups: bool = False,
    doc_type: bytes = b"webm",
    cluster_ms: int = 1000,
) -> bytes:
    """A WebM voice recording as Chromium's MediaRecorder writes it: Segment and Clusters of
    unknown size (by default), writing application and title in Info, a Tags element and an
    Attachments element naming the resident, one Opus track, 60 ms packets (TOC code 3, three
    CELT 20 ms frames) in SimpleBlocks, or BlockGroups when `block_groups`, Cues at the end."""
    header = ebml(
        0x1A45DFA3,
        ebml_uint(0x4286, 1),
        ebml_uint(0x42F7, 1),
        ebml_uint(0x42F2, 4),
        ebml_uint(0x42F3, 8),
        ebml(0x4282, doc_type),
        ebml_uint(0x4287, 4),
        ebml_uint(0x4285, 2),
    )
    info = ebml(
        0x1549A966,
        ebml_uint(0x2AD7B1, 1_000_000),
        ebml(0x4D80, b"SecretRecorder 1.0"),
        ebml(0x5741, b"SecretRecorder 1.0"),
        ebml(0x7BA9, f"aanitys {SECRET_NAME}".encode()),
    )
    track_entries = tracks if tracks is not None else (webm_track(),)
    tags = ebml(
        0x1254C367,
        ebml(0x7373, ebml(0x67C8, ebml(0x45A3, b"LOCATION"), ebml(0x4487, b"60.1699,24.9384"))),
    )
    attachments = ebml(
        0x1941A469,
        ebml(0x61A7, ebml(0x466E, b"cover.jpg"), ebml(0x465C, SECRET_DEVICE.encode())),
    )
    clusters = b""
    count = max(1, round(seconds * 1000 / packet_ms))
    per_cluster = max(1, cluster_ms // packet_ms)
    for first in range(0, count, per_cluster):
        blocks = b""
        for index in range(first, min(count, first + per_cluster)):
            relative = (index - first) * packet_ms
            body = b"\x81" + struct.pack(">h", relative)
            if block_groups:
                blocks += ebml(0xA0, ebml(0xA1, body + b"\x00" + packet), ebml_uint(0x9B, 60))
            else:
                blocks += ebml(0xA3, body + b"\x80" + packet)
        clusters += ebml(
            0x1F43B675, ebml_uint(0xE7, first * packet_ms), blocks, unknown_size=unknown_size
        )
    segment = ebml(
        0x18538067,
        ebml(0xEC, bytes(20)),  # Void, where a SeekHead would be filled in later
        info,
        ebml(0x1654AE6B, *track_entries),
        tags,
        attachments,
        clusters,
        # Cues after the audio: a Cluster of unknown size ends where they begin.
        ebml(0x1C53BB6B, ebml(0xBB, ebml_uint(0xB3, 0), ebml(0xB7, ebml_uint(0xF7, 1)))),
        unknown_size=unknown_size,
    )
    return header + segment
