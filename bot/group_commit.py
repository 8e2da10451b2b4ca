"""Group commit: many callers' items handled in one transaction, each caller answered after it.

Why: a transaction has fixed costs (the SQLite lock, a pooled connection, BEGIN, COMMIT,
a flush) that dwarf the work of storing one chat message. While one batch is in its
transaction, the next one gathers; under light load a batch is a single item and nothing
waits longer than it did before, under heavy load the fixed costs are shared.

A batch that fails for a reason other than the store being unavailable is run again item by
item, so that one bad item fails alone and the others still commit.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from .events import StoreUnavailable
from .logs import log_event

log = logging.getLogger("somesossu.group_commit")

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """Feeds submitted items to `run_batch` in order, at most `max_batch` at a time."""

    def __init__(
        self,
        run_batch: Callable[[Sequence[Item]], Awaitable[Sequence[Result]]],
        *,
        max_batch: int,
        name: str,
    ) -> None:
        self._run_batch = run_batch
        self._max_batch = max_batch
        self._name = name
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """Returns once the item's batch has committed; raises what handling it raised."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._worker is None or self._worker.done():
            # A context of its own: the worker serves every caller, not the first one's
            # context variables (an open SQLite session, a request's log fields).
            self._worker = asyncio.create_task(
                self._drain(), name=f"group-commit-{self._name}", context=contextvars.Context()
            )
        # A caller that gives up (its socket closed) cancels only its own wait: an item whose
        # batch already started still commits, and an unacknowledged item may be resent.
        return await future

    async def _drain(self) -> None:
        batch: list[tuple[Item, asyncio.Future[Result]]] = []
        try:
            while self._pending:
                batch = [(item, f) for item, f in self._pending[: self._max_batch] if not f.done()]
                del self._pending[: self._max_batch]
                if batch:
                    await self._run(batch)
        finally:
            # Stopped mid-way (shutdown): nobody waits for an answer that cannot come.
            for _, future in batch + self._pending:
                _fail(future, StoreUnavailable("stopped"))
            self._pending.clear()

    async def _run(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._run_batch([item for item, _ in batch])
        except StoreUnavailable as error:
            for _, future in batch:
                _fail(future, StoreUnavailable(str(error)))
            return
        except Exception as error:  # isolated below, item by item
            if len(batch) == 1:
                _fail(batch[0][1], error)
                return
            log_event(
                log,
                "group_commit.batch_failed",
                logging.WARNING,
                name=self._name,
                size=len(batch),
                error=type(error).__name__,
            )
            for single in batch:
                await self._run([single])
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)


def _fail(future: asyncio.Future[Result], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
