"""Feedback answers as anonymous counts per queue, day, question and answer.

Nothing links a count to a conversation or a resident; never stores who answered.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .core import Work
from .store.rows import table_of
from .store.tables import FeedbackCount


async def record_feedback(work: Work, queue_id: str, question: str, answer: str) -> None:
    """Add one to an anonymous count; nothing links it to the conversation.

    The day is the service's local day (SOMESOSSU_TIME_ZONE), the day staff report on.
    """
    day = work.core.now().astimezone(work.core.settings.zone).date().isoformat()
    values = {"queue_id": queue_id, "day": day, "question": question, "answer": answer, "count": 1}
    bind = work.session.bind
    dialect = bind.dialect.name if bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(FeedbackCount).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["queue_id", "day", "question", "answer"],
        set_={"count": table_of(FeedbackCount).c.count + 1},
    )
    await work.session.execute(statement)
