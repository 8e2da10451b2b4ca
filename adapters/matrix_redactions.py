"""Redacting earlier messages in a room: the bot's own on a moderator's retraction; on the
erasure a resident asked for, the bot's and, where the room's power levels let the bot
redact others' events, the resident's own ("in:" ids: their texts and files). Refusals are
counted in the log, never raised."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from aiohttp import ClientConnectionError
from nio import ErrorResponse

from adapters.base import EventLog
from adapters.matrix_events import event_of_ref

WITHDRAW_BUDGET_SECONDS = 20.0


async def retract(client: Any, room_id: str, delivery_ids: Iterable[str], log: EventLog) -> None:
    """Redact single earlier bot messages (a moderator removed them); the room stays.

    Best effort: a refusal is counted, never raised, so the notice that goes with it is sent.
    """
    targets = [e for e in dict.fromkeys(delivery_ids) if not e.startswith("in:")]
    failed = await _redact(client, room_id, targets, "retract")
    log("matrix.retracted", redacted=len(targets) - failed, failed=failed)


async def may_redact_others(client: Any, room_id: str) -> bool:
    """Whether the bot may redact another member's events in the room: as one of its
    creators (room version 12 on, MSC4289: a direct chat made with the trusted_private_chat
    preset, as Element makes them, names the invited bot an additional creator), or by its
    power level (earlier versions, where that preset gives the bot the creator's level).
    A private_chat room leaves the bot at level 0: no."""
    room = client.rooms.get(room_id)
    if room is None:
        return False
    own = client.user_id
    if _creators_are_privileged(str(room.room_version)):
        # nio does not keep the create event's additional creators: ask the server.
        create = await client.room_get_state_event(room_id, "m.room.create")
        content = getattr(create, "content", None)
        creators = content.get("additional_creators") if isinstance(content, dict) else None
        if isinstance(creators, list) and own in creators:
            return True
    levels = getattr(room, "power_levels", None)
    if levels is None:
        return False
    return bool(
        levels.can_user_redact(own) and levels.can_user_send_message(own, "m.room.redaction")
    )


def _creators_are_privileged(room_version: str) -> bool:
    return room_version == "org.matrix.hydra.11" or (
        room_version.isdigit() and int(room_version) >= 12
    )


async def withdraw(
    client: Any,
    room_id: str,
    delivery_ids: Iterable[str],
    withdrawn: set[str],
    log: EventLog,
    *,
    residents_too: bool = False,
) -> None:
    """Redact the bot's own messages and, with `residents_too`, the resident's ("in:"):
    their texts, and their files' events with the mxc URI and key. Without that power the
    resident's messages stay in the room for them to delete.

    `withdrawn` holds the ids already redacted (a retried erasure skips them) and gains the
    ones redacted now; what the time budget leaves undone counts as failed.
    """
    ids = list(delivery_ids)
    # A caption is stored under its own reference to the event that carried it.
    residents = list(
        dict.fromkeys(event_of_ref(ref.removeprefix("in:")) for ref in ids if ref.startswith("in:"))
    )
    targets = [ref for ref in ids if not ref.startswith("in:")]
    if residents_too:
        targets += residents
    targets = [event_id for event_id in dict.fromkeys(targets) if event_id not in withdrawn]
    deadline = time.monotonic() + WITHDRAW_BUDGET_SECONDS
    failed = await _redact(
        client, room_id, targets, "withdraw", deadline=deadline, redacted=withdrawn
    )
    log(
        "matrix.withdrawn",
        redacted=len(targets) - failed,
        failed=failed,
        residents_kept=0 if residents_too else len(residents),
    )


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
