"""The rolling aggregate of recent waits (issue 23): written by every claim, in the database,
holding nothing that leads back to a conversation, and pruned to the window."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import col, select

from bot.actions import conversations as actions
from bot.jobs import housekeeping
from bot.service import Service
from bot.store.queue_waits import RECENT, WINDOW, QueueWait
from bot.store.tables import Conversation
from tests.bot.officer.scenario import conversation_of
from tests.bot.test_language_routing import waiting_in
from tests.support.chat import Harness


async def _waits(harness: Harness) -> list[QueueWait]:
    async with harness.core.database.session() as session:
        return list((await session.execute(select(QueueWait))).scalars())


def _columns(connection: Connection) -> set[str]:
    return {column["name"] for column in sa.inspect(connection).get_columns("queue_wait")}


async def test_a_claim_records_its_wait_in_the_claiming_transaction(harness: Harness) -> None:
    anna = await harness.staff("anna")
    _, waiting = await waiting_in(harness, "aino", "fi")
    assert await _waits(harness) == []
    claimed = await actions.claim(harness.core, anna, waiting)
    assert claimed.queued_at is not None and claimed.claimed_at is not None
    [wait] = await _waits(harness)
    assert (wait.queue_id, wait.language, wait.claimed_at) == ("general", "fi", claimed.claimed_at)
    # To the millisecond: SQLite reads its stored times no finer.
    expected = (claimed.claimed_at - claimed.queued_at).total_seconds()
    assert abs(wait.waited_seconds - expected) < 0.002


async def test_a_conversation_claimed_again_after_a_release_counts_each_claim(
    harness: Harness,
) -> None:
    anna = await harness.staff("anna")
    _, waiting = await waiting_in(harness, "aino", "fi")
    await actions.claim(harness.core, anna, waiting)
    await actions.release(harness.core, anna, waiting)
    await actions.claim(harness.core, anna, waiting)
    assert len(await _waits(harness)) == 2


async def test_the_aggregate_holds_no_conversation_id_and_no_pseudonym(
    harness: Harness,
) -> None:
    """What "delete my data" need not touch: the table has no column that could hold an id
    or a pseudonym, and no value of a claimed conversation's id or pseudonym is in it."""
    anna = await harness.staff("anna")
    resident, waiting = await waiting_in(harness, "aino", "fi")
    await actions.claim(harness.core, anna, waiting)
    async with harness.core.database.engine.connect() as connection:
        columns = await connection.run_sync(_columns)
        rows = (await connection.execute(sa.text("SELECT * FROM queue_wait"))).all()
    assert columns == {"id", "queue_id", "language", "claimed_at", "waited_seconds"}
    async with harness.core.database.session() as session:
        conversation = await session.get(Conversation, waiting)
    assert conversation is not None
    stored = {str(value) for row in rows for value in row}
    assert len(rows) == 1 and not {conversation.id, conversation.pseudonym} & stored

    # Erasing the resident leaves the wait: nothing in it is theirs to erase.
    await resident.write("poista tietoni")
    assert await conversation_of(harness, resident) == "None"
    assert len(await _waits(harness)) == 1


async def test_housekeeping_prunes_to_the_window_and_each_routes_newest(
    service: Service,
) -> None:
    core = service.core
    now = core.now()
    routes = {("general", "fi"): RECENT + 5, ("general", None): 3, ("other", "fi"): 2}
    async with core.database.session() as session:
        for (queue_id, language), count in routes.items():
            for n in range(count):
                session.add(
                    QueueWait(
                        queue_id=queue_id,
                        language=language,
                        claimed_at=now - timedelta(minutes=1 + n),
                        waited_seconds=60.0 * n,
                    )
                )
            session.add(
                QueueWait(
                    queue_id=queue_id,
                    language=language,
                    claimed_at=now - WINDOW - timedelta(minutes=1),
                    waited_seconds=1.0,
                )
            )
    await housekeeping(core)
    async with core.database.session() as session:
        rows = list((await session.execute(select(QueueWait))).scalars())
        newest_fi = (
            await session.execute(
                select(QueueWait.waited_seconds)
                .where(col(QueueWait.queue_id) == "general", col(QueueWait.language) == "fi")
                .order_by(col(QueueWait.claimed_at).desc())
            )
        ).scalars()
    kept = {route: 0 for route in routes}
    for row in rows:
        kept[(row.queue_id, row.language)] += 1
        assert row.claimed_at >= now - WINDOW
    assert kept == {("general", "fi"): RECENT, ("general", None): 3, ("other", "fi"): 2}
    assert list(newest_fi) == [60.0 * n for n in range(RECENT)]
