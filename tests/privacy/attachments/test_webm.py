"""Voice recorded as WebM (Chromium's MediaRecorder) becomes Ogg Opus with nothing but audio."""

from __future__ import annotations

import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privacy.attachments import (
    AttachmentKind,
    AttachmentRefused,
    Detected,
    Limits,
    Refusal,
    detect,
    sanitise,
)
from privacy.attachments.ogg import BEGINNING_OF_STREAM, END_OF_STREAM, read_pages
from privacy.attachments.voice import EMPTY_TAGS
from privacy.attachments.webm import samples
from tests.support.files import (
    SECRET_DEVICE,
    SECRET_NAME,
    ebml,
    ebml_uint,
    opus_head,
    webm_opus_voice,
    webm_track,
)

SECRETS = (SECRET_NAME.encode(), SECRET_DEVICE.encode(), b"SecretRecorder", b"60.1699")
CHROMIUM_PACKET = b"\xfb\x03\xff\xfe\xff\xfe\xff\xfe"  # CELT 20 ms, code 3, three frames


def refusal(data: bytes, limits: Limits | None = None) -> Refusal:
    with pytest.raises(AttachmentRefused) as refused:
        sanitise(data, limits)
    return refused.value.reason


@pytest.mark.parametrize(
    "shape",
    [
        {"unknown_size": True},
        {"unknown_size": False},
        {"block_groups": True},
        {"block_groups": True, "unknown_size": False},
    ],
    ids=["recording", "finished", "block-groups", "finished-block-groups"],
)
def test_a_webm_recording_becomes_ogg_opus_with_the_same_packets_and_no_metadata(
    shape: dict[str, bool],
) -> None:
    original = webm_opus_voice(seconds=2.4, **shape)
    assert all(secret in original for secret in SECRETS)
    clean = sanitise(original)
    assert clean.kind is AttachmentKind.VOICE and clean.media_type == "audio/ogg"
    assert not any(secret in clean.data for secret in SECRETS)
    pages = read_pages(clean.data)
    assert pages is not None and len({page.serial for page in pages}) == 1
    assert [page.sequence for page in pages] == list(range(len(pages)))
    assert pages[0].flags == BEGINNING_OF_STREAM and pages[0].body == opus_head()
    assert pages[1].body == EMPTY_TAGS
    assert pages[-1].flags & END_OF_STREAM and not any(p.flags & END_OF_STREAM for p in pages[:-1])
    packets = [packet for page in pages[2:] for packet in page.packets()]
    assert packets == [CHROMIUM_PACKET] * 40  # 2.4 s of 60 ms packets, unchanged
    # Each page's granule: pre-skip plus every sample of the packets completed so far.
    done = 0
    for page in pages[2:]:
        done += len(page.packets())
        assert page.granule == 312 + 2880 * done
    assert clean.details == {"seconds": round((40 * 2880 - 312) / 48000, 1)}


def test_many_packets_fill_pages_of_about_a_second() -> None:
    clean = sanitise(webm_opus_voice(seconds=10.0, packet=b"\xfc\x01", packet_ms=20))
    pages = read_pages(clean.data)
    assert pages is not None
    assert [len(page.packets()) for page in pages[2:]] == [50] * 10
    assert pages[-1].granule == 312 + 500 * 960
    assert clean.details == {"seconds": 10.0}


def test_extra_bytes_after_the_opus_head_are_cut_off() -> None:
    private = opus_head() + SECRET_NAME.encode()
    clean = sanitise(webm_opus_voice(tracks=(webm_track(private=private),)))
    pages = read_pages(clean.data)
    assert pages is not None and pages[0].body == opus_head()
    assert SECRET_NAME.encode() not in clean.data


@pytest.mark.parametrize(
    ("toc", "expected"),
    [
        (b"\x00", 480),  # SILK narrowband 10 ms, one frame
        (b"\x18", 2880),  # SILK 60 ms
        (b"\x61", 2 * 480),  # hybrid 10 ms, two frames (code 1)
        (b"\x7a", 2 * 960),  # hybrid 20 ms, two frames of different sizes (code 2)
        (b"\x80", 120),  # CELT 2.5 ms
        (b"\xfb\x03", 3 * 960),  # CELT 20 ms, code 3 with three frames
        (b"\x83\x30", 48 * 120),  # CELT 2.5 ms, 48 frames: the 120 ms most a packet holds
    ],
)
def test_a_packets_length_in_samples_comes_from_its_toc(toc: bytes, expected: int) -> None:
    assert samples(toc + b"\x00" * 4) == expected


@pytest.mark.parametrize(
    "packet",
    [b"", b"\xfb", b"\xfb\x00", b"\xfb\x07"],  # empty; code 3 without count; 0 or 140 ms
    ids=["empty", "no-count", "no-frames", "too-long"],
)
def test_a_packet_no_decoder_would_accept_is_unreadable(packet: bytes) -> None:
    assert refusal(webm_opus_voice(packet=packet)) is Refusal.UNREADABLE


@pytest.mark.parametrize(
    "tracks",
    [
        (webm_track(kind=1, codec=b"V_VP8"),),
        (webm_track(1), webm_track(2)),
        (webm_track(codec=b"A_VORBIS"),),
        (webm_track(1) + webm_track(kind=1, codec=b"V_VP9"),),
    ],
    ids=["video", "two-audio-tracks", "vorbis", "audio-and-video"],
)
def test_anything_but_one_opus_audio_track_is_unsupported(tracks: tuple[bytes, ...]) -> None:
    assert refusal(webm_opus_voice(tracks=tracks)) is Refusal.UNSUPPORTED


def test_encrypted_or_compressed_tracks_and_laced_blocks_are_unsupported() -> None:
    entry = ebml(
        0xAE,
        ebml_uint(0xD7, 1),
        ebml_uint(0x83, 2),
        ebml(0x86, b"A_OPUS"),
        ebml(0x63A2, opus_head()),
        ebml(0x6D80, ebml(0x6240, ebml_uint(0x5034, 1))),
    )
    assert refusal(webm_opus_voice(tracks=(entry,))) is Refusal.UNSUPPORTED
    laced = webm_opus_voice().replace(b"\x80" + CHROMIUM_PACKET, b"\x82" + CHROMIUM_PACKET)
    assert refusal(laced) is Refusal.UNSUPPORTED


def test_matroska_that_is_not_webm_is_not_taken_for_it() -> None:
    matroska = webm_opus_voice(doc_type=b"matroska")
    assert detect(matroska) is Detected.UNKNOWN
    assert refusal(matroska) is Refusal.UNSUPPORTED
    assert detect(webm_opus_voice()) is Detected.WEBM


def test_a_damaged_recording_is_unreadable() -> None:
    whole = webm_opus_voice()
    known = webm_opus_voice(unknown_size=False)
    block = b"\xa3\x01\x00\x00\x00\x00\x00\x00\x0c"  # a SimpleBlock of 12 bytes
    assert block in whole
    no_private = ebml(0xAE, ebml_uint(0xD7, 1), ebml_uint(0x83, 2), ebml(0x86, b"A_OPUS"))
    stereo_family_zero = opus_head(channels=3)
    for damaged in (
        known[:-7],  # cut short: the segment's size runs past the end
        known + b"\x00" * 3,  # trailing bytes after a finished segment
        whole.replace(block, block[:8] + b"\x03", 1),  # a block too short for its header
        whole.replace(b"\x81\x00\x00\x80", b"\x82\x00\x00\x80"),  # blocks of another track
        webm_opus_voice(tracks=(no_private,)),  # no Opus header
        webm_opus_voice(tracks=(webm_track(private=b"OpusHead"),)),  # a header cut short
        webm_opus_voice(tracks=(webm_track(private=stereo_family_zero),)),
        webm_opus_voice(tracks=()),  # no track at all
        webm_opus_voice(seconds=0.0)[: whole.index(b"\x1f\x43\xb6\x75")],  # no audio
    ):
        assert refusal(damaged) is Refusal.UNREADABLE


def test_a_recording_over_the_voice_length_limit_is_too_long() -> None:
    assert refusal(webm_opus_voice(seconds=3.0), Limits(max_voice_seconds=2.5)) is Refusal.TOO_LONG
    assert sanitise(webm_opus_voice(seconds=2.0), Limits(max_voice_seconds=2.5)).kind == "voice"
    # Reading stops once the limit is passed: damage further on is never even reached.
    damaged_after = webm_opus_voice(seconds=3.0) + b"\x00"
    assert refusal(damaged_after) is Refusal.UNREADABLE
    assert refusal(damaged_after, Limits(max_voice_seconds=2.5)) is Refusal.TOO_LONG


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_after_the_ebml_magic_are_refused_never_crash(tail: bytes) -> None:
    try:
        sanitise(b"\x1a\x45\xdf\xa3" + tail)
    except AttachmentRefused:
        pass


VALID = webm_opus_voice(seconds=0.5, cluster_ms=200)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), min_size=1, max_size=4
    ),
    st.integers(0, len(VALID)),
)
def test_a_mutated_recording_is_made_safe_or_refused_never_crashes(
    changes: list[tuple[int, int]], keep: int
) -> None:
    mutated = bytearray(VALID)
    for at, value in changes:
        mutated[at] = value
    try:
        clean = sanitise(bytes(mutated[: max(keep, 40)]))
    except AttachmentRefused:
        return
    assert read_pages(clean.data) is not None
    assert not any(secret in clean.data for secret in SECRETS)


def test_the_packet_length_limit_matches_the_largest_opus_packet() -> None:
    # 48 frames of 1,275 bytes: the largest packet RFC 6716 allows fits on one Ogg page.
    largest = b"\x83" + bytes([0x80 | 48]) + struct.pack("B", 0) * (48 * 1275)
    clean = sanitise(webm_opus_voice(seconds=0.12, packet=largest, packet_ms=120))
    pages = read_pages(clean.data)
    assert pages is not None and pages[2].packets() == [largest]
