"""Impact figures that outlive retention: a closed conversation's anonymous facts, counted.

When a conversation closes, one is added to a counter per fact (its channel, language, topic,
outcome, each close tag, minutes waited and handled, crisis, transfers, whether the same
resident had an earlier conversation still kept, answered or left before a counsellor came),
keyed by the local day the contact began and its queue. A counter holds no conversation id,
no pseudonym and no time finer than the hour of day; the transcript's retention does not
touch it. Reports add counters up over days and hide cells under the threshold
(`bot/reports.py`). Feedback is counted the same way when it is given (`bot/feedback.py`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import col

from .core import Work
from .store.counters import add_counts
from .store.tables import Conversation, ImpactCount

# Minutes are counted exactly up to an hour, then in coarser steps: enough for a service
# target such as "90 % answered within 10 minutes" and for medians, without a long tail of
# counters that each describe one conversation.
MINUTE_STEPS = (*range(0, 60), 60, 75, 90, 120, 180, 240, 360, 480, 720, 1440)


def minute_step(minutes: float) -> int:
    """The largest step not above `minutes` (0 for anything under a minute)."""
    whole = max(0, int(minutes))
    chosen = 0
    for step in MINUTE_STEPS:
        if step > whole:
            break
        chosen = step
    return chosen


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds() / 60)


def facts_of_closed(
    conversation: Conversation, *, repeat: bool, zone_hour: int
) -> Iterable[tuple[str, str]]:
    """(measure, value) pairs one closed conversation adds one to."""
    yield "contacts", ""
    yield "hour", f"{zone_hour:02d}"
    yield "channel", conversation.channel
    yield "language", conversation.language or "not_chosen"
    yield "topic", conversation.topic_id or "not_chosen"
    yield "outcome", conversation.close_outcome or "none"
    for tag in conversation.close_tags or ():
        yield "tag", tag
    queued = conversation.queued_at is not None
    answered = conversation.claimed_at is not None
    yield "reached_queue", "yes" if queued else "no"
    if queued:
        yield "answered", "yes" if answered else "no"
    waited = _minutes(conversation.queued_at, conversation.claimed_at)
    if waited is not None:
        yield "wait_minutes", str(minute_step(waited))
    handled = _minutes(conversation.claimed_at, conversation.closed_at)
    if handled is not None:
        yield "handled_minutes", str(minute_step(handled))
    yield "crisis", "yes" if conversation.urgent else "no"
    transfers = conversation.transfers
    yield "transfers", "3+" if transfers >= 3 else str(transfers)
    yield "repeat", "yes" if repeat else "no"


async def count_closed(work: Work, conversation: Conversation) -> None:
    """Add the closed conversation's facts to the counters (in the closing transaction)."""
    zone = work.core.settings.zone
    began = conversation.created_at.astimezone(zone)
    earlier = await work.session.execute(
        select(func.count())
        .select_from(Conversation)
        .where(
            col(Conversation.pseudonym) == conversation.pseudonym,
            col(Conversation.channel) == conversation.channel,
            col(Conversation.created_at) < conversation.created_at,
            col(Conversation.id) != conversation.id,
        )
    )
    repeat = int(earlier.scalar_one()) > 0
    # One row per counter (see add_counts).
    facts = Counter(
        (measure, value[:64])
        for measure, value in facts_of_closed(conversation, repeat=repeat, zone_hour=began.hour)
    )
    rows = [
        {
            "day": began.date().isoformat(),
            "queue_id": conversation.queue_id or "",
            "measure": measure,
            "value": value,
            "count": count,
        }
        for (measure, value), count in facts.items()
    ]
    await add_counts(work.session, ImpactCount, ("day", "queue_id", "measure", "value"), rows)
