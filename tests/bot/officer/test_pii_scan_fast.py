"""The fast PII scan reports exactly what the exact scan reports, and gives way to it in doubt.

Batches of two conversations, so that a handful of conversations spans several batches and
the process pool is used; each case runs both ways of reading (each worker its own range of
a SQLite file, or this process reading batches, as on PostgreSQL).
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable

import pytest
from sqlmodel import select

from bot.core import unit_of_work
from bot.events import Author
from bot.messages import store_message
from bot.officer import pii_scan as pii_scan_module
from bot.officer import pii_scan_batch, pii_scan_fast
from bot.officer.common import Progress
from bot.officer.pii_scan import ScanReport, count_messages, exact_scan, pii_scan
from bot.sealing import KeyPurpose
from bot.store import audit as audit_store
from bot.store.tables import Conversation
from privacy.errors import IntegrityError
from privacy.redaction import Redactor
from tests.bot.officer.scenario import build, conversation_of, start
from tests.support.chat import Harness
from tests.support.tamper import raw_database

BATCH = 2

# What redaction would have removed had it run (stored with `redact=False`, as if by an older
# redactor), and what it keeps but the strict patterns report.
SLIPPED_THROUGH = (
    "Soita Mikko Virtaselle numeroon 040 765 4321 huomenna",
    "sähköposti maija.meikalainen@example.com ja hetu 131052-308T",
    "Tilinumero FI21 1234 5600 0007 85, kiitos",
)
KEPT_BY_REDACTION = ("asiakasnumero 123456789012", "kiitos @котик12", "ok", "   ")


@pytest.fixture(params=["ranges", "batches"])
def reading(
    request: pytest.FixtureRequest, harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> str:
    monkeypatch.setattr(pii_scan_fast, "BATCH_CONVERSATIONS", BATCH)
    if request.param == "batches":
        monkeypatch.setattr(harness.core.database, "sqlite_path", None)
    elif harness.core.database.sqlite_path is None:
        pytest.skip("reading ranges in the workers is for a SQLite file")
    return str(request.param)


async def store_unredacted(harness: Harness, conversation_id: str, texts: tuple[str, ...]) -> None:
    async with unit_of_work(harness.core) as work:
        conversation = (
            await work.session.execute(
                select(Conversation).where(Conversation.id == conversation_id)
            )
        ).scalar_one()
        for n, text in enumerate(texts):
            author = Author.RESIDENT if n % 2 == 0 else Author.COUNSELLOR
            await store_message(work, conversation, author, text, redact=False)


async def seed(harness: Harness) -> list[str]:
    """Eight conversations with personal data that slipped through, one of them shredded."""
    await build(harness)
    conversations = []
    for n in range(6):
        resident = harness.resident(f"slipped{n}")
        await start(resident)
        await resident.write(f"Olen Aino Laine, soita {n}40 123 456{n}")  # redacted on the way
        conversation = await conversation_of(harness, resident)
        await store_unredacted(harness, conversation, SLIPPED_THROUGH[: n % 3 + 1])
        await store_unredacted(harness, conversation, KEPT_BY_REDACTION)
        conversations.append(conversation)
    async with unit_of_work(harness.core) as work:  # crypto-shredded: unreadable, counted
        purposes = (KeyPurpose.CONVERSATION, KeyPurpose.PII_VAULT)
        await harness.core.keys.destroy(work.session, conversations[2], purposes)
    return conversations


async def both(harness: Harness) -> tuple[ScanReport, ScanReport | None]:
    exact = await exact_scan(harness.core, Redactor())
    fast = await pii_scan_fast.fast_scan(harness.core, Redactor())
    return exact, fast


async def test_the_fast_scan_finds_what_the_exact_scan_finds(
    harness: Harness, reading: str
) -> None:
    conversations = await seed(harness)
    assert len(conversations) + 2 > 3 * BATCH  # several batches: the pool is used
    exact, fast = await both(harness)
    assert fast is not None, "the fast scan gave up on an ordinary database"
    assert fast == exact
    assert fast.as_json() == exact.as_json()
    # Not an empty agreement: the redactor's kinds, the strict ones and the shredded ones.
    for kind in ("phone", "person_name", "email", "hetu", "iban", "strict:long_number"):
        assert exact.counts.get(kind), kind
    assert exact.counts["strict:at_word"] >= 5
    assert exact.unreadable == 2 + 3 + len(KEPT_BY_REDACTION)  # "hei", its request
    assert exact.messages_scanned + exact.unreadable == await count_messages(harness.core)


async def test_the_officer_scan_takes_the_fast_path_and_shows_progress(
    harness: Harness, reading: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(harness)
    exact = await exact_scan(harness.core, Redactor())

    async def no_exact_scan(*_args: object) -> ScanReport:
        raise AssertionError("the exact scan ran")

    monkeypatch.setattr(pii_scan_module, "exact_scan", no_exact_scan)
    stream = io.StringIO()
    progress = Progress("scanning messages", enabled=True, stream=stream)
    total = await count_messages(harness.core)
    progress.start(total)
    assert await pii_scan(harness.core, progress=progress) == exact
    assert progress.done == total
    assert stream.getvalue().endswith(f"scanning messages: {total}/{total}")


async def test_a_failing_fast_scan_falls_back_to_the_exact_one_with_progress_restarted(
    harness: Harness, reading: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(harness)
    expected = await exact_scan(harness.core, Redactor())
    calls = 0
    real = pii_scan_batch.scan_batch

    def fails_on_the_second_batch(*args: object) -> pii_scan_batch.BatchTally:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("a worker lost its database")
        return real(*args)  # type: ignore[arg-type]

    # In this process only: the workers forked before the patch never see it, so the
    # in-process path is forced too.
    monkeypatch.setattr(pii_scan_fast, "scan_batch", fails_on_the_second_batch)
    monkeypatch.setattr(pii_scan_fast, "_pool", lambda *_: None)
    progress = Progress("scanning messages", enabled=False)
    total = await count_messages(harness.core)
    progress.start(total)
    assert await pii_scan(harness.core, progress=progress) == expected
    assert calls >= 2
    assert progress.done == total


async def test_a_worker_process_that_fails_sends_the_scan_to_the_exact_path(
    harness: Harness, reading: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(harness)
    expected = await exact_scan(harness.core, Redactor())

    def fails(*_args: object) -> pii_scan_batch.BatchTally:
        raise pii_scan_batch.Doubt("the worker doubts")

    # Patched before the pool forks: the workers inherit it.
    monkeypatch.setattr(pii_scan_batch, "scan_batch", fails)
    assert await pii_scan_fast.fast_scan(harness.core, Redactor()) is None
    assert await pii_scan(harness.core) == expected


async def test_a_malformed_body_sends_the_scan_to_the_exact_path_which_refuses_it(
    harness: Harness, reading: str
) -> None:
    conversations = await seed(harness)
    async with raw_database(harness.service.settings) as db:
        await db.execute(
            "UPDATE message SET sealed_body = ? WHERE id = "
            "(SELECT id FROM message WHERE conversation_id = ? AND author = 'resident' "
            "ORDER BY created_at LIMIT 1)",
            b"\x00",
            conversations[4],
        )
    assert await pii_scan_fast.fast_scan(harness.core, Redactor()) is None
    with pytest.raises(IntegrityError):
        await exact_scan(harness.core, Redactor())
    with pytest.raises(IntegrityError):  # what the script has always said (exit code 2)
        await pii_scan(harness.core)


async def test_the_audit_record_is_written_before_any_content_is_read(
    harness: Harness, reading: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(harness)
    seen: list[tuple[str, str]] = []
    real: Callable[..., Awaitable[ScanReport | None]] = pii_scan_fast.fast_scan

    async def watched(*args: object, **kwargs: object) -> ScanReport | None:
        async with harness.core.database.session() as session:
            records = [r async for r in audit_store.iterate(session)]
        seen.append((records[-1].actor_id, records[-1].purpose))
        return await real(*args, **kwargs)

    monkeypatch.setattr(pii_scan_module, "fast_scan", watched)
    await pii_scan(harness.core)
    assert seen == [
        ("privacy_officer:cli", "PII scan: re-check of redacted messages (values are not shown)")
    ]
