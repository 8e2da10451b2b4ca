"""Redacting the bot's own earlier messages in a room: a moderator's retraction, or the
erasure a resident asked for. A resident's own messages ("in:" ids) are never touched;
refusals are counted in the log, never raised."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from aiohttp import ClientConnectionError
from nio import ErrorResponse

from adapters.base import EventLog

WITHDRAW_BUDGET_SECONDS = 20.0


async def retract(client: Any, room_id: str, delivery_ids: Iterable[str], log: EventLog) -> None:
    """Redact single earlier bot messages (a moderator removed them); the room stays.

    Best effort: a refusal is counted, never raised, so the notice that goes with it is sent.
    """
    targets = [e for e in dict.fromkeys(delivery_ids) if not e.startswith("in:")]
    failed = await _redact(client, room_id, targets, "retract")
    log("matrix.retracted", redacted=len(targets) - failed, failed=failed)


async def withdraw(
    client: Any,
    room_id: str,
    delivery_ids: Iterable[str],
    withdrawn: set[str],
    log: EventLog,
) -> None:
    """Redact the bot's own messages; a resident's own ("in:") the bot may not redact.

    `withdrawn` holds the ids already redacted (a retried erasure skips them) and gains the
    ones redacted now; what the time budget leaves undone counts as failed.
    """
    targets = [
        event_id
        for event_id in delivery_ids
        if not event_id.startswith("in:") and event_id not in withdrawn
    ]
    deadline = time.monotonic() + WITHDRAW_BUDGET_SECONDS
    failed = await _redact(
        client, room_id, targets, "withdraw", deadline=deadline, redacted=withdrawn
    )
    log("matrix.withdrawn", redacted=len(targets) - failed, failed=failed)


async def _redact(
    client: Any,
    room_id: str,
    targets: Iterable[str],
    purpose: str,
    *,
    deadline: float | None = None,
    redacted: set[str] | None = None,
) -> int:
    """Redact each event, its transaction id named by `purpose`; how many failed (refused,
    unreachable, or not tried by the monotonic `deadline`). Those redacted join `redacted`."""
    failed = 0
    for event_id in targets:
        if deadline is not None and time.monotonic() > deadline:
            failed += 1
            continue
        try:
            response = await client.room_redact(room_id, event_id, tx_id=f"{purpose}-{event_id}")
        except (ClientConnectionError, TimeoutError):
            failed += 1
            continue
        if isinstance(response, ErrorResponse):
            failed += 1
        elif redacted is not None:
            redacted.add(event_id)
    return failed
