"""A consultant on Matrix, against a real Synapse: the resident's consent question arrives as
numbered choices (end-to-end encrypted where the room is), a keycap reaction or a typed number
answers it, the consultant's reply arrives under their name and organisation, and the phrase
ends their presence; nobody reads anything before the yes or after the end."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.access import Staff
from bot.actions import consultations as consult
from bot.actions import conversations as actions
from bot.commands import Command, command_word
from bot.errors import ActionError
from tests.adapters.synapse import Synapse, synapse_server
from tests.adapters.test_matrix import (
    Bot,
    MatrixResident,
    bot,
    counsellor,
    eventually,
    matrix_resident,
    triage_to_queue,
)
from tests.support.consultants import ORGANISATION, consultant, consultation_audit, kept_out

__all__ = ["bot", "synapse_server"]  # fixtures, used by name below

pytestmark = [pytest.mark.asyncio, pytest.mark.matrix]

KEYCAP_ONE = "1\ufe0f\u20e3"


def text(bot: Bot, key: str, **params: object) -> str:
    return str(bot.core.texts.text("fi", key, **params))


async def asked(
    bot: Bot, resident: MatrixResident, room_id: str, purpose: str
) -> tuple[Staff, Staff, str, str]:
    """A counsellor holds the chat and invites the consultant; the question has arrived.
    Returns the counsellor, the consultant, the consultation's id and the question's event."""
    await triage_to_queue(bot, resident, room_id)
    conversation = await bot.conversation(resident)
    tiina = await counsellor(bot, "Tiina")
    await actions.claim(bot.core, tiina, conversation.id)
    guest = await consultant(bot.core)
    invited = await consult.invite(
        bot.core, tiina, conversation.id, consultant_id=guest.user_id, purpose=purpose
    )
    question = text(
        bot,
        "consult_question",
        name="Veli",
        organisation=ORGANISATION,
        purpose=text(bot, f"consult_purpose_{purpose}"),
    )
    await eventually(
        lambda: any(body.startswith(question) for body in resident.texts(room_id)), "the question"
    )
    event_id = next(
        event
        for room, event, body, _ in resident.messages
        if room == room_id and body.startswith(question)
    )
    return tiina, guest, invited.id, event_id


async def react(resident: MatrixResident, room_id: str, event_id: str, key: str) -> None:
    from nio import RoomSendResponse

    response = await resident.client.room_send(
        room_id,
        "m.reaction",
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}},
        ignore_unverified_devices=True,
    )
    assert isinstance(response, RoomSendResponse), response


async def test_in_an_encrypted_room_a_keycap_yes_lets_the_consultant_in_and_the_phrase_ends_it(
    bot: Bot, synapse_server: Synapse, tmp_path: Path
) -> None:
    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=True)
        _, guest, consultation, question = await asked(bot, resident, room_id, "debt")
        [body] = [body for _, event, body, _ in resident.messages if event == question]
        assert "\n\n1. " in body and "\n2. " in body  # yes and no, as numbered lines
        assert await kept_out(bot.core, guest, consultation)

        await react(resident, room_id, question, KEYCAP_ONE)
        agreed = text(bot, "consult_agreed")
        await eventually(
            lambda: any(body.startswith(agreed) for body in resident.texts(room_id)), "the yes"
        )
        await resident.write(room_id, "Velkoja on noin 3000 euroa")

        async def seen() -> bool:
            try:
                view = await consult.read(bot.core, guest, consultation)
            except ActionError:
                return False
            return "Velkoja on noin 3000 euroa" in [m.text for m in view.messages]

        await eventually(seen, "the resident's message to reach the consultant")
        await consult.reply(bot.core, guest, consultation, "Autan mielelläni.")
        signed = f"Veli ({ORGANISATION}): Autan mielelläni."
        await eventually(lambda: signed in resident.texts(room_id), "the consultant's reply")

        await resident.write(room_id, command_word("fi", Command.END_CONSULT))
        ended = text(bot, "consult_ended")
        await eventually(lambda: ended in resident.texts(room_id), "the end of the consultation")
        assert await kept_out(bot.core, guest, consultation)
        # Every answer the resident saw was end-to-end encrypted by the bot's device.
        assert all(decrypted for *_, decrypted in resident.messages)
    assert await consultation_audit(bot.core) == [
        ("create", "consultation debt: invited"),
        ("consent", "consultation debt: agreed"),
        ("disclose", "debt"),
        ("update", "consultation ended: resident"),
    ]


async def test_a_typed_two_says_no_and_the_consultant_stays_out(
    bot: Bot, synapse_server: Synapse, tmp_path: Path
) -> None:
    async with matrix_resident(synapse_server, tmp_path / "resident") as resident:
        room_id = await resident.open_direct_chat(bot.adapter.user_id, encrypted=False)
        _, guest, consultation, _ = await asked(bot, resident, room_id, "income")
        await resident.write(room_id, "2")
        declined = text(bot, "consult_declined")
        await eventually(lambda: declined in resident.texts(room_id), "the no")
        assert await kept_out(bot.core, guest, consultation)
    assert await consultation_audit(bot.core) == [
        ("create", "consultation income: invited"),
        ("consent", "consultation income: refused"),
    ]
