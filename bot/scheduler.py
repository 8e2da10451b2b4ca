"""Registers the core's periodic jobs with APScheduler.

Jobs never overlap themselves (max_instances=1), run only on the leading instance, and a
failing run is logged by type only.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from . import jobs
from .actions.consultations import end_expired
from .actions.context import Core
from .groups.jobs import group_sweep
from .leader import Leadership

log = logging.getLogger("somesossu.scheduler")


def _guarded(
    name: str, job: Callable[[], Awaitable[object]], leadership: Leadership
) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            if not await leadership.is_leader():
                return  # another instance runs the jobs
            await job()
        except Exception:
            log.exception(f"jobs.{name}_failed")

    return run


def schedule_core_jobs(scheduler: AsyncIOScheduler, core: Core, leadership: Leadership) -> None:
    plan: list[tuple[str, Callable[[], Awaitable[object]], int]] = [
        ("idle", lambda: jobs.idle_sweep(core), 60),
        ("hours", lambda: jobs.hours_sweep(core), 60),
        ("consultants", lambda: end_expired(core), 60),
        ("retention", lambda: jobs.retention(core, apply=True), 15 * 60),
        ("housekeeping", lambda: jobs.housekeeping(core), 60 * 60),
        ("groups", lambda: group_sweep(core), 60),
        ("key_epochs", lambda: jobs.key_epochs(core), 60 * 60),
    ]
    for name, job, seconds in plan:
        scheduler.add_job(
            _guarded(name, job, leadership),
            "interval",
            seconds=seconds,
            id=name,
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )
