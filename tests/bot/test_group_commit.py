"""Group commit: items that arrive together share one batch; a bad item fails alone."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Sequence

import pytest

from bot.events import StoreUnavailable
from bot.group_commit import GroupCommit


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    async def run(self, items: Sequence[str]) -> list[str]:
        self.batches.append(list(items))
        await asyncio.sleep(0)  # a transaction: others may submit meanwhile
        if "outage" in items:
            raise StoreUnavailable("OperationalError")
        if "bad" in items:
            raise ValueError("one bad item")
        return [item.upper() for item in items]


async def test_items_submitted_together_share_batches_of_at_most_max_batch() -> None:
    recorder = Recorder()
    commit = GroupCommit(recorder.run, max_batch=4, name="test")
    results = await asyncio.gather(*(commit.submit(f"m{i}") for i in range(10)))
    assert results == [f"M{i}" for i in range(10)]
    assert [len(batch) for batch in recorder.batches] == [4, 4, 2]
    assert [item for batch in recorder.batches for item in batch] == [f"m{i}" for i in range(10)]


async def test_a_lone_item_is_not_kept_waiting_for_company() -> None:
    recorder = Recorder()
    commit = GroupCommit(recorder.run, max_batch=64, name="test")
    assert await commit.submit("alone") == "ALONE"
    assert await commit.submit("later") == "LATER"
    assert recorder.batches == [["alone"], ["later"]]


async def test_a_failing_item_fails_alone_and_the_others_are_run_again_singly() -> None:
    recorder = Recorder()
    commit = GroupCommit(recorder.run, max_batch=64, name="test")
    outcomes = await asyncio.gather(
        commit.submit("a"), commit.submit("bad"), commit.submit("b"), return_exceptions=True
    )
    assert outcomes[0] == "A" and outcomes[2] == "B"
    assert isinstance(outcomes[1], ValueError)
    assert recorder.batches == [["a", "bad", "b"], ["a"], ["bad"], ["b"]]


async def test_a_store_outage_fails_the_whole_batch_without_retrying_item_by_item() -> None:
    recorder = Recorder()
    commit = GroupCommit(recorder.run, max_batch=64, name="test")
    outcomes = await asyncio.gather(
        commit.submit("a"), commit.submit("outage"), return_exceptions=True
    )
    assert all(isinstance(outcome, StoreUnavailable) for outcome in outcomes)
    assert recorder.batches == [["a", "outage"]]


async def test_an_item_whose_caller_gave_up_before_its_batch_began_is_skipped() -> None:
    recorder = Recorder()
    commit = GroupCommit(recorder.run, max_batch=1, name="test")
    first = asyncio.create_task(commit.submit("first"))
    gone = asyncio.create_task(commit.submit("gone"))
    await asyncio.sleep(0)  # both submitted; the first batch is running
    gone.cancel()
    assert await first == "FIRST"
    with pytest.raises(asyncio.CancelledError):
        await gone
    await asyncio.sleep(0.01)
    assert recorder.batches == [["first"]]


async def test_the_worker_does_not_run_in_the_first_callers_context() -> None:
    marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="none")
    seen: list[str] = []

    async def run(items: Sequence[str]) -> list[str]:
        seen.append(marker.get())
        return list(items)

    commit = GroupCommit(run, max_batch=8, name="test")
    marker.set("first caller's")
    assert await commit.submit("x") == "x"
    assert seen == ["none"]
