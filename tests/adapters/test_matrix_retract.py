"""Retraction of a single message on Matrix (a moderator removed it), against real Synapse.

The bot redacts just that event and stays in the room, unlike erasure, which leaves it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.events import DeliveryId, Outbound, ReplyAddress
from tests.adapters.synapse import Synapse, synapse_server
from tests.adapters.test_matrix import Bot, bot, eventually, matrix_resident, triage_to_queue

__all__ = ["bot", "synapse_server"]  # fixtures, used by name below


@pytest.mark.matrix
async def test_a_retracted_message_is_redacted_and_the_bot_stays_in_the_room(
    bot: Bot, synapse_server: Synapse, tmp_path: Path
) -> None:
    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=False)
        await triage_to_queue(bot, resident, room_id)
        events = [event_id for room, event_id, *_ in resident.messages if room == room_id]
        removed, kept = events[-1], events[0]
        await bot.adapter.send(
            ReplyAddress(room_id),
            Outbound("retract-1", "Viesti poistettiin", retract=(DeliveryId(removed),)),
        )
        await eventually(lambda: removed in resident.redacted, "the redaction")
        await eventually(
            lambda: "Viesti poistettiin" in resident.texts(room_id), "the notice after it"
        )
        assert kept not in resident.redacted
        assert bot.adapter.user_id in resident._joined(room_id)
