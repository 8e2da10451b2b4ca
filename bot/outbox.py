"""Reliable delivery of stored Outbound messages through the adapters.

Retries with exponential backoff, honours a platform's retry-after, keeps each
conversation's messages in order, and gives up after a bound, marking the conversation so
the counsellor sees it. Logs outbox ids and error codes only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Literal

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from privacy.crypto import DataKey, seal, unseal
from privacy.errors import PrivacyError

from .conversation import RecipientGone as RecipientGoneEvent
from .conversation_keys import reply_address_of
from .core import Core, Work, unit_of_work
from .effects import run_event
from .events import (
    DeliveryError,
    DeliveryId,
    Outbound,
    RecipientGone,
    ReplyAddress,
)
from .group_commit import GroupCommit
from .hub_topics import conversation_topic
from .logs import log_event
from .sealed_formats import OUTBOX_PAYLOAD, OutboxPayload
from .sealing import KeyPurpose
from .store import library as library_store
from .store.tables import Conversation, OutboxRow

log = logging.getLogger("somesossu.outbox")

SendFn = Callable[[ReplyAddress, Outbound], Awaitable[DeliveryId]]

MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 300.0
SEND_TIMEOUT_SECONDS = 30.0
PARALLEL_CONVERSATIONS = 32
LEASE_SECONDS = 60.0
LOCAL_GRACE_SECONDS = 10.0
"""How long the instance holding a resident's socket gets to deliver before any instance may."""

HoldsFn = Callable[[ReplyAddress], bool]
Taken = tuple[ReplyAddress, Outbound] | Literal["held", "erased"]
"""A row's address and message, leased to this instance; or why it is not: held (for the
resident's own instance, or leased by another) or erased (its conversation is gone)."""


def backoff_seconds(attempts: int, retry_after: float | None) -> float:
    """2, 4, 8 ... seconds, capped; a platform's own retry-after wins when it is longer."""
    delay = min(MAX_BACKOFF_SECONDS, 2.0 ** max(1, attempts))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


def _attempt_done(stored: OutboxRow, *, state: str | None = None, error: str | None = None) -> None:
    """One delivery attempt is over: its lease ends and it counts; a final `state` (else the
    row waits for its retry) and the platform's `error` code are kept."""
    stored.leased_until = None
    stored.attempts += 1
    if state is not None:
        stored.state = state
    if error is not None:
        stored.last_error = error[:64]


class OutboxWorker:
    def __init__(self, core: Core, senders: dict[str, SendFn] | None = None) -> None:
        self.core = core
        self.senders: dict[str, SendFn] = dict(senders or {})
        self.local: dict[str, HoldsFn] = {}
        self._limit = asyncio.Semaphore(PARALLEL_CONVERSATIONS)
        # Each message sent cost two write transactions of its own (take, then mark
        # delivered), and on SQLite every one of them waits for the one writer. The
        # conversations of a sweep are taken and marked together, one transaction for each
        # step of as many as are ready; a lone message still goes at once.
        self._takes: GroupCommit[OutboxRow, Taken] = GroupCommit(
            self._take_batch, max_batch=PARALLEL_CONVERSATIONS, name="outbox-take"
        )
        self._marks: GroupCommit[tuple[OutboxRow, DeliveryId], None] = GroupCommit(
            self._mark_delivered, max_batch=PARALLEL_CONVERSATIONS, name="outbox-delivered"
        )

    def register(self, channel: str, send: SendFn, *, holds: HoldsFn | None = None) -> None:
        self.senders[channel] = send
        if holds is not None:
            self.local[channel] = holds
        else:
            self.local.pop(channel, None)

    async def run(self, *, idle_seconds: float = 1.0) -> None:
        """Deliver forever: woken by new outbox rows, and every `idle_seconds` for retries."""
        wakeup = self.core.outbox_wakeup
        while True:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for returns normally when the
            # event is set in the same loop turn as the task is cancelled, so the cancel of a
            # shutdown was lost and this loop ran on, holding the server's shutdown up.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(idle_seconds):
                    await wakeup.wait()
            wakeup.clear()
            try:
                await self.deliver_due()
            except Exception:
                log.exception("outbox.sweep_failed")

    async def deliver_due(self) -> int:
        """One sweep: the first due message of each conversation (or thread), in order.

        Returns how many were sent.
        """
        core = self.core
        now = core.now()
        async with core.database.session() as session:
            query = (
                select(OutboxRow)
                .where(OutboxRow.state == "pending")
                .order_by(col(OutboxRow.created_at), col(OutboxRow.id))
                .limit(1000)
            )
            rows = list((await session.execute(query)).scalars())
        heads: dict[str, list[OutboxRow]] = {}
        for row in rows:
            group = row.conversation_id or row.thread or f"system:{row.id}"
            heads.setdefault(group, []).append(row)
        due = [
            group
            for group in heads.values()
            if group[0].next_attempt_at <= now
            and (group[0].leased_until is None or group[0].leased_until <= now)
        ]
        results = await asyncio.gather(*(self._deliver_group(group) for group in due))
        return sum(results)

    async def _deliver_group(self, group: list[OutboxRow]) -> int:
        sent = 0
        async with self._limit:
            for row in group:
                if row.next_attempt_at > self.core.now() or not await self._deliver(row):
                    break
                sent += 1
        return sent

    async def _deliver(self, row: OutboxRow) -> bool:
        core = self.core
        send = self.senders.get(row.channel)
        if send is None:
            await self._failed_attempt(row, "no_adapter", retry_after=60.0)
            return False
        taken = await self._takes.submit(row)
        if taken == "erased":
            # The conversation was erased meanwhile: nothing to deliver, nothing to keep.
            await self._drop(row)
            return False
        if taken == "held":
            return False  # held for the resident's own instance, or another one leased it
        address, outbound = taken
        try:
            async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                delivery_id = await send(address, outbound)
        except RecipientGone as error:
            await self._give_up(row, error.code, recipient_gone=True)
            return False
        except DeliveryError as error:
            if not error.retryable:
                await self._give_up(row, error.code)
            else:
                await self._failed_attempt(row, error.code, retry_after=error.retry_after)
            return False
        except (TimeoutError, OSError):
            await self._failed_attempt(row, "network", retry_after=None)
            return False
        await self._marks.submit((row, delivery_id))
        core.metrics.outbound_messages.labels(channel=row.channel, outcome="delivered").inc()
        return True

    async def _take_batch(self, rows: Sequence[OutboxRow]) -> list[Taken]:
        """Each row's address and message, leased to this instance, in one transaction."""
        async with self.core.database.session() as session:
            taken = [await self._readable(session, row) for row in rows]
            # Leased in id order: two instances sweeping the same rows take their row locks
            # in the same order and cannot deadlock (PostgreSQL). A row asked for twice (two
            # sweeps at once) is leased once, and the second ask is told it is held.
            for index in sorted(range(len(rows)), key=lambda i: rows[i].id):
                if taken[index] not in ("held", "erased") and not await self._lease(
                    session, rows[index]
                ):
                    taken[index] = "held"
        return taken

    async def _readable(self, session: AsyncSession, row: OutboxRow) -> Taken:
        """The row's address and message; held while the resident's own instance has its
        grace to push it live."""
        try:
            address, outbound = await self._outbound(session, row)
        except (PrivacyError, LookupError):
            return "erased"
        holds = self.local.get(row.channel)
        if holds is not None and not holds(address):
            waited = (self.core.now() - row.created_at).total_seconds()
            if waited < LOCAL_GRACE_SECONDS:
                return "held"
        return address, outbound

    async def _outbound(
        self, session: AsyncSession, row: OutboxRow
    ) -> tuple[ReplyAddress, Outbound]:
        if row.conversation_id is None:
            key = await self.core.keys.system_key(session)
        else:
            key = await self.core.keys.get(session, row.conversation_id, KeyPurpose.CONVERSATION)
        payload = OutboxPayload.from_json(
            unseal(key, row.sealed_payload, aad=OUTBOX_PAYLOAD.context(row.id))
        )
        if row.conversation_id is None:
            if payload.reply_address is None:
                raise LookupError("a row without a conversation has no address")
            address = payload.reply_address
        else:
            conversation = await session.get(Conversation, row.conversation_id)
            if conversation is None:
                raise LookupError("conversation erased")
            address = await reply_address_of(self.core.keys, session, conversation)
        outbound = payload.outbound(row.id)
        if payload.document is not None:
            # Read at delivery, not copied into the row: a document withdrawn meanwhile
            # goes as its title only.
            document = await library_store.outbound_document(session, payload.document)
            outbound = replace(outbound, document=document)
        return ReplyAddress(address), outbound

    async def _lease(self, session: AsyncSession, row: OutboxRow) -> bool:
        """Take the row for this instance; of several instances sweeping, one wins."""
        now = self.core.now()
        result = await session.execute(
            update(OutboxRow)
            .where(
                col(OutboxRow.id) == row.id,
                col(OutboxRow.state) == "pending",
                or_(col(OutboxRow.leased_until).is_(None), col(OutboxRow.leased_until) <= now),
            )
            .values(
                leased_by=self.core.instance_id,
                leased_until=now + timedelta(seconds=LEASE_SECONDS),
            )
        )
        return getattr(result, "rowcount", 0) == 1

    async def _mark_delivered(self, sent: Sequence[tuple[OutboxRow, DeliveryId]]) -> list[None]:
        """Sent messages marked delivered, in one transaction (in id order, as leased)."""
        async with unit_of_work(self.core) as work:
            for row, delivery_id in sorted(sent, key=lambda item: item[0].id):
                await self._delivered(work, row, delivery_id)
        return [None] * len(sent)

    async def _delivered(self, work: Work, row: OutboxRow, delivery_id: DeliveryId) -> None:
        # One UPDATE, not a read and a flush: every delivered message passes here.
        result = await work.session.execute(
            update(OutboxRow)
            .where(col(OutboxRow.id) == row.id)
            .values(
                state="delivered",
                attempts=col(OutboxRow.attempts) + 1,
                leased_until=None,
                delivery_id=str(delivery_id)[:128],
                delivered_at=self.core.now(),
                # The text was only needed to send it; the message itself is stored
                # redacted. Sealed under a key nobody keeps: the column stays
                # well-formed, the text is gone.
                sealed_payload=seal(DataKey.generate(), "{}", aad=OUTBOX_PAYLOAD.context(row.id)),
            )
        )
        if getattr(result, "rowcount", 0) != 1:
            return  # erased meanwhile
        if row.conversation_id is not None:
            work.publish(
                conversation_topic(row.conversation_id),
                "message.delivered",
                conversation=row.conversation_id,
                message=row.message_id,
            )

    async def _failed_attempt(
        self, row: OutboxRow, code: str, *, retry_after: float | None
    ) -> None:
        if row.attempts + 1 >= MAX_ATTEMPTS:
            await self._give_up(row, code)
            return
        async with self.core.database.session() as session:
            stored = await session.get(OutboxRow, row.id)
            if stored is None:
                return
            _attempt_done(stored, error=code)
            delay = backoff_seconds(stored.attempts, retry_after)
            stored.next_attempt_at = self.core.now() + timedelta(seconds=delay)
            session.add(stored)
        self.core.metrics.outbound_messages.labels(channel=row.channel, outcome="retry").inc()
        log_event(
            log,
            "outbox.retry",
            logging.WARNING,
            outbox=row.id,
            error=code,
            attempts=row.attempts + 1,
        )

    async def _give_up(self, row: OutboxRow, code: str, *, recipient_gone: bool = False) -> None:
        async with unit_of_work(self.core) as work:
            stored = await work.session.get(OutboxRow, row.id)
            if stored is None:
                return
            _attempt_done(stored, state="failed", error=code)
            work.session.add(stored)
            if row.conversation_id is not None:
                conversation = await work.session.get(Conversation, row.conversation_id)
                if conversation is not None:
                    conversation.delivery_failed = True
                    work.session.add(conversation)
                    work.publish(
                        conversation_topic(conversation.id),
                        "message.failed",
                        conversation=conversation.id,
                        message=row.message_id,
                    )
                    work.publish(
                        "staff", "conversation.delivery_failed", conversation=conversation.id
                    )
                    if recipient_gone:
                        await run_event(work, conversation, RecipientGoneEvent())
        self.core.metrics.outbound_messages.labels(channel=row.channel, outcome="failed").inc()
        log_event(log, "outbox.failed", logging.WARNING, outbox=row.id, error=code)

    async def _drop(self, row: OutboxRow) -> None:
        async with self.core.database.session() as session:
            stored = await session.get(OutboxRow, row.id)
            if stored is not None:
                await session.delete(stored)
