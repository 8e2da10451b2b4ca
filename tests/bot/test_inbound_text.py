"""One inbound pipeline: length, crisis and redaction run once per text, whatever its route."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.crisis import CrisisDetector
from bot.inbound_text import InboundChecks
from privacy.redaction import Redaction, Redactor
from tests.bot.groups.support import join, open_session, participant_of, second_channel
from tests.support.chat import Harness


class CountingRedactor(Redactor):
    __slots__ = ("texts",)

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def redact(self, text: str) -> Redaction:
        self.texts.append(text)
        return super().redact(text)


class CountingCrisis(CrisisDetector):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def matches(self, text: str) -> bool:
        self.texts.append(text)
        return super().matches(text)


@pytest.fixture
def counted(harness: Harness) -> tuple[CountingRedactor, CountingCrisis]:
    redactor, crisis = CountingRedactor(), CountingCrisis()
    dispatcher = harness.service.dispatcher
    dispatcher.checks = replace(dispatcher.checks, redactor=redactor, crisis=crisis)
    return redactor, crisis


def test_a_long_text_gets_no_crisis_check_and_redaction_waits_for_use() -> None:
    crisis = CountingCrisis()
    checks = InboundChecks(Redactor(), max_chars=10, count_finding=lambda kind: None, crisis=crisis)
    long = checks.check("x" * 11)
    assert long.too_long and not long.crisis and crisis.texts == []
    found: list[str] = []
    checks = replace(checks, count_finding=found.append, max_chars=20)
    short = checks.check("soita 0401234567")
    assert not short.too_long and crisis.texts == ["soita 0401234567"]
    first = short.redaction()
    assert short.redaction() is first  # computed once
    assert found == ["phone"]  # counted once, when computed
    assert "0401234567" not in first.text
    assert "0401234567" not in repr(short)  # a traceback never shows the text


async def test_a_conversation_message_is_checked_and_redacted_once(
    harness: Harness, counted: tuple[CountingRedactor, CountingCrisis]
) -> None:
    redactor, crisis = counted
    resident = harness.resident("aino")
    await resident.write("Hei, tarvitsen apua vuokran kanssa, numeroni on 040 123 4567")
    text = "Hei, tarvitsen apua vuokran kanssa, numeroni on 040 123 4567"
    assert redactor.texts.count(text) == 1
    assert crisis.texts.count(text) == 1


async def test_a_group_message_is_checked_and_redacted_once(
    harness: Harness, counted: tuple[CountingRedactor, CountingCrisis]
) -> None:
    other = second_channel(harness)
    moderator = await harness.staff("mod")
    await open_session(harness, moderator)
    aino, bertil = harness.resident("aino"), other.resident("bertil")
    await join(aino)
    await join(bertil)
    text = "Soittakaa minulle 040 123 4567"
    before = len(bertil.texts())
    await aino.write(text)
    await other.deliver()
    assert redactor_calls(counted[0], text) == 1
    assert counted[1].texts.count(text) == 1
    relayed = bertil.new_since(before)
    assert len(relayed) == 1 and "040 123 4567" not in relayed[0]
    assert (await participant_of(aino)).nickname in relayed[0]


def redactor_calls(redactor: CountingRedactor, text: str) -> int:
    return redactor.texts.count(text)
