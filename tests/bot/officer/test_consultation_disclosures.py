"""Disclosures to consultants in the officer's reports: per recipient organisation and purpose,
only where the resident said yes; the scripts print them."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.actions import consultations as consult
from bot.actions import conversations as actions
from bot.config import Settings
from bot.officer.audit_report import DisclosureCount, ReportFilter, audit_report
from bot.officer.processing_record import processing_record, render_markdown
from bot.store.tables import Conversation
from tests.bot.officer.scenario import run_script
from tests.support.chat import Harness

DEBT = "Takuusäätiö"
HOUSING = "Y-Säätiö"


async def _consultation(
    harness: Harness, name: str, organisation: str, purpose: str, *, agree: bool
) -> None:
    admin = await harness.staff(f"admin-{name}", role="admin", queues=())
    consultant = await harness.staff(f"c-{name}", role="consultant", queues=(), display_name="K")
    await consult.set_consultant_account(
        harness.core,
        admin,
        consultant.user_id,
        organisation=organisation,
        valid_until=harness.core.now() + timedelta(days=7),
    )
    resident = harness.resident(name)
    await resident.write("hei")
    await resident.press("lang:fi")
    await resident.press("topic:housing")
    await resident.write("Minulla on asia")
    counsellor = await harness.staff(f"n-{name}")
    async with harness.core.database.session() as session:
        rows = await session.execute(select(Conversation).where(Conversation.state == "queued"))
        conversation = rows.scalars().one()
    await actions.claim(harness.core, counsellor, conversation.id)
    await consult.invite(
        harness.core,
        counsellor,
        conversation.id,
        consultant_id=consultant.user_id,
        purpose=purpose,
    )
    await harness.deliver()
    await resident.press("consult:yes" if agree else "consult:no")


async def _three(harness: Harness) -> None:
    await _consultation(harness, "a", DEBT, "debt", agree=True)
    await _consultation(harness, "b", HOUSING, "housing", agree=True)
    await _consultation(harness, "c", DEBT, "income", agree=False)  # refused: no disclosure


async def test_the_audit_report_lists_each_disclosure_per_organisation(harness: Harness) -> None:
    await _three(harness)
    report = await audit_report(harness.core)
    assert report.disclosures == (
        DisclosureCount(DEBT, "consent", "debt", 1),
        DisclosureCount(HOUSING, "consent", "housing", 1),
    )
    only = await audit_report(harness.core, ReportFilter(actions=frozenset({"disclose"})))
    assert [(row.action, row.recipient) for row in only.rows] == [
        ("disclose", DEBT),
        ("disclose", HOUSING),
    ]
    assert only.as_json()["disclosures"] == [
        {"recipient": d.recipient, "basis": "consent", "purpose": d.purpose, "count": 1}
        for d in report.disclosures
    ]


async def test_the_processing_record_names_each_recipient_organisation(harness: Harness) -> None:
    await _three(harness)
    record = await processing_record(harness.core, adapters=())
    assert sorted(record.recipients) == sorted(
        [(DEBT, "consent", "debt", 1), (HOUSING, "consent", "housing", 1)]
    )
    text = render_markdown(record)
    assert f"| {DEBT} | consent | debt | 1 |" in text
    assert "No disclosures to other parties" not in text


async def test_the_scripts_print_the_disclosures_per_organisation(
    harness: Harness, settings: Settings
) -> None:
    await _three(harness)
    result = run_script("audit_report", "--action", "disclose", settings=settings)
    assert result.returncode == 0, result.stderr
    assert "Disclosures by recipient organisation:" in result.stdout
    assert DEBT in result.stdout and HOUSING in result.stdout
    record = run_script("processing_record", settings=settings)
    assert record.returncode == 0, record.stderr
    assert f"| {HOUSING} | consent | housing | 1 |" in record.stdout
