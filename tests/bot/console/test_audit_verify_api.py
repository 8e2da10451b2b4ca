"""Verifying the audit trail from the console holds nothing else back (issue 23).

The records are read as plain rows in short transactions, one batch each, so writers wait one
batch at most; building the records and hashing them run on a worker thread, not on the
event loop.
"""

from __future__ import annotations

import threading

import pytest
from aiohttp.test_utils import TestClient

from bot.console import audit_view
from bot.core import SYSTEM, unit_of_work
from bot.store import audit as audit_store
from privacy import audit as privacy_audit
from privacy.audit import AuditAction
from tests.bot.console.helpers import login
from tests.support.chat import Harness

Client = TestClient[object, object]


async def test_verification_reads_in_batches_and_hashes_off_the_loop(
    harness: Harness, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    await harness.staff("olli", role="privacy_officer", queues=())
    async with unit_of_work(harness.core) as work:
        for n in range(20):
            await work.audit(SYSTEM, AuditAction.RETENTION, object_type="test", object_id=str(n))
    await login(client, "olli")
    sessions = 0
    opened = harness.core.database.session

    def counting_session():  # type: ignore[no-untyped-def]
        nonlocal sessions
        sessions += 1
        return opened()

    monkeypatch.setattr(harness.core.database, "session", counting_session)
    real_read = audit_store.read_all_values
    monkeypatch.setattr(
        audit_store, "read_all_values", lambda database: real_read(database, batch=5)
    )
    threads: list[int] = []
    real_verify = privacy_audit.verify_chain

    def recording_verify(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.get_ident())
        return real_verify(*args, **kwargs)

    monkeypatch.setattr(audit_view, "verify_chain", recording_verify)
    response = await client.get("/api/audit/verify")
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["ok"] is True
    assert body["checked"] > 10
    assert sessions >= body["checked"] // 5  # one short transaction per batch of five
    assert threads and threads[0] != threading.get_ident()  # hashed on a worker thread
