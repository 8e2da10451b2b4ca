"""Verifying the audit trail from the console holds nothing else back (issue 23).

The verification runs as one background job per service instance: worker processes read
and hash their own ranges of the trail, the event loop only awaits; a second request joins
the running job, and its progress can be asked meanwhile. Its verdicts stay exactly those of
`verify_chain`. Holding the workers mid-trail is done with a file gate, never with timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.config import Settings
from bot.console import audit_view
from bot.console.audit_job import VERIFICATION
from bot.core import SYSTEM, unit_of_work
from bot.officer import audit_verify
from bot.store import audit as audit_store
from privacy.audit import AuditAction, read_checkpoint, verify_chain
from tests.bot.console.helpers import login
from tests.support.audit_gate import gated_read
from tests.support.chat import Harness
from tests.support.tamper import RawDatabase, raw_database

Client = TestClient[object, object]
BATCH = 5
RECORDS = 40
DEADLINE_S = 60.0


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # Many batches for a short trail: the process pool is used and tampering spans batches.
    monkeypatch.setattr(audit_verify, "BATCH", BATCH)


async def fill(harness: Harness) -> None:
    await harness.staff("olli", role="privacy_officer", queues=())
    async with unit_of_work(harness.core) as work:
        for n in range(RECORDS):
            await work.audit(
                SYSTEM, AuditAction.RETENTION, object_type="test", object_id=f'{n} "ä" \\'
            )


async def exact_status(harness: Harness) -> dict[str, Any]:
    """What the console answered before issue 23: `verify_chain` over every record."""
    core = harness.core
    checkpoint = None
    if core.checkpoint_path is not None and core.checkpoint_path.exists():
        checkpoint = read_checkpoint(core.checkpoint_path, core.keyring.audit_key)
    records = await audit_store.read_all(core.database)
    result = verify_chain(core.keyring.audit_key, records, checkpoint)
    return result.as_json()


async def get_json(client: Client, path: str) -> Any:
    response = await client.get(path)
    assert response.status == 200, await response.text()
    return await response.json()


async def progress_until(
    client: Client, reached: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + DEADLINE_S
    while True:
        progress = await get_json(client, "/api/audit/verify/progress")
        if reached(progress):
            return dict(progress)
        assert asyncio.get_running_loop().time() < deadline, progress
        await asyncio.sleep(0.01)


async def edit(db: RawDatabase) -> None:
    await db.execute("UPDATE audit_record SET purpose = 'nothing to see' WHERE seq = ?", 17)


async def delete(db: RawDatabase) -> None:
    await db.execute("DELETE FROM audit_record WHERE seq = ?", 16)


async def reorder(db: RawDatabase) -> None:
    await db.execute("UPDATE audit_record SET seq = -1 WHERE seq = ?", 15)
    await db.execute("UPDATE audit_record SET seq = ? WHERE seq = ?", 15, 16)
    await db.execute("UPDATE audit_record SET seq = ? WHERE seq = -1", 16)


async def untouched(db: RawDatabase) -> None:
    """Leaves the trail intact."""


@pytest.mark.parametrize("tamper", [untouched, edit, delete, reorder])
async def test_the_console_gives_exactly_the_verdict_of_verify_chain(
    harness: Harness,
    client: Client,
    settings: Settings,
    tamper: Callable[[RawDatabase], Awaitable[None]],
) -> None:
    await fill(harness)
    async with raw_database(settings) as db:
        await tamper(db)
    await login(client, "olli")
    expected = await exact_status(harness)
    assert expected["ok"] is (tamper is untouched)
    assert await get_json(client, "/api/audit/verify") == expected
    text = await audit_page_with_verdict(client)
    assert ('class="ok"' in text) is expected["ok"]


async def audit_page_with_verdict(client: Client) -> str:
    """The audit page once it shows a verdict: on a busy machine a verification can outlast
    the page's short wait, and the page then shows its progress instead (by design)."""
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        page = await client.get("/console/audit")
        assert page.status == 200
        text = await page.text()
        if "data-verifying" not in text:
            return text
        assert asyncio.get_running_loop().time() < deadline, "the verification never finished"
        while (await get_json(client, "/api/audit/verify/progress"))["running"]:
            assert asyncio.get_running_loop().time() < deadline, "the verification never ended"
            await asyncio.sleep(0.05)


async def test_a_long_verification_streams_progress_and_holds_nothing_back(
    harness: Harness, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fill(harness)
    read = audit_verify.range_reader(harness.core.database)
    if read is None:
        pytest.skip("workers read their own ranges from a SQLite file or PostgreSQL")
    gate = tmp_path / "open"
    # The first batch passes, every later one waits in its worker for the gate.
    monkeypatch.setattr(
        audit_verify, "range_reader", lambda database: partial(gated_read, gate, BATCH, read)
    )
    await login(client, "olli")
    idle = await get_json(client, "/api/audit/verify/progress")
    assert idle == {"running": False, "done": 0, "total": None}

    first = asyncio.ensure_future(get_json(client, "/api/audit/verify"))
    held = await progress_until(client, lambda p: p["done"] >= BATCH)
    total = await audit_store.count(harness.core.database)
    assert held == {"running": True, "done": BATCH, "total": total}
    # Served while the verification is held mid-trail: the event loop is free.
    assert (await client.get("/healthz")).status == 200
    assert (await get_json(client, "/api/audit?limit=1"))[0]["seq"] == total
    verification = client.app[VERIFICATION]
    second = asyncio.ensure_future(get_json(client, "/api/audit/verify"))
    await progress_until(client, lambda p: verification.joined == 1)
    assert not first.done() and not second.done()
    assert (await get_json(client, "/api/audit/verify/progress"))["done"] == BATCH
    # The page does not wait for the verdict: it shows how far the job is, and its script
    # follows the job.
    monkeypatch.setattr(audit_view, "PAGE_WAIT_S", 0.0)
    page = await client.get("/console/audit")
    assert page.status == 200
    text = await page.text()
    assert 'data-verifying="1"' in text and 'class="ok"' not in text
    assert f"{BATCH} of {total} records checked" in text
    assert verification.joined == 2

    gate.touch()
    answers = await asyncio.gather(first, second)
    assert answers[0] == answers[1] == await exact_status(harness)
    assert answers[0]["ok"] is True and answers[0]["checked"] == total
    finished = await get_json(client, "/api/audit/verify/progress")
    assert finished == {"running": False, "done": total, "total": total}
    assert verification.joined == 2  # one job served both requests and the page


async def test_a_request_after_a_finished_job_starts_a_new_one(
    harness: Harness, client: Client
) -> None:
    await fill(harness)
    await login(client, "olli")
    before = await get_json(client, "/api/audit/verify")
    async with unit_of_work(harness.core) as work:
        await work.audit(SYSTEM, AuditAction.RETENTION, object_type="test", object_id="late")
    after = await get_json(client, "/api/audit/verify")
    assert after["checked"] == before["checked"] + 1
    assert client.app[VERIFICATION].joined == 0
