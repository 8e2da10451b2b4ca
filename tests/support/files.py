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
