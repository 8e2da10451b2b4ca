"""The dispatcher's door into group sessions: group commands, buttons and participants' messages.

`route_group_message` runs inside the dispatcher's unit of work, after the block check; it
returns False for everything that is not about groups, which then takes the normal path.
"""

from __future__ import annotations

from bot.actions.context import Work
from bot.commands import Command, parse_command
from bot.events import Inbound
from bot.inbound_text import CheckedText

from . import announcements, relay, sessions
from .commands import GroupCommand, GroupRequest, parse_group_choice, parse_group_text
from .delivery import queue_to_address, queue_to_participant, seal_participant_address
from .sessions import active_participation, resident_language
from .tables import GroupSession


def group_request(inbound: Inbound) -> GroupRequest | None:
    """The group command or button an inbound is, if any (no database needed)."""
    if inbound.choice is not None:
        return parse_group_choice(inbound.choice)
    if inbound.text and inbound.media is None:
        return parse_group_text(inbound.text)
    return None


async def route_group_message(
    work: Work, pseudonym: str, inbound: Inbound, checked: CheckedText | None
) -> bool:
    """Handle the inbound if it is a group command or a participant's message; True if handled.

    `checked` holds the dispatcher's verdicts on a text (length, crisis, redaction): the
    group path reads them and runs none of those checks again.
    """
    request = group_request(inbound)
    participant = await active_participation(work.session, pseudonym, inbound.channel)
    if request is not None:
        await _run(work, pseudonym, inbound, request)
        return True
    if participant is None:
        return False
    group = await work.session.get(GroupSession, participant.session_id)
    if group is None:
        return False
    # A web-chat resident who reconnects answers from a new socket: follow them.
    await seal_participant_address(work, participant, inbound.reply_address)
    work.session.add(participant)
    if inbound.choice is not None:
        return False  # an old button of their one-to-one chat: the normal path knows it
    if inbound.media is not None or checked is None:
        text = work.core.texts.text(participant.language, "group_media_not_relayed")
        await queue_to_participant(work, participant, text)
        return True
    command = parse_command(inbound.text)
    if command is Command.DELETE:
        # Leave the group, then let the core erase their one-to-one data as asked.
        await sessions.leave(work, participant, tell=False)
        return False
    if command is Command.END:
        await sessions.leave(work, participant)
        return True
    await relay.participant_message(work, group, participant, checked)
    return True


async def _run(work: Work, pseudonym: str, inbound: Inbound, request: GroupRequest) -> None:
    channel, address = inbound.channel, inbound.reply_address
    language = await resident_language(work, pseudonym, channel, inbound.language_hint)
    if request.command is GroupCommand.JOIN:
        await sessions.join(
            work,
            pseudonym=pseudonym,
            channel=channel,
            reply_address=address,
            hint=inbound.language_hint,
            code=request.argument,
        )
    elif request.command is GroupCommand.LEAVE:
        participant = await active_participation(work.session, pseudonym, channel)
        if participant is None:
            text = work.core.texts.text(language, "group_not_in_session")
            await queue_to_address(
                work, channel=channel, reply_address=address, text=text, language=language
            )
        else:
            await sessions.leave(work, participant)
    elif request.command is GroupCommand.NEWS:
        if request.argument:
            await announcements.opt_in(
                work,
                pseudonym=pseudonym,
                channel=channel,
                reply_address=address,
                language=language,
                choice=request.argument,
            )
        else:
            await announcements.offer(
                work, channel=channel, reply_address=address, language=language
            )
    elif request.command is GroupCommand.STOP_NEWS:
        await announcements.withdraw(
            work, pseudonym=pseudonym, channel=channel, reply_address=address, language=language
        )
    elif request.command is GroupCommand.FEEDBACK:
        session_id, _, token = request.argument.partition(":")
        if await sessions.record_feedback(work, session_id, token, request.answer):
            text = work.core.texts.text(language, "group_feedback_thanks")
            await queue_to_address(
                work, channel=channel, reply_address=address, text=text, language=language
            )
