"""A conversation entering its queue, and waiting residents told their place as it moves.

A resident's place and wait are those of their route: their queue and the language they
chose (`bot/language_routing.py` serves each language's speakers first, so a Russian speaker
does not wait behind Finnish speakers). A resident who chose no language is placed in the
whole queue. Positions and estimates come from the store and `bot/routing.py`; never tells a
resident anything about another conversation than their own place.
"""

from __future__ import annotations

from collections import Counter

from . import routing
from .conversation import Enqueue, Say, State
from .core import Work
from .hub_topics import queue_topic
from .language_routing import route
from .replies import Run, say
from .store import conversations as conversation_store
from .store.queue_waits import WINDOW
from .store.tables import Conversation

# Below this many recent waits in a language its median says more about chance than about
# its counsellors (one slow or quick claim would set everyone's estimate), so the route's
# residents are given the whole queue's pace instead.
MIN_LANGUAGE_WAITS = 3


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
    waits = await RecentWaits(work, queue_id).of(conversation.language)
    minutes = routing.estimate_minutes(position, waits)
    await say(run, Say("queued", {"position": position, "minutes": minutes}))
    conversation.told_position = position


class RecentWaits:
    """Recent waits of one queue's routes, each asked of the store at most once per
    announcement, which tells many residents. They come from the rolling aggregate of the
    last claims (`bot/store/queue_waits.py`), shared by every instance, never from the
    conversations themselves, whose history only grows."""

    def __init__(self, work: Work, queue_id: str) -> None:
        self._work = work
        self._queue_id = queue_id
        self._asked: dict[str | None, list[float]] = {}

    async def of(self, language: str | None) -> list[float]:
        """The language's own recent waits when there are enough, else the whole queue's."""
        language = language or None
        if language not in self._asked:
            waits = await self._ask(language)
            if language is not None and len(waits) < MIN_LANGUAGE_WAITS:
                waits = await self.of(None)
            self._asked[language] = waits
        return self._asked[language]

    async def _ask(self, language: str | None) -> list[float]:
        since = self._work.core.now() - WINDOW
        return await conversation_store.recent_waits_minutes(
            self._work.session, self._queue_id, since, language=language
        )


def route_positions(waiting: list[Conversation]) -> list[int]:
    """Each waiting conversation's 1-based place on its route, for a queue's conversations
    in serving order: among those of its language, or in the whole queue without one. The
    same count as `conversation_store.position_in_queue`, in one pass."""
    per_language: Counter[str] = Counter()
    positions = []
    for overall, conversation in enumerate(waiting, start=1):
        if conversation.language:
            per_language[conversation.language] += 1
            positions.append(per_language[conversation.language])
        else:
            positions.append(overall)
    return positions


async def announce_positions(work: Work, queue_id: str) -> None:
    """Tell waiting residents of a queue their new place on their route when it moved
    forward meaningfully."""
    config = await work.core.flow.get(work.session)
    waiting = await conversation_store.waiting_in_queue(work.session, queue_id)
    waits = RecentWaits(work, queue_id)
    for position, conversation in zip(route_positions(waiting), waiting, strict=True):
        if conversation.state != State.QUEUED:
            continue
        if not routing.should_tell(conversation.told_position, position):
            continue
        run = Run(work, conversation, config)
        if position == 1:
            await say(run, Say("queue_next"))
        else:
            minutes = routing.estimate_minutes(position, await waits.of(conversation.language))
            await say(run, Say("queue_position", {"position": position, "minutes": minutes}))
        conversation.told_position = position
        work.session.add(conversation)
