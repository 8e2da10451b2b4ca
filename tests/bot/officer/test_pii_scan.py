"""The PII re-scan: finds what redaction missed, reports kinds and ids, never values."""

from __future__ import annotations

import json

from bot.message_body import MessageBody, Placeholder
from bot.officer.pii_scan import pii_scan, scan_text, without_placeholders
from bot.store import audit as audit_store
from privacy.redaction import Redactor
from tests.bot.officer.scenario import AINO_PHONE, build
from tests.support.chat import Harness


async def test_missed_numbers_and_handles_are_found_by_kind_and_message_without_values(
    harness: Harness,
) -> None:
    await build(harness)
    report = await pii_scan(harness.core)
    assert report.found
    assert report.counts["strict:long_number"] == 1
    assert report.counts["strict:at_word"] == 1
    assert "phone" not in report.counts  # redacted at storage: only its placeholder is left
    [affected] = report.affected
    assert report.message_ids["strict:at_word"] == (affected,)
    output = json.dumps(report.as_json())
    for value in ("123456789012", "котик12", AINO_PHONE, "050 765 4321"):
        assert value not in output
    async with harness.core.database.session() as session:
        records = [r async for r in audit_store.iterate(session)]
    assert any(str(r.action) == "read" and r.actor_id == "privacy_officer:cli" for r in records)


def test_placeholders_are_not_findings_but_text_around_them_is() -> None:
    body = MessageBody("soita [PHONE] tai 0401234567", (Placeholder(6, 13, "phone", 0),))
    text = without_placeholders(body)
    assert "[PHONE]" not in text
    kinds = scan_text(Redactor(), text)
    assert kinds["strict:long_number"] == 1
    assert not scan_text(Redactor(), "kiitos, asia on selvä")
    assert scan_text(Redactor(), "tunnus 010101-123X")["strict:hetu_like"] == 1
    assert scan_text(Redactor(), "tili FI00 0000 0000 0000 00")["strict:iban_like"] >= 1
