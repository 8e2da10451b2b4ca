"""The Article 30 record is generated from the live configuration."""

from __future__ import annotations

from bot.officer.processing_record import processing_record, render_markdown
from tests.bot.officer.scenario import build
from tests.support.chat import Harness


async def test_the_record_lists_queues_retention_roles_channels_and_no_disclosures(
    harness: Harness,
) -> None:
    await build(harness)
    record = await processing_record(harness.core, adapters=("webchat",), controller="Kaupunki")
    assert record.channels == ("test", "webchat")
    assert record.staff_by_role == {"counsellor": 1}
    [queue] = record.queues
    assert (queue.id, queue.transcript_days, queue.pii_vault_hours) == ("general", 30, 24)
    assert "housing" in queue.topics
    text = render_markdown(record)
    assert "| general |" in text and "| 30 | 24 |" in text
    assert "Kaupunki" in text
    assert "No disclosures to other parties" in text
    assert "development installation" in text
