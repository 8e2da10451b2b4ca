"""Impact reports (issue 21): counted at closing, anonymous, surviving retention, exported as
JSON and CSV with small cells hidden, for supervisors and admins only."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import select

from bot.actions import admin as admin_actions
from bot.actions import conversations as actions
from bot.actions.admin import AdminError
from bot.events import ChannelName, ResidentSignal
from bot.jobs import retention
from bot.store.tables import Conversation, ImpactCount
from tests.support.chat import Harness

from .helpers import login, waiting_conversation


async def serve(harness: Harness, count: int, *, outcome: str = "advice_given") -> None:
    """`count` residents wait, are claimed after a while, answered and closed."""
    anna = await harness.staff(f"anna{outcome[:3]}{count}", max_concurrent=20)
    start = _same_local_day(harness, harness.core.now(), timedelta(minutes=30 * count + 21))
    for n in range(count):
        begin = start + timedelta(minutes=30 * n)
        harness.core.clock = lambda at=begin: at
        conversation = await waiting_conversation(harness, f"{outcome}-{n}")
        harness.core.clock = lambda at=begin: at + timedelta(minutes=3, seconds=30)
        await actions.claim(harness.core, anna, conversation)
        await actions.reply(harness.core, anna, conversation, "Hei, autan mielelläni.")
        harness.core.clock = lambda at=begin: at + timedelta(minutes=20, seconds=45)
        await actions.close(harness.core, anna, conversation, outcome=outcome)


def _same_local_day(harness: Harness, start: datetime, span: timedelta) -> datetime:
    """`start`, or 08:00 the next local day when `span` from it would cross midnight: the
    day-by-day figures must not depend on the hour the suite runs. The core's clock only goes
    forward, so the morning is never earlier than `start`."""
    zone = harness.core.settings.zone
    local = start.astimezone(zone)
    if (local + span).date() == local.date():
        return start
    morning = datetime.combine(local.date() + timedelta(days=1), time(8), tzinfo=zone)
    return morning.astimezone(start.tzinfo)


async def report(client: TestClient[Any, Any], path: str = "summary", **query: str) -> Any:
    response = await client.get(f"/api/reports/{path}", params=query)
    assert response.status == 200, await response.text()
    return await response.json() if path != "counts.csv" else await response.text()


async def test_the_figures_survive_the_deletion_of_the_conversations(
    harness: Harness, client: TestClient[Any, Any]
) -> None:
    await serve(harness, 6)
    await waiting_conversation(harness, "leaves")  # waits, then leaves unanswered
    await harness.service.dispatcher.signal(
        ResidentSignal(ChannelName("test"), "user-leaves", "left")
    )
    await harness.staff("sari", role="supervisor", queues=())
    await login(client, "sari")
    before = await report(client, by="month")
    assert before["contacts"] == 7 and before["answered"] == 6
    assert before["left_before_answer"] == "<5" and before["answered_share"] == 0.857
    assert before["wait_median_minutes"] == 3 and before["handled_median_minutes"] == 17
    assert before["measures"]["outcome"] == {"advice_given": "<5", "resident_left": "<5"}
    assert before["measures"]["language"] == {"fi": 7}
    csv_before = await report(client, "counts.csv", by="month")

    # Retention: 30 days after closing every transcript is shredded; the counts stay.
    done = await retention(harness.core, apply=True, now=harness.core.now() + timedelta(days=31))
    assert done is not None
    async with harness.core.database.session() as session:
        kept = (await session.execute(select(Conversation.state))).scalars().all()
    assert "closed" not in kept
    after = await report(client, by="month")
    assert after == before
    assert await report(client, "counts.csv", by="month") == csv_before


async def test_small_cells_are_hidden_and_no_id_or_pseudonym_is_counted(
    harness: Harness, client: TestClient[Any, Any]
) -> None:
    await serve(harness, 6)
    await serve(harness, 2, outcome="referred_other_service")
    await harness.staff("sari", role="supervisor", queues=("general",))
    await login(client, "sari")
    summary = await report(client, by="week")
    assert summary["contacts"] == 8
    # Two is under five; alone it would be recoverable from the total, so six hides too.
    assert summary["measures"]["outcome"] == {"advice_given": "<5", "referred_other_service": "<5"}
    cells = list(csv.DictReader(io.StringIO(await report(client, "counts.csv", by="day"))))
    assert {"period", "measure", "value", "count"} == set(cells[0])
    outcomes = {c["value"]: c["count"] for c in cells if c["measure"] == "outcome"}
    assert outcomes == {"advice_given": "<5", "referred_other_service": "<5"}
    async with harness.core.database.session() as session:
        counters = (await session.execute(select(ImpactCount))).scalars().all()
        conversations = (await session.execute(select(Conversation))).scalars().all()
    secrets = {c.id for c in conversations} | {c.pseudonym for c in conversations}
    assert counters and not [c for c in counters if c.value in secrets]


async def test_reports_are_for_supervisors_and_admins_and_check_their_query(
    harness: Harness, client: TestClient[Any, Any]
) -> None:
    await harness.staff("anna")
    await login(client, "anna")
    refused = await client.get("/api/reports/summary")
    assert refused.status == 403
    await harness.staff("sari", role="supervisor")
    await login(client, "sari")
    for query, problem in (
        ({"since": "yesterday"}, "since is a date"),
        ({"since": "2026-12-04", "until": "2026-12-01"}, "until is on or after since"),
        ({"by": "year"}, "by is day, week or month"),
        ({"since": "2020-01-01", "until": "2026-12-01"}, "at most three years"),
    ):
        response = await client.get("/api/reports/summary", params=query)
        assert response.status == 422, query
        assert problem in (await response.json())["message"]
    download = await client.get("/api/reports/counts.csv")
    assert download.status == 200
    assert download.content_type == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]


async def test_a_supervisor_opens_reports_and_downloads_the_months_csv(
    harness: Harness, client: TestClient[Any, Any]
) -> None:
    await serve(harness, 6)
    await harness.staff("sari", role="supervisor", queues=())
    await login(client, "sari")
    day = harness.core.now().astimezone(harness.core.settings.zone).date()
    first = day.replace(day=1).isoformat()
    page = await client.get(
        "/console/reports",
        params={"since": first, "until": day.isoformat(), "by": "month"},
        headers={"Accept-Language": "fi"},
    )
    assert page.status == 200
    html = await page.text()
    assert "Raportit" in html and "Yhteydenotot" in html
    assert "<svg" in html and "<script" not in html.split("</header>")[-1].split("<footer")[0]
    assert '<th scope="row">Suomi</th><td>6</td>' in html  # language by its name, counted
    link = html.split('id="report-csv" href="')[1].split('"')[0].replace("&amp;", "&")
    download = await client.get(link)
    assert download.status == 200 and download.content_type == "text/csv"
    cells = list(csv.DictReader(io.StringIO(await download.text())))
    month = day.isoformat()[:7]
    assert {"period": month, "measure": "contacts", "value": "", "count": "6"} in cells
    anna_page = await client.get("/console/reports", params={"by": "year"})
    assert anna_page.status == 422


async def test_a_missed_service_target_shows_on_the_dashboard(
    harness: Harness, client: TestClient[Any, Any]
) -> None:
    ada = await harness.staff("ada", role="admin", queues=())
    with pytest.raises(AdminError):
        await admin_actions.save_queue(
            harness.core, ada.actor(), "general", name="General", languages=["fi"],
            opening_hours={}, transcript_days=30, pii_vault_hours=24, target_minutes=10,
        )  # fmt: skip
    await admin_actions.save_queue(
        harness.core, ada.actor(), "general", name="General", languages=["fi"],
        opening_hours={}, transcript_days=30, pii_vault_hours=24, target_minutes=10,
        target_percent=90,
    )  # fmt: skip
    await serve(harness, 6)  # each answered after 3.5 minutes
    await harness.staff("sari", role="supervisor", queues=())
    await login(client, "sari")
    board = await (await client.get("/api/dashboard")).json()
    [general] = [q for q in board["queues"] if q["id"] == "general"]
    assert general["target"] == {
        "minutes": 10, "percent": 90, "days": 7, "reached": 6, "share": 1.0,
        "waiting_over": False, "missed": False,
    }  # fmt: skip
    assert board["targets_missed"] == []

    # Someone now waits longer than ten minutes: the target is missed right now.
    await waiting_conversation(harness, "waits-long")
    later = harness.core.now() + timedelta(minutes=11)
    harness.core.clock = lambda: later
    board = await (await client.get("/api/dashboard")).json()
    [general] = [q for q in board["queues"] if q["id"] == "general"]
    assert general["target"]["waiting_over"] and general["target"]["missed"]
    assert board["targets_missed"] == ["general"]
