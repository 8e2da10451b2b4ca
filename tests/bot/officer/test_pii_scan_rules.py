"""The fast scan's shortcuts judge every text exactly as `scan_text` does.

Differential over the labelled dev corpus, the Turku dev sentences (both as written and with
their findings blanked as a stored message would have them) and generated texts; a property
test for the texts the fast scan does not redact at all.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.officer.pii_scan_batch import SHORT_TEXT, Scanner
from bot.officer.pii_scan_rules import cannot_hold_findings, scan_text, scan_text_quickly
from privacy.redaction import Redactor

SHARED = Path(__file__).parents[3].parent / "shared"
CORPORA = (SHARED / "data" / "pii-dev.jsonl", SHARED / "data" / "ner" / "fi-turku-dev.jsonl")
REDACTOR = Redactor()


def corpus_texts() -> list[str]:
    texts: list[str] = []
    for path in CORPORA:
        if not path.exists():
            pytest.fail(f"{path} is missing: the shared data must be beside the repository")
        for line in path.read_text().splitlines():
            text = json.loads(line)["text"]
            redaction = REDACTOR.redact(text)
            blanked = redaction.text
            for start, end in reversed(redaction.placeholder_spans):
                blanked = blanked[:start] + " " + blanked[end:]
            texts += [text, blanked]
    return texts


def slow(text: str) -> tuple[tuple[str, int], ...]:
    return tuple(scan_text(REDACTOR, text).items())


def test_the_quick_scan_equals_scan_text_on_the_dev_corpora() -> None:
    texts = corpus_texts()
    scanner = Scanner(REDACTOR)
    kinds: set[str] = set()
    for text in texts + texts:  # the second time short texts come from memory
        expected = slow(text)
        assert scan_text_quickly(REDACTOR, text) == expected
        assert scanner(text) == expected
        kinds.update(kind for kind, _ in expected)
    # Not an agreement on nothing: the corpora hold findings of every kind.
    assert kinds >= {"phone", "person_name", "email", "hetu", "iban", "payment_card"}
    assert kinds >= {f"strict:{kind}" for kind in ("long_number", "at_word", "hetu_like")}
    assert sum(len(text) <= SHORT_TEXT for text in texts) > 100


# Letters and digits of several scripts, what folds to them, the characters the detectors and
# strict patterns key on, and everything else.
_PIECES = st.sampled_from(
    [
        "Mikko",
        "Virtanen",
        "040",
        "123 4567",
        "131052-308T",
        "FI21 1234",
        "@",
        "(at)",
        "example.com",
        "katu 5",
        "\u2013",
        "\u00a0",
        "\u200b",
        "\uff10\uff14\uff10",
        "\uff20",
        "\u0661\u0662\u0663",
        "  ",
        ".",
        ":",
        "\n",
    ]
)
_TEXTS = st.one_of(
    st.text(),
    st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=12).map("".join),
)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_the_quick_scan_equals_scan_text_on_generated_texts(text: str) -> None:
    assert scan_text_quickly(REDACTOR, text) == slow(text)


# No letter, no digit, no "@": punctuation, marks, symbols, spaces, controls and what the
# typography folds (dashes, odd spaces, invisible marks, full-width punctuation and at sign).
_NOTHING_TO_FIND = st.text(
    st.characters(exclude_categories=("L", "N", "Cs"), exclude_characters="@"), max_size=40
)


@settings(max_examples=400, deadline=None)
@given(_NOTHING_TO_FIND)
def test_a_text_without_letters_digits_or_at_signs_holds_no_finding(text: str) -> None:
    assert cannot_hold_findings(text)
    assert slow(text) == ()
    assert slow(text + " \uff20 \u2013 \u200b") == ()


def test_only_texts_without_letters_digits_and_at_signs_are_passed_over() -> None:
    for text in ("", " ", "...", "👍", "\u200b\u00a0", "\uff20\uff0e"):
        assert cannot_hold_findings(text), text
    for text in ("a", "7", "@", "\uff10", "\u0661", "ä", "@."):
        assert not cannot_hold_findings(text), text
    assert slow("@.") == (("strict:at_word", 1),)  # why "@" alone is scanned
