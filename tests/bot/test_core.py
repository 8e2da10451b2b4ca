"""The core's unit of work: the audit checkpoint moves forward after commit, off the event loop."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from bot import core as core_module
from bot.app import Service
from bot.core import SYSTEM, unit_of_work
from bot.store import audit as audit_store
from privacy.audit import AuditAction, Checkpoint, read_checkpoint
from privacy.audit import write_checkpoint as real_write_checkpoint


async def audited(service: Service, name: str) -> int:
    async with unit_of_work(service.core) as work:
        record = await work.audit(SYSTEM, AuditAction.READ, object_type="test", object_id=name)
    return record.seq


def checkpoint_seq(service: Service) -> int:
    path = service.core.checkpoint_path
    assert path is not None
    checkpoint = read_checkpoint(path, service.core.keyring.audit_key)
    assert checkpoint is not None
    return checkpoint.seq


async def test_after_a_unit_of_work_the_checkpoint_names_its_record(service: Service) -> None:
    seq = await audited(service, "one")
    assert checkpoint_seq(service) == seq
    seq = await audited(service, "two")
    assert checkpoint_seq(service) == seq


async def test_the_file_is_written_while_the_event_loop_serves_others(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    writing, release = threading.Event(), threading.Event()

    def held_write(path: Path, checkpoint: Checkpoint) -> None:
        writing.set()
        release.wait(5)
        real_write_checkpoint(path, checkpoint)

    monkeypatch.setattr(core_module, "write_checkpoint", held_write)
    action = asyncio.create_task(audited(service, "slow disk"))
    assert await asyncio.to_thread(writing.wait, 5)
    # The write is stuck on its thread; the loop still runs other work meanwhile.
    served = await asyncio.wait_for(asyncio.sleep(0, result="served"), timeout=5)
    assert served == "served" and not action.done()
    release.set()
    seq = await action
    assert checkpoint_seq(service) == seq


async def test_actions_that_commit_during_a_write_share_the_next_one(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = await audited(service, "warm up")  # the first write of an empty data dir makes folders
    written: list[int] = []
    first_started, release = threading.Event(), threading.Event()

    def slow_first_write(path: Path, checkpoint: Checkpoint) -> None:
        if not written:
            first_started.set()
            release.wait(5)  # a slow disk: everything below commits meanwhile
        written.append(checkpoint.seq)
        real_write_checkpoint(path, checkpoint)

    monkeypatch.setattr(core_module, "write_checkpoint", slow_first_write)
    burst = asyncio.gather(*(audited(service, f"burst {n}") for n in range(20)))
    assert await asyncio.to_thread(first_started.wait, 5)
    for _ in range(1000):  # until all 20 have committed (each then waits for the write)
        if await audit_store.max_seq(service.core.database) == start + 20:
            break
        await asyncio.sleep(0.01)
    else:
        pytest.fail("the burst did not commit while the first write was held")
    release.set()
    seqs = await burst
    assert checkpoint_seq(service) == max(seqs) == start + 20
    assert written == sorted(written), "the checkpoint went backwards"
    assert len(written) < len(seqs)


async def test_an_older_record_never_moves_the_checkpoint_back(service: Service) -> None:
    first = await audited(service, "first")
    newest = await audited(service, "second")
    older = next(r for r in await audit_store.read_all(service.core.database) if r.seq == first)
    await service.core.advance_checkpoint(older)  # a unit of work that committed earlier
    assert checkpoint_seq(service) == newest > first
