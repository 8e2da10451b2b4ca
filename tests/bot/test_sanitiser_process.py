"""The sanitiser's own process: a file that hangs, crashes or floods a decoder costs that
process only; the service answers with a refusal and keeps nothing of it."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator

import pytest

from bot.attachments import prepare
from bot.sanitiser_process import MEMORY_LIMIT_BYTES, SanitiserWorkers
from privacy.attachments import Limits, Sanitised
from tests.support.files import SECRET_NAME, opus_voice, pdf_with_extras, photo_with_gps

LIMITS = Limits()


def hangs(data: bytes, limits: Limits) -> Sanitised:
    while True:  # a decoder stuck in a loop on a crafted file
        time.sleep(1)


def crashes(data: bytes, limits: Limits) -> Sanitised:
    os.abort()  # a decoder's native crash takes its process down


def floods(data: bytes, limits: Limits) -> Sanitised:
    hoard = bytearray(MEMORY_LIMIT_BYTES)  # a decompression bomb unpacking
    raise AssertionError(f"the memory wall did not hold ({len(hoard)} bytes)")


@pytest.fixture
def workers() -> Iterator[SanitiserWorkers]:
    made = SanitiserWorkers(size=1)
    yield made
    made.close()


def process_ids() -> set[int]:
    return {child.pid for child in multiprocessing.active_children() if child.pid is not None}


def test_a_file_that_hangs_its_decoder_is_refused_and_its_worker_replaced(
    workers: SanitiserWorkers,
) -> None:
    assert workers.run(photo_with_gps(), LIMITS, 30)[1] is None  # the worker is up
    [worker] = process_ids()
    assert workers.run(b"x", LIMITS, 0.5, sanitiser=hangs) == (None, "unreadable")
    assert worker not in process_ids()  # killed, not left spinning
    sanitised, refused = workers.run(photo_with_gps(), LIMITS, 30)
    assert refused is None and sanitised is not None  # a new worker took the next file
    assert worker not in process_ids() and len(process_ids()) == 1


def test_a_decoder_that_crashes_refuses_the_file_and_the_next_file_is_made_safe(
    workers: SanitiserWorkers,
) -> None:
    assert workers.run(b"x", LIMITS, 30, sanitiser=crashes) == (None, "unreadable")
    assert workers.run(photo_with_gps(), LIMITS, 30)[1] is None


def test_a_decoder_that_allocates_without_bound_meets_the_memory_wall(
    workers: SanitiserWorkers,
) -> None:
    assert workers.run(b"x", LIMITS, 30, sanitiser=floods) == (None, "too_many_pixels")


def test_closing_stops_the_workers(workers: SanitiserWorkers) -> None:
    workers.run(photo_with_gps(), LIMITS, 30)
    assert process_ids()
    workers.close()
    assert not process_ids()


async def test_a_real_photo_is_rebuilt_in_a_worker_without_its_metadata(
    workers: SanitiserWorkers,
) -> None:
    prepared = await prepare(photo_with_gps(300, 200), LIMITS, workers)
    assert prepared.refused is None and prepared.sanitised is not None
    assert prepared.sanitised.media_type == "image/jpeg"
    assert SECRET_NAME.encode() not in prepared.sanitised.data
    unsupported = await prepare(b"MZ\x90\x00 not a picture", LIMITS, workers)
    assert (unsupported.sanitised, unsupported.refused) == (None, "unsupported")


def test_documents_and_voice_are_rebuilt_within_the_workers_memory_wall(
    workers: SanitiserWorkers,
) -> None:
    document, refused = workers.run(pdf_with_extras(pages=2), LIMITS, 30)
    assert refused is None and document is not None and document.media_type == "application/pdf"
    voice, refused = workers.run(opus_voice(), LIMITS, 30)
    assert refused is None and voice is not None and voice.media_type == "audio/ogg"
    assert SECRET_NAME.encode() not in document.data + voice.data
