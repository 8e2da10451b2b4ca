"""Residents joining and leaving an open group session, and who is present in it.

Never shows a participant anything about another but their nickname; a reply address is
stored only sealed under the session's key.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.actions.context import Work
from bot.ids import new_id
from bot.store import conversations as conversation_store
from bot.texts import DEFAULT_LANGUAGE, LANGUAGES
from privacy.crypto import seal

from .commands import GroupCommand, group_word
from .delivery import (
    group_key,
    participant_address_aad,
    queue_to_address,
    queue_to_participant,
    seal_participant_address,
)
from .nicknames import nickname_for
from .session_rules import GroupState, by_code, every_row, tell_moderators
from .tables import GroupParticipant, GroupSession


async def active_participation(
    session: AsyncSession, pseudonym: str, channel: str
) -> GroupParticipant | None:
    """The resident's current place in an open session on this channel, if any."""
    query = (
        select(GroupParticipant)
        .join(GroupSession, col(GroupSession.id) == col(GroupParticipant.session_id))
        .where(
            GroupParticipant.pseudonym == pseudonym,
            GroupParticipant.channel == channel,
            col(GroupParticipant.left_at).is_(None),
            col(GroupParticipant.removed).is_(False),
            GroupSession.state == str(GroupState.OPEN),
        )
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def present(session: AsyncSession, session_id: str) -> list[GroupParticipant]:
    query = (
        select(GroupParticipant)
        .where(
            GroupParticipant.session_id == session_id,
            col(GroupParticipant.left_at).is_(None),
            col(GroupParticipant.removed).is_(False),
        )
        .order_by(col(GroupParticipant.joined_at))
    )
    return await every_row(session, query)


async def resident_language(work: Work, pseudonym: str, channel: str, hint: str | None) -> str:
    """The language to answer a resident in: their hint, their chat's language, or Finnish."""
    if hint in LANGUAGES:
        return str(hint)
    conversation = await conversation_store.latest_for(work.session, pseudonym, channel)
    if conversation is not None and conversation.language in LANGUAGES:
        return str(conversation.language)
    return DEFAULT_LANGUAGE


async def _tell(
    work: Work, channel: str, address: str, language: str, key: str, **params: object
) -> None:
    text = work.core.texts.text(language, key, **params)
    await queue_to_address(
        work, channel=channel, reply_address=address, text=text, language=language
    )


async def join(
    work: Work, *, pseudonym: str, channel: str, reply_address: str, hint: str | None, code: str
) -> GroupParticipant | None:
    """Join the open session with this code, or tell the resident why not (in their language)."""
    core = work.core
    language = await resident_language(work, pseudonym, channel, hint)
    group = await by_code(work.session, code) if code else None
    if group is None or group.state == GroupState.CANCELLED:
        await _tell(work, channel, reply_address, language, "group_unknown", code=code or "—")
        return None
    if channel not in group.channels:
        await _tell(
            work, channel, reply_address, language, "group_wrong_channel", title=group.title
        )
        return None
    if group.state == GroupState.SCHEDULED:
        when = core.texts.format_when(language, group.starts_at, zone=core.settings.zone)
        await _tell(
            work,
            channel,
            reply_address,
            language,
            "group_not_open_yet",
            title=group.title,
            when=when,
        )
        return None
    if group.state != GroupState.OPEN:
        await _tell(work, channel, reply_address, language, "group_closed", title=group.title)
        return None
    query = select(GroupParticipant).where(
        GroupParticipant.session_id == group.id, GroupParticipant.pseudonym == pseudonym
    )
    existing = (await work.session.execute(query)).scalar_one_or_none()
    if existing is not None and existing.removed:
        await _tell(
            work, channel, reply_address, language, "group_removed_cannot_rejoin", title=group.title
        )
        return None
    if existing is not None and existing.left_at is None and existing.channel == channel:
        await seal_participant_address(work, existing, reply_address)
        work.session.add(existing)
        await _welcome(work, group, existing)
        return existing
    others = await present(work.session, group.id)
    if len(others) >= group.capacity:
        await _tell(work, channel, reply_address, language, "group_full", title=group.title)
        return None
    current = await active_participation(work.session, pseudonym, channel)
    if current is not None and current.session_id != group.id:
        await leave(work, current, tell=False)
    now = core.now()
    if existing is None:
        taken_query = select(GroupParticipant.nickname).where(
            GroupParticipant.session_id == group.id
        )
        taken = set((await work.session.execute(taken_query)).scalars())
        participant_id = new_id()
        key = await group_key(work, group.id)
        participant = GroupParticipant(
            id=participant_id,
            session_id=group.id,
            pseudonym=pseudonym,
            channel=channel,
            nickname=nickname_for(core.keyring.pepper, group.id, pseudonym, group.language, taken),
            language=language,
            sealed_reply_address=seal(
                key, reply_address, aad=participant_address_aad(participant_id)
            ),
            joined_at=now,
        )
    else:
        participant = existing
        participant.left_at = None
        participant.joined_at = now
        participant.channel = channel
        participant.language = language
    await seal_participant_address(work, participant, reply_address)
    work.session.add(participant)
    await work.session.flush()
    await _welcome(work, group, participant)
    await _tell_others(
        work,
        others,
        participant,
        "group_participant_joined",
        "group.participant_joined",
        nickname=participant.nickname,
    )
    return participant


async def _welcome(work: Work, group: GroupSession, participant: GroupParticipant) -> None:
    texts, lang = work.core.texts, participant.language
    lines = [
        texts.text(
            lang,
            "group_joined",
            title=group.title,
            nickname=participant.nickname,
            leave_word=group_word(lang, GroupCommand.LEAVE),
        )
    ]
    if group.pinned_agenda:
        lines.append(texts.text(lang, "group_agenda", agenda=group.pinned_agenda))
    await queue_to_participant(
        work,
        participant,
        "\n\n".join(lines),
        choices=[("group:leave", texts.text(lang, "group_leave_button"))],
    )


async def _tell_others(
    work: Work,
    others: list[GroupParticipant],
    participant: GroupParticipant,
    text_key: str,
    event: str,
    **payload: object,
) -> None:
    """Tell the others present, each in their own language (`text_key`), and the moderators
    (`event`) that `participant` came or went."""
    for other in others:
        if other.id != participant.id:
            text = work.core.texts.text(other.language, text_key, nickname=participant.nickname)
            await queue_to_participant(work, other, text)
    tell_moderators(work, participant.session_id, event, participant=participant.id, **payload)


async def leave(work: Work, participant: GroupParticipant, *, tell: bool = True) -> None:
    now = work.core.now()
    participant.present_seconds += int((now - participant.joined_at).total_seconds())
    participant.left_at = now
    work.session.add(participant)
    if tell:
        await queue_to_participant(
            work, participant, work.core.texts.text(participant.language, "group_left")
        )
    others = await present(work.session, participant.session_id)
    await _tell_others(
        work, others, participant, "group_participant_left", "group.participant_left"
    )
