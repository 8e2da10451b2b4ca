"""Outbox rows to one participant or opted-in resident, addressed without a conversation.

Sealed with the system key, the reply address inside the sealed payload (as the core's
`queue_system_message`); never writes a reply address or a text in clear.
"""

from __future__ import annotations

from bot.actions.context import Work
from bot.ids import new_id
from bot.sealed_formats import (
    GROUP_DELIVERIES,
    GROUP_MESSAGE_BODY,
    GROUP_REPLY_ADDRESS,
    OUTBOX_PAYLOAD,
    OutboxPayload,
)
from bot.sealing import KeyPurpose
from bot.store.tables import OutboxRow
from privacy.crypto import DataKey, seal, unseal

from .tables import GroupParticipant


def group_key_owner(session_id: str) -> str:
    """Owner id of a session's data key: destroying it crypto-shreds the session's content."""
    return f"group:{session_id}"


async def group_key(work: Work, session_id: str) -> DataKey:
    return await work.core.keys.get(
        work.session, group_key_owner(session_id), KeyPurpose.CONVERSATION
    )


# The contexts are defined in bot/sealed_formats.py; these names stay for the group modules.
def participant_address_aad(participant_id: str) -> str:
    return GROUP_REPLY_ADDRESS.context(participant_id)


def message_aad(message_id: str) -> str:
    return GROUP_MESSAGE_BODY.context(message_id)


def deliveries_aad(message_id: str) -> str:
    return GROUP_DELIVERIES.context(message_id)


def participant_thread(participant: GroupParticipant) -> str:
    """The outbox thread of one participant: their rows go out one after another, in order.

    The participant id alone is unique and keeps it within the column's 64 characters.
    """
    return f"group:{participant.id}"


async def participant_address(work: Work, participant: GroupParticipant) -> str:
    key = await group_key(work, participant.session_id)
    return unseal(
        key, participant.sealed_reply_address, aad=participant_address_aad(participant.id)
    )


async def seal_participant_address(
    work: Work, participant: GroupParticipant, reply_address: str
) -> None:
    key = await group_key(work, participant.session_id)
    participant.sealed_reply_address = seal(
        key, reply_address, aad=participant_address_aad(participant.id)
    )


async def queue_to_address(
    work: Work,
    *,
    channel: str,
    reply_address: str,
    text: str,
    language: str | None,
    choices: list[tuple[str, str]] | None = None,
    message_id: str | None = None,
    retract: list[str] | None = None,
    thread: str | None = None,
) -> OutboxRow:
    """One outbox row to an address. `retract`: delivery ids for the platform to delete.

    `retract` rides in the sealed payload. `thread` names the recipient (never by a platform
    id): rows of one thread are delivered in order, a retried row holding back the later ones.
    """
    outbox_id = new_id()
    key = await work.core.keys.system_key(work.session)
    payload = OutboxPayload(
        text=text,
        choices=tuple(choices or ()),
        reply_address=reply_address,
        language=language,
        retract=tuple(retract or ()),
    )
    row = OutboxRow.row(
        id=outbox_id,
        conversation_id=None,
        channel=channel,
        message_id=message_id,
        thread=thread,
        sealed_payload=seal(key, payload.to_json(), aad=OUTBOX_PAYLOAD.context(outbox_id)),
        created_at=work.core.now(),
        next_attempt_at=work.core.now(),
    )
    work.session.add(row)
    work.outbox_added = True
    return row


async def queue_to_participant(
    work: Work,
    participant: GroupParticipant,
    text: str,
    *,
    choices: list[tuple[str, str]] | None = None,
    message_id: str | None = None,
    retract: list[str] | None = None,
) -> OutboxRow:
    return await queue_to_address(
        work,
        channel=participant.channel,
        reply_address=await participant_address(work, participant),
        text=text,
        language=participant.language,
        choices=choices,
        message_id=message_id,
        retract=retract,
        thread=participant_thread(participant),
    )
