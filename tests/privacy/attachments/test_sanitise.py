"""Files rebuilt without metadata, by content; refused with a reason when that cannot be done."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from PIL import ExifTags, Image

from privacy.attachments import (
    AttachmentKind,
    AttachmentRefused,
    Detected,
    Limits,
    Refusal,
    detect,
    sanitise,
)
from privacy.attachments.ogg import Page, read_pages
from privacy.attachments.voice import EMPTY_TAGS
from tests.support.files import (
    SECRET_DEVICE,
    SECRET_NAME,
    opus_voice,
    pdf_with_extras,
    photo_with_gps,
    png_with_text,
)

SECRETS = (SECRET_NAME.encode(), SECRET_DEVICE.encode(), b"Somefone")


def refusal(data: bytes, limits: Limits | None = None) -> Refusal:
    with pytest.raises(AttachmentRefused) as refused:
        sanitise(data, limits)
    assert str(refused.value) == f"attachment refused: {refused.value.reason}"
    return refused.value.reason


def test_a_phone_photo_keeps_its_picture_and_loses_gps_exif_comment_and_profile() -> None:
    original = photo_with_gps(40, 20)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    clean = sanitise(original)

    assert clean.kind is AttachmentKind.PHOTO and clean.media_type == "image/jpeg"
    for secret in SECRETS:
        assert secret not in clean.data
    assert b"Exif" not in clean.data and b"ICC_PROFILE" not in clean.data
    picture = Image.open(io.BytesIO(clean.data))
    assert not picture.getexif() and "icc_profile" not in picture.info
    assert "comment" not in picture.info
    # Orientation 6 was applied to the pixels: 40 x 20 stored, 20 x 40 shown, left half
    # (blue) now on top.
    assert picture.size == (20, 40) and clean.details == {"width": 20, "height": 40}
    red, _green, blue = picture.convert("RGB").getpixel((10, 5))  # type: ignore[misc]
    assert blue > 150 and red < 100


def test_a_png_keeps_its_transparency_and_loses_its_text_chunks() -> None:
    clean = sanitise(png_with_text())
    assert clean.media_type == "image/png"
    for secret in SECRETS:
        assert secret not in clean.data
    assert b"tEXt" not in clean.data and b"iTXt" not in clean.data
    picture = Image.open(io.BytesIO(clean.data))
    assert picture.mode == "RGBA" and picture.getpixel((3, 3)) == (10, 200, 10, 128)


def test_a_large_photo_is_scaled_to_the_longest_side() -> None:
    clean = sanitise(photo_with_gps(400, 100), Limits(max_side=50))
    assert Image.open(io.BytesIO(clean.data)).size == (12, 50)  # upright: 100 x 400


def test_a_picture_of_too_many_pixels_is_refused_before_decoding() -> None:
    out = io.BytesIO()
    Image.new("L", (3000, 3000)).save(out, format="PNG")  # compresses to a few kB
    assert len(out.getvalue()) < 50_000
    assert refusal(out.getvalue(), Limits(max_pixels=1_000_000)) is Refusal.TOO_MANY_PIXELS


def test_a_pdf_is_rebuilt_from_its_pages_without_script_attachment_form_or_author() -> None:
    original = pdf_with_extras(pages=2)
    for present in (b"JavaScript", b"EmbeddedFile", b"AcroForm", SECRET_NAME.encode()):
        assert present in original

    clean = sanitise(original)

    assert clean.kind is AttachmentKind.DOCUMENT and clean.media_type == "application/pdf"
    assert clean.details == {"pages": 2}
    for absent in (
        b"JavaScript",
        b"/JS",
        b"OpenAction",
        b"EmbeddedFile",
        b"AcroForm",
        b"SECRET",
        b"Secret Office",
        SECRET_NAME.encode(),
    ):
        assert absent not in clean.data
    rebuilt = pdfium.PdfDocument(clean.data)
    try:
        assert len(rebuilt) == 2
        metadata = rebuilt.get_metadata_dict()
        dates = {metadata.pop("CreationDate"), metadata.pop("ModDate")}
        assert not any(metadata.values()) and dates == {"D:19700101000000Z"}
        page = rebuilt[0].render(scale=0.5).to_pil().convert("L")
        # "Hello" was drawn in black on white: the page is not blank.
        darkest, lightest = page.getextrema()
        assert darkest < 80 and lightest > 200  # type: ignore[operator]
    finally:
        rebuilt.close()


def test_a_pdf_over_the_page_limit_is_refused() -> None:
    assert refusal(pdf_with_extras(pages=3), Limits(max_pages=2)) is Refusal.TOO_MANY_PAGES


def test_a_voice_message_stays_the_same_audio_with_empty_tags() -> None:
    original = opus_voice(seconds=2.0)
    clean = sanitise(original)
    assert clean.kind is AttachmentKind.VOICE and clean.media_type == "audio/ogg"
    assert clean.details == {"seconds": 2.0}
    for absent in (SECRET_NAME.encode(), b"SecretRecorder", b"LOCATION", b"60.1699"):
        assert absent in original and absent not in clean.data
    pages = read_pages(clean.data)
    assert pages is not None and [p.sequence for p in pages] == list(range(len(pages)))
    assert pages[1].body == EMPTY_TAGS
    # The audio pages (every page after the two header pages) are unchanged.
    assert audio_pages(clean.data) == audio_pages(original)


def test_a_comment_header_over_several_pages_gives_way_to_one_empty_page() -> None:
    cover = "METADATA_BLOCK_PICTURE=" + "A" * 100_000  # a cover picture, base64
    original = opus_voice(seconds=1.0, comments=(f"ARTIST={SECRET_NAME}", cover))
    before = read_pages(original)
    assert before is not None and before[2].flags & 0x01  # the header goes on over a page
    clean = sanitise(original)
    pages = read_pages(clean.data)
    assert pages is not None and pages[1].body == EMPTY_TAGS
    assert SECRET_NAME.encode() not in clean.data and len(clean.data) < 2_000
    assert audio_pages(clean.data) == audio_pages(original)[1:]  # 3 header pages before
    assert clean.details == {"seconds": 1.0}


def test_a_damaged_or_mixed_up_voice_message_is_refused() -> None:
    original = bytearray(opus_voice(seconds=1.0))
    original[-1] ^= 0xFF  # the last page's checksum no longer holds
    assert refusal(bytes(original)) is Refusal.UNREADABLE
    # Audio on the comment header's page: the header pages cannot be replaced alone.
    pages = read_pages(opus_voice(seconds=1.0))
    assert pages is not None
    shared = Page(0, 0, pages[1].serial, 1, pages[1].lacing + b"\x01", pages[1].body + b"\xf8")
    mixed = pages[0].encode() + shared.encode() + b"".join(p.encode() for p in pages[2:])
    assert refusal(mixed) is Refusal.UNREADABLE


def test_a_voice_message_with_a_second_stream_or_over_the_time_limit_is_refused() -> None:
    assert refusal(opus_voice(serials=(1, 2))) is Refusal.UNREADABLE
    assert refusal(opus_voice(seconds=3.0), Limits(max_voice_seconds=2.5)) is Refusal.TOO_LONG


def audio_pages(data: bytes) -> list[tuple[int, int, bytes, bytes]]:
    """Each page after the two header pages, but for its sequence number and checksum."""
    pages = read_pages(data)
    assert pages is not None
    return [(p.flags, p.granule, p.lacing, p.body) for p in pages[2:]]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xff\xd8\xff\xe0 not really a jpeg", Refusal.UNREADABLE),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, Refusal.UNREADABLE),
        (b"%PDF-1.7\nnothing else", Refusal.UNREADABLE),
        (b"OggS" + b"\x00" * 60, Refusal.UNREADABLE),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", Refusal.UNSUPPORTED),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", Refusal.UNSUPPORTED),
        (b"MZ\x90\x00 an executable named photo.jpg", Refusal.UNSUPPORTED),
        (b"", Refusal.UNSUPPORTED),
    ],
)
def test_what_cannot_be_made_safe_is_refused_with_its_reason(data: bytes, reason: Refusal) -> None:
    assert refusal(data) is reason


def test_the_size_limit_comes_before_anything_is_parsed() -> None:
    assert refusal(photo_with_gps(), Limits(max_bytes=100)) is Refusal.TOO_LARGE


@pytest.mark.parametrize(
    ("data", "detected"),
    [
        (photo_with_gps(), Detected.JPEG),
        (png_with_text(), Detected.PNG),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", Detected.WEBP),
        (b"GIF89a", Detected.GIF),
        (b"\n\n%PDF-1.4", Detected.PDF),
        (opus_voice(seconds=0.1), Detected.OGG),
        (b"\x00\x00\x00\x18ftypM4A ", Detected.MP4),
        (b"hello", Detected.UNKNOWN),
    ],
)
def test_the_type_comes_from_the_bytes(data: bytes, detected: Detected) -> None:
    assert detect(data) is detected
