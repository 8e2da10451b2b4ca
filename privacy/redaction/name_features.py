"""Features of one word in its sentence for the name model: shape, affixes, context, lexicons.

Shared by training and inference so both see exactly the same features; never keeps the words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from privacy.redaction.tokens import Token


class Evidence(NamedTuple):
    """What the lexicons say about one word; frequency buckets run 0 (absent) to 5 (common)."""

    first: int  # a first name as written
    surname: int  # a surname as written
    first_inflected: int  # a first name once a Finnish case ending is taken off
    surname_inflected: int
    common_word: bool  # a Finnish dictionary word as written
    common_inflected: bool  # a dictionary word once a case ending is taken off
    place: bool  # a municipality, district or other place
    not_name: bool  # listed by hand as a place, institution or word after a name cue
    also_word: bool  # a name listed by hand as also an everyday word ("Tuuli", "Anna")
    frequency: tuple[int, int, int]  # how common the word form is in fi, sv, en (Zipf, 0 = rare)
    # An unlisted word whose last part is a dictionary word ("Kätilöopiston", "Suomi-loma"):
    # a compound, as names of institutions and things are, and people's rarely.
    compound_head: bool = False

    @property
    def any_name(self) -> bool:
        return bool(self.first or self.surname or self.first_inflected or self.surname_inflected)


EvidenceOf = Callable[[str], Evidence]
LOWER = "|L"  # marks a feature seen in a message written without capitals


def shape(word: str) -> str:
    first = word[0]
    if first.isupper():
        if len(word) > 1 and word.isupper():
            return "XX"
        return "X-" if "-" in word else "Xx"
    if first.isdigit():
        return "9"
    if first.isalpha():
        return "x"
    return word  # punctuation stands for itself


def _context_word(tokens: Sequence[Token], i: int) -> str:
    if i < 0:
        return "<s>"
    if i >= len(tokens):
        return "</s>"
    text = tokens[i].text
    return "<9>" if text[0].isdigit() else text.casefold()


def is_candidate(tokens: Sequence[Token], i: int, lower: bool, evidence_of: EvidenceOf) -> bool:
    """Whether word i is scored at all: a capitalised word, or a listed name in lower case.

    Everything else is "not a name" without a look: it keeps the model cheap, and names
    written in lower case in a message that has capitals are left to the cue rules.
    """
    token = tokens[i]
    if not token.is_word:
        return False
    if not lower:
        return token.capitalised
    return evidence_of(token.text).any_name


def _lexicon_marks(ev: Evidence) -> list[str]:
    marks = []
    if ev.first:
        marks.append(f"f{ev.first}")
    if ev.surname:
        marks.append(f"s{ev.surname}")
    if ev.first_inflected and not ev.first:
        marks.append(f"fi{ev.first_inflected}")
    if ev.surname_inflected and not ev.surname:
        marks.append(f"si{ev.surname_inflected}")
    if ev.common_word:
        marks.append("cw")
    elif ev.common_inflected:
        marks.append("ci")
    if ev.place:
        marks.append("pl")
    if ev.not_name:
        marks.append("nn")
    if ev.also_word:
        marks.append("aw")
    if ev.compound_head:
        marks.append("ch")
    for language, zipf in zip(("fi", "sv", "en"), ev.frequency, strict=True):
        if zipf:
            marks.append(f"z{language}{zipf}")
    return marks or ["none"]


def features(
    tokens: Sequence[Token], i: int, lower: bool, previous_is_name: bool, evidence_of: EvidenceOf
) -> list[str]:
    """The feature strings of candidate word i; `previous_is_name` is the decision on word i-1."""
    token = tokens[i]
    word = token.text
    low = word.casefold()
    word_shape = shape(word)
    start = "1" if token.sentence_start else "0"
    before = _context_word(tokens, i - 1)
    after = _context_word(tokens, i + 1)
    shape_before = shape(tokens[i - 1].text) if i else "<s>"
    shape_after = shape(tokens[i + 1].text) if i + 1 < len(tokens) else "</s>"
    previous = "N" if previous_is_name else "O"
    out = [
        "b",
        "w=" + low,
        "s1=" + low[-1:],
        "s2=" + low[-2:],
        "s3=" + low[-3:],
        "s4=" + low[-4:],
        "s5=" + low[-5:],
        "p3=" + low[:3],
        "sh=" + word_shape,
        f"len={min(len(word), 12)}",
        "st=" + start,
        "pw=" + before,
        "pw2=" + _context_word(tokens, i - 2),
        "nw=" + after,
        "nw2=" + _context_word(tokens, i + 2),
        f"pwnw={before}|{after}",
        "psh=" + shape_before,
        "nsh=" + shape_after,
        f"pshsh={shape_before}|{word_shape}",
        f"nshsh={shape_after}|{word_shape}",
        "pl=" + previous,
        f"plsh={previous}|{word_shape}",
    ]
    bounded = f"<{low}>"
    out.extend("c3=" + bounded[k : k + 3] for k in range(len(bounded) - 2))
    if i and tokens[i - 1].is_word:
        out.append("ps3=" + before[-3:])
        ev_before = evidence_of(tokens[i - 1].text)
        if ev_before.first or ev_before.first_inflected:
            out.append("p_first")
        if ev_before.surname or ev_before.surname_inflected:
            out.append("p_surname")
    if i + 1 < len(tokens) and tokens[i + 1].is_word:
        out.append("ns3=" + after[-3:])
        ev_after = evidence_of(tokens[i + 1].text)
        if ev_after.surname or ev_after.surname_inflected:
            out.append("n_surname")
        if ev_after.first:
            out.append("n_first")
        if tokens[i + 1].capitalised:
            out.append("n_cap_named" if ev_after.any_name else "n_cap_other")
    for mark in _lexicon_marks(evidence_of(word)):
        out.append("lx=" + mark)
        out.append(f"lxst={mark}|{start}")
        out.append(f"lxpl={mark}|{previous}")
    if lower:
        out.extend([feature + LOWER for feature in out])
    return out
