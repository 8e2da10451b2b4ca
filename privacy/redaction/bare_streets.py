"""Finds the street a writer says they live on, named without a house number: "asun
Kontulantiellä", "osoitteeni on Wavulinintie", "I live on Kuusikuja".

A street mentioned in passing stays readable ("Hämeentiellä on ruuhkaa": where the traffic is,
not who lives where; the City of Helsinki's own address recogniser leaves it too). After an
address cue it says where the resident lives, which is personal data even without the number.
A word counts when it names a street of the Helsinki list in any case form
("Mannerheimintiellä", "Aleksis Kiven kadulla"), or is written with its capital and is a name
of its own followed by a strong street generic ("Wavulinintiellä", "Kuusikujalla"), not a
common noun that ends the same way ("kadulla", "Kauppakatu", "kävelytie"). Districts and
towns ("Kalliossa", "Vantaalla") are not streets and stay readable.
"""

from __future__ import annotations

import re

from privacy.redaction.addresses import (
    has_address_cue,
    is_bare_street,
    is_known_street,
    is_street_common_noun,
    street_reading,
)
from privacy.redaction.lexicon import evidence

# A word (also all capitals: "VALSSIMYLLYNKATU"), hyphens inside ("Ala-Malmin").
_WORD = re.compile(r"[^\W\d_][^\W\d_'’]*(?:-[^\W\d_]+)*")
# Every address cue (addresses._CUE) holds one of these: a message without any skips the scan.
_ANY_CUE = re.compile(
    r"asu|osoit|adress|address|liv|bor|muut|flytta|moved|kotin|адрес|жив|мешка"
    r"|عنوان|سكن|عيش|قيم",
    re.IGNORECASE,
)
# Words of a street name of several words before its generic ("Aleksis Kiven katu").
_MOST_WORDS_BEFORE = 2
# The street's own name before the generic: "Kuusi|kuja" is a street, "Ala|tie" too short.
_SHORTEST_NAME = 4


def find_bare_streets(text: str) -> list[tuple[int, int]]:
    """Spans of street names without a number after an address cue (a number after one is
    the address detector's)."""
    spans: list[tuple[int, int]] = []
    if _ANY_CUE.search(text) is None:
        return spans
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    for k, (start, end, word) in enumerate(words):
        reading = street_reading(word)
        if reading is None:
            continue
        stem, nominative, strong = reading
        if stem or is_bare_street(nominative):
            known = is_known_street(nominative) or is_bare_street(nominative)
            named = word[0].isupper() and strong and _named_street(stem, nominative)
            if known or named:
                if has_address_cue(text, start):
                    spans.append((start, end))
                continue
        # A generic written apart: "Aleksis Kiven katu", "Sörnäisten rantatiellä".
        first = _start_of_named_street(text, words, k, nominative)
        if first is not None and has_address_cue(text, words[first][0]):
            spans.append((words[first][0], end))
    return spans


def _named_street(stem: str, nominative: str) -> bool:
    if len(stem) < _SHORTEST_NAME or is_street_common_noun(nominative):
        return False
    return not evidence(nominative).common_word


def _start_of_named_street(
    text: str, words: list[tuple[int, int, str]], k: int, nominative: str
) -> int | None:
    name = nominative
    for j in range(k - 1, max(-1, k - 1 - _MOST_WORDS_BEFORE), -1):
        _, end, word = words[j]
        if not word[0].isupper() or text[end : words[j + 1][0]] != " ":
            return None
        name = f"{word.casefold()} {name}"
        if is_known_street(name):
            return j
    return None
