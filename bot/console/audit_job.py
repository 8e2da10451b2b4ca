"""The console's check of the audit chain: one background job per service instance (issue 23).

The event loop only awaits it: reading and hashing run in worker processes. Reports counts,
sequence numbers and the verdict only, never a record's content.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiohttp import web

from bot.core import Core
from bot.officer.audit_verify import verify_trail
from bot.store import audit as audit_store
from privacy.audit import read_checkpoint


class Progress:
    """Records checked so far of how many, for the progress endpoint."""

    def __init__(self) -> None:
        self.done = 0
        self.total: int | None = None

    def start(self, total: int) -> None:
        self.total = total

    def advance(self, count: int = 1) -> None:
        self.done += count

    def finish(self) -> None:
        """Nothing to flush: the counts are read where they are."""


class ChainVerification:
    """At most one verification at a time; a request while one runs joins it.

    A finished job is not reused: the next request starts a new one, so an answer always
    covers the trail as it was when that request came or later.
    """

    def __init__(self) -> None:
        self._job: asyncio.Task[dict[str, Any]] | None = None
        self._progress: Progress | None = None
        self.joined = 0
        """How many requests joined a running job instead of starting one (for tests)."""

    @property
    def running(self) -> bool:
        return self._job is not None and not self._job.done()

    def start(self, core: Core) -> asyncio.Task[dict[str, Any]]:
        """The running job, or a new one."""
        if self._job is not None and not self._job.done():
            self.joined += 1
            return self._job
        progress = Progress()
        job = asyncio.create_task(_verify(core, progress), name="console-audit-verification")
        # Retrieved here too, so that a job whose every waiter went away logs nothing odd.
        job.add_done_callback(_retrieve)
        self._job, self._progress = job, progress
        return job

    async def result(self, core: Core) -> dict[str, Any]:
        """The verdict of the running job or of a new one (`GET /api/audit/verify`)."""
        # Shielded: a client that leaves does not cancel the others' verification.
        return await asyncio.shield(self.start(core))

    async def result_within(self, core: Core, seconds: float) -> dict[str, Any] | None:
        """The verdict if it comes within `seconds`, else None and the job runs on."""
        job = self.start(core)
        done, _ = await asyncio.wait({job}, timeout=seconds)
        return job.result() if done else None

    def progress(self) -> dict[str, Any]:
        """Where the current or latest job is: records checked so far of how many."""
        progress = self._progress
        return {
            "running": self.running,
            "done": progress.done if progress is not None else 0,
            "total": progress.total if progress is not None else None,
        }

    async def close(self) -> None:
        if self._job is not None and not self._job.done():
            self._job.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._job


def _retrieve(job: asyncio.Task[dict[str, Any]]) -> None:
    if not job.cancelled():
        job.exception()


async def _verify(core: Core, progress: Progress) -> dict[str, Any]:
    key = core.keyring.audit_key
    checkpoint = None
    if core.checkpoint_path is not None and core.checkpoint_path.exists():
        checkpoint = read_checkpoint(core.checkpoint_path, key)
    progress.start(await audit_store.count(core.database))
    # Below the service's own process: requests come first on a busy machine.
    result, _ = await verify_trail(core, checkpoint, progress, background=True)
    progress.finish()
    return result.as_json()


VERIFICATION = web.AppKey("audit_verification", ChainVerification)


def setup_chain_verification(app: web.Application) -> None:
    """One job holder per app, its running job cancelled on shutdown."""
    verification = ChainVerification()
    app[VERIFICATION] = verification

    async def close(_: web.Application) -> None:
        await verification.close()

    app.on_shutdown.append(close)
