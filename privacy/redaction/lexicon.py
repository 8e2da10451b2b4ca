"""Name lists (package data) and Finnish inflection-aware lookup of a word in them.

Never stores or logs the words it is asked about: lookups are pure functions of their input.
"""

from __future__ import annotations

import re
from enum import IntEnum
from functools import lru_cache
from importlib.resources import files


def _load(name: str) -> frozenset[str]:
    raw = files("privacy.redaction").joinpath("data", name).read_text(encoding="utf-8")
    words = (line.strip() for line in raw.splitlines())
    return frozenset(w.casefold() for w in words if w and not w.startswith("#"))


FIRST_NAMES = _load("first_names.txt")
SURNAMES = _load("surnames.txt")
NAMES_ALSO_WORDS = _load("names_also_words.txt")
NAMES_CUE_ONLY = _load("names_cue_only.txt")
NOT_NAMES = _load("not_names.txt")


class NameLevel(IntEnum):
    """How much a word alone says that it is a name; higher means stronger evidence."""

    NONE = 0
    CUE_ONLY = 1  # an everyday word, month or place as well: needs a cue or a surname
    CONTEXT = 2  # a Finnish/Swedish word as well: a mid-sentence capital is enough
    SURNAME = 3
    FIRST = 4


# Finnish case endings, longest first, so that "Mattille" yields "Matti" before "Mattill".
_ENDINGS = tuple(
    sorted(
        set(
            """
            n a ä ta tä na nä ksi lle lla llä lta ltä ssa ssä sta stä in ia iä ille illa illä
            ilta iltä issa issä ista istä iksi ina inä kin kaan hin han hen hon seen iin 'n ’n
            :n s 's ’s nkin llekin
            """.split()
        ),
        key=len,
        reverse=True,
    )
)
_WEAK_GRADE = re.compile(r"(.*[aeiouyäöå])([kpt])([aeiouyäöå])$")


def base_forms(word: str) -> tuple[str, ...]:
    """Candidate nominative forms of a (possibly inflected) Finnish name, casefolded."""
    low = word.casefold()
    out = [low]
    for ending in _ENDINGS:
        if not low.endswith(ending) or len(low) - len(ending) < 2:
            continue
        stem = low[: -len(ending)]
        out.append(stem)
        weak = _WEAK_GRADE.match(stem)
        if weak:  # Pekan -> Peka -> Pekka, Matin -> Mati -> Matti
            out.append(weak.group(1) + weak.group(2) * 2 + weak.group(3))
        if stem.endswith("se") and not stem.endswith("kse"):  # Virtasen -> Virtanen
            out.append(stem[:-2] + "nen")
        elif stem.endswith("s") and not stem.endswith("ks"):  # Virtasta -> Virtanen
            out.append(stem[:-1] + "nen")
        if stem.endswith("kse"):  # Tuomaksen -> Tuomas
            out.append(stem[:-3] + "s")
        if stem.endswith("ee"):  # Laineen -> Lainee -> Laine
            out.append(stem[:-1])
    return tuple(dict.fromkeys(out))


def _form_level(form: str) -> NameLevel:
    if form in NOT_NAMES and form not in FIRST_NAMES and form not in SURNAMES:
        return NameLevel.NONE
    if form in NAMES_CUE_ONLY:
        return NameLevel.CUE_ONLY
    if form in NAMES_ALSO_WORDS:
        return NameLevel.CONTEXT
    if form in FIRST_NAMES:
        return NameLevel.FIRST
    if form in SURNAMES:
        return NameLevel.SURNAME
    return NameLevel.NONE


@lru_cache(maxsize=65536)
def plain_level(word: str) -> NameLevel:
    """The name reading of `word` exactly as written (no inflection), any case."""
    return _form_level(word.casefold())


@lru_cache(maxsize=65536)
def name_level(word: str) -> NameLevel:
    """The strongest name reading of `word` (any case, possibly inflected)."""
    if "-" in word.strip("-"):
        # "Leena-Maija", "Anna-Liisan": as strong as its weakest listed part.
        parts = [p for p in word.split("-") if p]
        if len(parts) > 1 and parts[0].casefold() not in ("ala", "ylä", "al", "el", "abu"):
            return min(name_level(p) for p in parts)
    low = word.casefold()
    best = NameLevel.NONE
    for form in base_forms(word):
        if form != low and len(form) < 4:
            continue  # short stems ("Le", "Li", "Bo") match too many inflected words
        best = max(best, _form_level(form))
        if best == NameLevel.FIRST:
            break
    return best


@lru_cache(maxsize=65536)
def is_known_surname(word: str) -> bool:
    """Whether `word` (possibly inflected) is in the surname list."""
    return any(f in SURNAMES for f in base_forms(word))


@lru_cache(maxsize=65536)
def is_not_name(word: str) -> bool:
    """Whether `word` (possibly inflected) is a place, institution or common word."""
    return any(f in NOT_NAMES for f in base_forms(word))


# Endings that only surnames have among capitalised words (Finnish -nen, Swedish -qvist,
# -ström, -sson, Slavic -enko, -chuk, -ski, -ova).
_SURNAME_ENDINGS = ("nen", "qvist", "kvist", "ström", "sson", "enko", "chuk", "ski", "ska", "ova")


@lru_cache(maxsize=65536)
def looks_like_surname(word: str) -> bool:
    """Whether `word` (possibly inflected: "Kettuselle") has the shape of a surname."""
    return any(
        len(form) >= 6 and form.endswith(_SURNAME_ENDINGS) and form not in NOT_NAMES
        for form in base_forms(word)
    )
