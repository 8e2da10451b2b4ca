"""Relays a participant's or moderator's message to everyone else in the session.

Relays what the dispatcher redacted (it runs the length, crisis and redaction checks once for
every route), holds crisis messages back for the moderators only, and seals what it keeps with
the session key; never relays a platform name, id or address.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from bot.actions.context import Work
from bot.ids import new_id
from bot.inbound_text import CheckedText
from privacy.crypto import seal, unseal

from .delivery import deliveries_aad, group_key, message_aad, queue_to_participant
from .session_rules import tell_moderators
from .sessions import GroupLimits, present
from .tables import GroupMessage, GroupParticipant, GroupSession


@dataclass(frozen=True, slots=True)
class Relayed:
    message_id: str
    recipients: int
    redacted_items: int
    held_back: bool


async def store_group_message(
    work: Work,
    group: GroupSession,
    text: str,
    *,
    participant: GroupParticipant | None = None,
    moderator_user_id: str | None = None,
    held_back: bool = False,
    redacted_items: int = 0,
) -> GroupMessage:
    message_id = new_id()
    key = await group_key(work, group.id)
    author = participant.nickname if participant is not None else None
    body = json.dumps({"text": text, "nickname": author}, ensure_ascii=False)
    message = GroupMessage(
        id=message_id,
        session_id=group.id,
        participant_id=participant.id if participant else None,
        moderator_user_id=moderator_user_id,
        sealed_body=seal(key, body, aad=message_aad(message_id)),
        held_back=held_back,
        redacted_items=redacted_items,
        created_at=work.core.now(),
    )
    work.session.add(message)
    return message


async def read_body(work: Work, message: GroupMessage) -> dict[str, str | None]:
    key = await group_key(work, message.session_id)
    loaded: dict[str, str | None] = json.loads(
        unseal(key, message.sealed_body, aad=message_aad(message.id))
    )
    return loaded


async def fan_out(
    work: Work,
    group: GroupSession,
    message: GroupMessage,
    *,
    exclude: str | None,
    text_of: str,
    params: dict[str, object],
) -> int:
    """One outbox row per other participant, in their own language; remembers where each went."""
    deliveries: dict[str, str] = {}
    for other in await present(work.session, group.id):
        if other.id == exclude:
            continue
        text = work.core.texts.text(other.language, text_of, **params)
        row = await queue_to_participant(work, other, text, message_id=message.id)
        deliveries[row.id] = other.id
    key = await group_key(work, group.id)
    message.sealed_deliveries = seal(key, json.dumps(deliveries), aad=deliveries_aad(message.id))
    work.session.add(message)
    return len(deliveries)


def _within_rate(work: Work, participant: GroupParticipant) -> tuple[bool, bool]:
    """(allowed, tell): a flood is dropped; the sender is told once per window."""
    limits = GroupLimits.of(work.core.settings)
    now = work.core.now()
    window = timedelta(seconds=limits.window_seconds)
    if participant.window_started_at is None or now - participant.window_started_at >= window:
        participant.window_started_at = now
        participant.window_count = 0
    participant.window_count += 1
    work.session.add(participant)
    allowed = participant.window_count <= limits.messages_per_window
    return allowed, participant.window_count == limits.messages_per_window + 1


async def participant_message(
    work: Work, group: GroupSession, participant: GroupParticipant, checked: CheckedText
) -> Relayed | None:
    """Relay one participant message, or tell them kindly why it was not relayed."""
    core, lang = work.core, participant.language
    if participant.muted:
        await queue_to_participant(work, participant, core.texts.text(lang, "group_muted"))
        return None
    if checked.too_long:
        await queue_to_participant(
            work,
            participant,
            core.texts.text(lang, "too_long", max=core.settings.max_message_chars),
        )
        return None
    allowed, tell = _within_rate(work, participant)
    if not allowed:
        if tell:
            await queue_to_participant(work, participant, core.texts.text(lang, "rate_limited"))
        return None
    redaction = checked.redaction()
    redacted = redaction.text
    crisis = checked.crisis
    message = await store_group_message(
        work,
        group,
        redacted,
        participant=participant,
        held_back=crisis,
        redacted_items=len(redaction.findings),
    )
    if redaction.findings:
        await queue_to_participant(work, participant, core.texts.text(lang, "pii_hidden_notice"))
    recipients = 0
    if crisis:
        # Other participants may be vulnerable too: the moderators see it and answer; the
        # sender gets the emergency numbers privately at once.
        await queue_to_participant(work, participant, core.texts.text(lang, "group_crisis"))
        tell_moderators(
            work,
            group.id,
            "group.crisis",
            message=message.id,
            participant=participant.id,
        )
        work.publish("staff", "group.crisis", session=group.id, message=message.id)
    else:
        recipients = await fan_out(
            work,
            group,
            message,
            exclude=participant.id,
            text_of="group_relay",
            params={"nickname": participant.nickname, "text": redacted},
        )
    tell_moderators(
        work,
        group.id,
        "group.message",
        message=message.id,
        participant=participant.id,
        held_back=crisis,
    )
    return Relayed(message.id, recipients, len(redaction.findings), crisis)
