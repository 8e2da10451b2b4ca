"""A conversation entering its queue, and waiting residents told their place as it moves.

Positions and estimates come from the store and `bot/routing.py`; never tells a resident
anything about another conversation than their own place.
"""

from __future__ import annotations

from datetime import timedelta

from . import routing
from .conversation import Enqueue, Say, State
from .core import Work
from .hub_topics import queue_topic
from .language_routing import route
from .replies import Run, say
from .store import conversations as conversation_store


async def enqueue(run: Run, effect: Enqueue) -> None:
    work, conversation = run.work, run.conversation
    now = work.core.now()
    queue_id = await route(work, conversation, effect.queue_id)
    conversation.queue_id = queue_id
    if conversation.queued_at is None:
        conversation.queued_at = now
    work.session.add(conversation)
    await work.session.flush()
    work.publish(
        queue_topic(queue_id),
        "conversation.queued",
        conversation=conversation.id,
        urgent=conversation.urgent,
    )
    work.publish(
        "staff",
        "conversation.queued",
        conversation=conversation.id,
        queue=queue_id,
        urgent=conversation.urgent,
    )
    if not effect.open_now:
        return
    position = await conversation_store.position_in_queue(work.session, conversation)
    minutes = await _estimate(work, queue_id, position)
    await say(run, Say("queued", {"position": position, "minutes": minutes}))
    conversation.told_position = position


async def _recent_waits(work: Work, queue_id: str) -> list[float]:
    since = work.core.now() - timedelta(hours=3)
    return await conversation_store.recent_waits_minutes(work.session, queue_id, since)


async def _estimate(work: Work, queue_id: str, position: int) -> int:
    return routing.estimate_minutes(position, await _recent_waits(work, queue_id))


async def announce_positions(work: Work, queue_id: str) -> None:
    """Tell waiting residents of a queue their new place when it moved forward meaningfully."""
    config = await work.core.flow.get(work.session)
    waiting = await conversation_store.waiting_in_queue(work.session, queue_id)
    waits: list[float] | None = None  # asked once for every resident told below
    for position, conversation in enumerate(waiting, start=1):
        if conversation.state != State.QUEUED:
            continue
        if not routing.should_tell(conversation.told_position, position):
            continue
        run = Run(work, conversation, config)
        if position == 1:
            await say(run, Say("queue_next"))
        else:
            if waits is None:
                waits = await _recent_waits(work, queue_id)
            minutes = routing.estimate_minutes(position, waits)
            await say(run, Say("queue_position", {"position": position, "minutes": minutes}))
        conversation.told_position = position
        work.session.add(conversation)
