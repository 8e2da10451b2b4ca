"""The scheduled group job: open and end sessions on time, shred kept transcripts, expire opt-ins.

Run by the scheduler every minute on one instance; logs counts, never content.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import col, select

from bot.actions.context import SYSTEM, Core, unit_of_work
from bot.logs import log_event

from . import announcements
from .session_rules import every_row
from .sessions import GroupState, end_session, open_session, shred_messages
from .tables import GroupSession

log = logging.getLogger("somesossu.groups")


@dataclass(frozen=True, slots=True)
class SweepReport:
    opened: int = 0
    ended: int = 0
    shredded: int = 0
    expired_opt_ins: int = 0


async def group_sweep(core: Core) -> SweepReport:
    now = core.now()
    async with core.database.session() as session:
        due_open = await every_row(
            session,
            select(GroupSession.id).where(
                GroupSession.state == str(GroupState.SCHEDULED),
                col(GroupSession.starts_at) <= now,
                col(GroupSession.ends_at) > now,
            ),
        )
        due_end = await every_row(
            session,
            select(GroupSession.id).where(
                col(GroupSession.state).in_((str(GroupState.SCHEDULED), str(GroupState.OPEN))),
                col(GroupSession.ends_at) <= now,
            ),
        )
        due_shred = await every_row(
            session,
            select(GroupSession.id).where(col(GroupSession.transcript_until) <= now),
        )
    opened = ended = shredded = 0
    # One unit of work per session: a failure in one leaves the others done.
    for session_id in due_open:
        async with unit_of_work(core) as work:
            group = await work.session.get(GroupSession, session_id)
            if group is not None and group.state == GroupState.SCHEDULED:
                await open_session(work, group)
                opened += 1
    for session_id in due_end:
        async with unit_of_work(core) as work:
            group = await work.session.get(GroupSession, session_id)
            if group is not None and group.state in (GroupState.SCHEDULED, GroupState.OPEN):
                await end_session(work, group, SYSTEM)
                ended += 1
    for session_id in due_shred:
        async with unit_of_work(core) as work:
            group = await work.session.get(GroupSession, session_id)
            if group is not None:
                shredded += await shred_messages(work, group)
    expired = await announcements.expire(core)
    report = SweepReport(opened, ended, shredded, expired)
    if opened or ended or shredded or expired:
        log_event(
            log,
            "jobs.groups",
            opened=opened,
            ended=ended,
            shredded=shredded,
            expired_opt_ins=expired,
        )
    return report
