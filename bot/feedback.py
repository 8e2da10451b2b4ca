"""Feedback answers as anonymous counts per queue, day, question and answer.

Nothing links a count to a conversation or a resident; never stores who answered.
"""

from __future__ import annotations

from .core import Work
from .store.counters import add_counts
from .store.tables import FeedbackCount


async def record_feedback(work: Work, queue_id: str, question: str, answer: str) -> None:
    """Add one to an anonymous count; nothing links it to the conversation.

    The day is the service's local day (SOMESOSSU_TIME_ZONE), the day staff report on.
    """
    day = work.core.now().astimezone(work.core.settings.zone).date().isoformat()
    values = {"queue_id": queue_id, "day": day, "question": question, "answer": answer, "count": 1}
    await add_counts(
        work.session, FeedbackCount, ("queue_id", "day", "question", "answer"), [values]
    )
