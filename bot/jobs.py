"""Periodic work of the core: idle reminders and closing, opening hours, retention, pruning.

Each job is one function over the store, run by the scheduler (on one instance only when
several share a database); each logs counts, never content.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import delete as sql_delete
from sqlalchemy import or_
from sqlmodel import col, select

from privacy.audit import AuditAction
from privacy.retention import (
    RetentionCandidate,
    RetentionRule,
    RetentionTarget,
    due_for_deletion,
)

from .actions.context import SYSTEM, Core, unit_of_work
from .conversation import HoursOpened, IdleReminder, IdleTimeout, State
from .effects import run_event
from .key_epochs import EpochReport, epoch_sweep
from .logs import log_event
from .queueing import announce_positions
from .sealing import CONVERSATION_PURPOSES, KeyPurpose
from .store import attachments as attachment_store
from .store import queue_waits, returning
from .store.sqlite_inline import off_the_loop
from .store.tables import (
    Block,
    Conversation,
    DataKeyRow,
    InboundSeen,
    OutboxRow,
    PiiItem,
    Queue,
)

log = logging.getLogger("somesossu.jobs")

SEEN_KEEP = timedelta(days=7)
DELIVERED_KEEP = timedelta(days=3)
# An ended block (expired or lifted) stays listed this long, then its row (pseudonym, network
# digest, sealed reason) goes; the audit trail keeps that it was made and lifted.
ENDED_BLOCK_KEEP = timedelta(days=30)
TRIAGE_ABANDONED = timedelta(hours=2)


async def idle_sweep(core: Core) -> int:
    """Remind, then close, active chats where the resident went silent after a reply."""
    now = core.now()
    remind_after = timedelta(minutes=core.settings.idle_reminder_minutes)
    close_after = timedelta(minutes=core.settings.idle_close_minutes)
    changed = 0
    async with core.database.session() as session:
        query = select(Conversation.id).where(
            col(Conversation.state).in_(
                (State.ACTIVE.value, State.TRIAGE_LANGUAGE.value, State.TRIAGE_TOPIC.value)
            )
        )
        candidates = list((await session.execute(query)).scalars())
    for conversation_id in candidates:
        async with unit_of_work(core) as work:
            conversation = await work.session.get(Conversation, conversation_id)
            if conversation is None:
                continue
            if conversation.state != State.ACTIVE:
                if now - conversation.last_activity_at > TRIAGE_ABANDONED:
                    await run_event(work, conversation, IdleTimeout())
                    changed += 1
                continue
            last_reply = conversation.last_reply_at
            if last_reply is None:
                continue
            if last_reply <= conversation.last_activity_at:
                continue  # the resident wrote last: it is the counsellor's turn
            if conversation.reminded_at is None and now - last_reply >= remind_after:
                conversation.reminded_at = now
                await run_event(work, conversation, IdleReminder(core.settings.idle_close_minutes))
                changed += 1
            elif conversation.reminded_at is not None and now - conversation.reminded_at >= (
                close_after
            ):
                await run_event(work, conversation, IdleTimeout())
                changed += 1
    if changed:
        log_event(log, "jobs.idle", changed=changed)
    return changed


async def hours_sweep(core: Core) -> int:
    """Move conversations left outside opening hours into the queue when it opens."""
    now = core.now()
    opened = 0
    async with core.database.session() as session:
        query = select(Conversation.id).where(Conversation.state == State.WAITING_HOURS.value)
        waiting = list((await session.execute(query)).scalars())
    touched_queues: set[str] = set()
    for conversation_id in waiting:
        async with unit_of_work(core) as work:
            config = await core.flow.get(work.session)
            conversation = await work.session.get(Conversation, conversation_id)
            if conversation is None or conversation.state != State.WAITING_HOURS:
                continue
            if config.queue_hours(conversation.queue_id).is_open(now):
                await run_event(work, conversation, HoursOpened())
                if conversation.queue_id:
                    touched_queues.add(conversation.queue_id)
                opened += 1
    for queue_id in touched_queues:
        async with unit_of_work(core) as work:
            await announce_positions(work, queue_id)
    return opened


@dataclass(frozen=True, slots=True)
class RetentionReport:
    transcripts: int
    pii_vaults: int
    conversation_ids: tuple[str, ...]
    # Files due (dry run) or deleted: by their own, shorter period
    # (SOMESOSSU_ATTACHMENT_RETENTION_HOURS) or with their conversation's transcript.
    attachments: int = 0
    attachment_kinds: dict[str, int] = field(default_factory=dict)


def files_due(
    holders: Iterable[tuple[str, datetime, str, int]],
    closed_before: datetime,
    transcripts: Collection[str],
) -> tuple[list[str], Counter[str]]:
    """Of the closed conversations holding files (`closed_holders`), those a run destroys
    the files of, and how many files of each kind: closed before the files' own period
    began, or losing their transcript now (a queue may keep text shorter than files)."""
    owners: set[str] = set()
    kinds: Counter[str] = Counter()
    for conversation_id, closed_at, kind, count in holders:
        if closed_at < closed_before or conversation_id in transcripts:
            owners.add(conversation_id)
            kinds[kind] += count
    return sorted(owners), kinds


async def retention(core: Core, *, apply: bool, now: datetime | None = None) -> RetentionReport:
    """What is due for deletion now, and (with `apply`) crypto-shred it, recording counts."""
    now = now or core.now()
    async with core.database.session() as session:
        queues = list((await session.execute(select(Queue))).scalars())
        rules = {
            q.id: RetentionRule(
                transcript_days=q.transcript_days, pii_vault_hours=q.pii_vault_hours
            )
            for q in queues
        }
        rows = await session.execute(
            select(Conversation.id, Conversation.queue_id, Conversation.closed_at).where(
                Conversation.state == State.CLOSED.value
            )
        )
        closed = list(rows.all())
        vaults = set(
            (
                await session.execute(
                    select(DataKeyRow.owner_id).where(
                        DataKeyRow.purpose == KeyPurpose.PII_VAULT.value
                    )
                )
            ).scalars()
        )
        holders = await attachment_store.closed_holders(session)
    candidates = [
        RetentionCandidate(
            conversation_id=cid,
            queue=queue_id or "",
            closed_at=closed_at,
            transcript_present=True,
            pii_vault_present=cid in vaults,
        )
        for cid, queue_id, closed_at in closed
    ]
    due = due_for_deletion(candidates, rules, RetentionRule(), now)
    transcripts = [d.conversation_id for d in due if d.what is RetentionTarget.TRANSCRIPT]
    vault_only = [d.conversation_id for d in due if d.what is RetentionTarget.PII_VAULT]
    report = RetentionReport(len(transcripts), len(vault_only), tuple(transcripts + vault_only))
    if apply:
        deleted, kinds = await _expire_attachments(core, now, transcripts)
    else:
        _, kinds = files_due(holders, _files_closed_before(core, now), set(transcripts))
        deleted = kinds.total()
    report = replace(report, attachments=deleted, attachment_kinds=dict(sorted(kinds.items())))
    if not apply or not due:
        return report
    # Deleting many rows (secure_delete overwrites them) happens off the event loop.
    with off_the_loop():
        async with unit_of_work(core) as work:
            for conversation_id in transcripts:
                await core.keys.destroy(work.session, conversation_id, CONVERSATION_PURPOSES)
            if transcripts:
                await work.session.execute(
                    sql_delete(Conversation).where(col(Conversation.id).in_(transcripts))
                )
                # A consent outlives no conversation it was about.
                await returning.forget_orphans(work.session)
            for conversation_id in vault_only:
                await core.keys.destroy(work.session, conversation_id, (KeyPurpose.PII_VAULT,))
            if vault_only:
                await work.session.execute(
                    sql_delete(PiiItem).where(col(PiiItem.conversation_id).in_(vault_only))
                )
            await work.audit(
                SYSTEM,
                AuditAction.RETENTION,
                object_type="conversation",
                object_id=f"transcripts={len(transcripts)} pii_vaults={len(vault_only)}",
                purpose="retention rules",
            )
    log_event(log, "jobs.retention", transcripts=len(transcripts), pii_vaults=len(vault_only))
    return report


def _files_closed_before(core: Core, now: datetime) -> datetime:
    return now - timedelta(hours=core.settings.attachment_retention_hours)


async def _expire_attachments(
    core: Core, now: datetime, transcripts: Collection[str]
) -> tuple[int, Counter[str]]:
    """Shred the files of conversations closed longer ago than their own retention period
    (or whose transcript goes now): their key goes (so copies of the rows left on disk are
    unreadable, and the database scrubs the key's own copies after the commit) and the rows
    with it. Records how many; the conversation's text stays for its queue's period. The
    kinds are counted as the dry run counts them, in the deleting transaction."""
    with off_the_loop():
        async with unit_of_work(core) as work:
            holders = await attachment_store.closed_holders(work.session)
            owners, kinds = files_due(holders, _files_closed_before(core, now), set(transcripts))
            for conversation_id in owners:
                await core.keys.destroy(work.session, conversation_id, (KeyPurpose.ATTACHMENT,))
            deleted = await attachment_store.delete_of(work.session, owners) if owners else 0
            if deleted:
                await work.audit(
                    SYSTEM,
                    AuditAction.RETENTION,
                    object_type="attachment",
                    object_id=f"attachments={deleted}",
                    purpose="retention rules",
                )
    if deleted:
        log_event(log, "jobs.retention_attachments", attachments=deleted)
    return deleted, kinds


async def housekeeping(core: Core) -> None:
    """Forget redelivery markers, sent outbox rows, ended blocks and waits too old for an
    estimate once they can no longer matter."""
    now = core.now()
    with off_the_loop():
        await _housekeeping(core, now)


async def _housekeeping(core: Core, now: datetime) -> None:
    async with core.database.session() as session:
        await session.execute(
            sql_delete(InboundSeen).where(col(InboundSeen.created_at) < now - SEEN_KEEP)
        )
        await session.execute(
            sql_delete(OutboxRow).where(
                col(OutboxRow.state).in_(("delivered", "failed")),
                col(OutboxRow.created_at) < now - DELIVERED_KEEP,
            )
        )
        ended_before = now - ENDED_BLOCK_KEEP
        await session.execute(
            sql_delete(Block).where(
                or_(
                    col(Block.expires_at) < ended_before,
                    col(Block.lifted_at) < ended_before,
                )
            )
        )
        await queue_waits.prune(session, now)


async def key_epochs(core: Core) -> EpochReport:
    """Start a new key epoch when the current one is over; destroy finished ones (key_epochs.py).

    Bounds how long a deleted conversation's wrapped key stays readable in copies the
    service cannot scrub (backups, replicas, archived WAL).
    """
    return await epoch_sweep(core)
