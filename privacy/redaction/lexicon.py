"""Name lists (package data) and Finnish inflection-aware lookup of a word in them.

Never stores or logs the words it is asked about: lookups are pure functions of their input.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections import Counter
from enum import IntEnum
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any, NamedTuple

from privacy.redaction.name_features import Evidence
from privacy.redaction.word_forms import is_finnish_word_form

_DATA = files("privacy.redaction").joinpath("data")


def _lines(entry: Any) -> list[str]:
    raw = entry.read_bytes()
    if entry.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return [line.strip() for line in raw.decode("utf-8").splitlines()]


def _load(name: str) -> frozenset[str]:
    words = _lines(_DATA.joinpath(name))
    return frozenset(w.casefold() for w in words if w and not w.startswith("#"))


# Bearers in Finland -> evidence bucket; a list without counts (names of other countries,
# the hand-made lists above) gives a middle bucket: known to be a name, not how common.
_UNCOUNTED = 3


def _bucket(count: int) -> int:
    if count < 0:
        return _UNCOUNTED
    if count >= 20000:
        return 5
    if count >= 2000:
        return 4
    if count >= 200:
        return 3
    if count >= 20:
        return 2
    return 1


def _read_name_lists(kind: str) -> dict[str, int]:
    """Every source's `<kind>.tsv` under data/lexicons, casefolded name -> best bucket."""
    buckets: dict[str, int] = {}
    folder = _DATA.joinpath("lexicons")
    if not folder.is_dir():
        return buckets
    for source in sorted(folder.iterdir(), key=lambda entry: entry.name):
        entry = source.joinpath(f"{kind}.tsv")
        if not source.is_dir() or not entry.is_file():
            continue
        for line in _lines(entry):
            if not line or line.startswith("#"):
                continue
            name, _, count = line.partition("\t")
            key = unicodedata.normalize("NFC", name).casefold()
            bucket = _bucket(int(count) if count.strip().isdigit() else -1)
            if bucket > buckets.get(key, 0):
                buckets[key] = bucket
    return buckets


def _read_word_list(source: str) -> frozenset[str]:
    folder = _DATA.joinpath("lexicons", source)
    if not folder.is_dir():
        return frozenset()
    words: set[str] = set()
    for entry in folder.iterdir():
        if entry.name.endswith((".txt", ".txt.gz")) and entry.name.startswith(("words", "places")):
            words.update(w.casefold() for w in _lines(entry) if w and not w.startswith("#"))
    return frozenset(words)


def _read_frequencies(language: str) -> dict[str, int]:
    entry = _DATA.joinpath("lexicons", "wordfreq", f"{language}.tsv.gz")
    out: dict[str, int] = {}
    if entry.is_file():
        for line in _lines(entry):
            word, _, zipf = line.partition("\t")
            if zipf.isdigit():
                out[word] = int(zipf) // 10
    return out


class _Tables(NamedTuple):
    first_names: frozenset[str]  # the hand-made lists
    surnames: frozenset[str]
    also_words: frozenset[str]
    cue_only: frozenset[str]
    not_names: frozenset[str]
    first_buckets: dict[str, int]  # every source, name -> evidence bucket
    surname_buckets: dict[str, int]
    common_words: frozenset[str]
    places: frozenset[str]
    # Zipf frequency (whole steps; 3 = once per million words, 6 = "you") in fi, sv, en.
    frequencies: tuple[dict[str, int], ...]


@cache
def _tables() -> _Tables:
    """Every list, read on the first lookup rather than at import: a command-line tool that
    never redacts (user list, audit verification) should not pay 60 MB and half a second."""
    first_names = _load("first_names.txt")
    surnames = _load("surnames.txt")
    first_buckets = _read_name_lists("first_names")
    surname_buckets = _read_name_lists("surnames")
    for name in first_names:
        first_buckets.setdefault(name, _UNCOUNTED)
    for name in surnames:
        surname_buckets.setdefault(name, _UNCOUNTED)
    return _Tables(
        first_names=first_names,
        surnames=surnames,
        also_words=_load("names_also_words.txt"),
        cue_only=_load("names_cue_only.txt"),
        not_names=_load("not_names.txt"),
        first_buckets=first_buckets,
        surname_buckets=surname_buckets,
        common_words=_read_word_list("kotus"),
        places=_read_word_list("places"),
        frequencies=tuple(_read_frequencies(language) for language in ("fi", "sv", "en")),
    )


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
_VOWEL = "aeiouyäöå"
# Consonant gradation seen from the inflected (weak) stem back to the nominative (strong):
# Pekan -> Pekka, Mintun -> Minttu, Sadun -> Satu, Lahden -> Lahti, Rannan -> Ranta,
# Aallon -> Aalto, Lammen -> Lampi, Hongan -> Honka.
_WEAK_GRADE = re.compile(rf"(.*[{_VOWEL}lnrh])([kpt])([{_VOWEL}])$")
_WEAK_PAIRS = (("nn", "nt"), ("ll", "lt"), ("rr", "rt"), ("mm", "mp"), ("ng", "nk"), ("d", "t"))
_LAST_SYLLABLE = re.compile(rf"(.*?)(nn|ll|rr|mm|ng|d)([{_VOWEL}]+)$")
# "Mäen" -> "Mäe" -> "Mäke" -> "Mäki": a k dropped between two unlike vowels.
_LOST_K = re.compile(rf"(.*[^{_VOWEL}][{_VOWEL}])([{_VOWEL}])$")


def _nominatives(stem: str) -> list[str]:
    """Nominative candidates of a stem whose case ending is already off."""
    out = [stem]
    weak = _WEAK_GRADE.match(stem)
    if weak:  # Pekan -> Peka -> Pekka, Matin -> Mati -> Matti
        out.append(weak.group(1) + weak.group(2) * 2 + weak.group(3))
    pair = _LAST_SYLLABLE.match(stem)
    if pair:
        strong = dict(_WEAK_PAIRS)[pair.group(2)]
        out.append(pair.group(1) + strong + pair.group(3))
    lost = _LOST_K.match(stem)
    if lost and lost.group(1)[-1] != lost.group(2):
        out.append(lost.group(1) + "k" + lost.group(2))
    # An e-stem is an i-word in the nominative: Kosken -> Koske -> Koski, Mäke -> Mäki.
    out += [form[:-1] + "i" for form in out if form.endswith("e") and len(form) >= 4]
    return out


# Russian and Ukrainian case endings of names, longest first, and the nominative endings a
# stem may take back: "Ольгой" -> "Ольга", "Петровой" -> "Петрова", "Иваном" -> "Иван",
# "Коваленку" -> "Коваленко", "Сидоренка" -> "Сидоренко", "Марией" -> "Мария".
_CYRILLIC_ENDINGS = tuple(
    sorted(
        set("ой ей ою ею ом ем ём ым им ого его ому ему ую юю ові еві ы и е у ю а я".split()),
        key=len,
        reverse=True,
    )
)
_CYRILLIC_NOMINATIVE = ("", "а", "я", "о", "й", "ий", "ая", "ь")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _cyrillic_base_forms(low: str) -> tuple[str, ...]:
    out = [low]
    for ending in _CYRILLIC_ENDINGS:
        if low.endswith(ending) and len(low) - len(ending) >= 3:
            stem = low[: -len(ending)]
            out.extend(stem + nominative for nominative in _CYRILLIC_NOMINATIVE)
    return tuple(dict.fromkeys(out))


def base_forms(word: str) -> tuple[str, ...]:
    """Candidate nominative forms of a (possibly inflected) Finnish name, casefolded; for a
    word in Cyrillic letters, of a Russian or Ukrainian one."""
    low = word.casefold()
    if _CYRILLIC.search(low):
        return _cyrillic_base_forms(low)
    out = [low]
    for ending in _ENDINGS:
        if not low.endswith(ending) or len(low) - len(ending) < 2:
            continue
        stem = low[: -len(ending)]
        out.extend(_nominatives(stem))
        if stem.endswith("se") and not stem.endswith("kse"):  # Virtasen -> Virtanen
            out.append(stem[:-2] + "nen")
        elif stem.endswith("s") and not stem.endswith("ks"):  # Virtasta -> Virtanen
            out.append(stem[:-1] + "nen")
        if stem.endswith("kse"):  # Tuomaksen -> Tuomas
            out.append(stem[:-3] + "s")
        if stem.endswith("ee"):  # Laineen -> Lainee -> Laine, Rinteen -> Rinne
            out.append(stem[:-1])
            if stem.endswith("ntee"):
                out.append(stem[:-4] + "nne")
        if stem.endswith(("aa", "ää")) and len(stem) >= 4:  # Kankaan -> Kangas, Kallaan?
            grade = stem[:-1].replace("nk", "ng") if stem[-4:-2] == "nk" else stem[:-1]
            out.append(grade + "s")
    return tuple(dict.fromkeys(out))


def _form_level(form: str) -> NameLevel:
    t = _tables()
    if form in t.not_names and form not in t.first_names and form not in t.surnames:
        return NameLevel.NONE
    if form in t.cue_only:
        return NameLevel.CUE_ONLY
    if form in t.also_words:
        return NameLevel.CONTEXT
    if form in t.first_names:
        return NameLevel.FIRST
    if form in t.surnames:
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
    surnames = _tables().surnames
    return any(f in surnames for f in base_forms(word))


@lru_cache(maxsize=65536)
def is_not_name(word: str) -> bool:
    """Whether `word` (possibly inflected) is a place, institution or common word."""
    not_names = _tables().not_names
    return any(f in not_names for f in base_forms(word))


@lru_cache(maxsize=65536)
def not_name_as_written(word: str) -> bool:
    """Whether `word` itself, not only a form it could be inflected from, is listed as no
    name: "Christian" is, "Jan" is not (only "ja" is)."""
    return unicodedata.normalize("NFC", word).casefold() in _tables().not_names


# Endings that only surnames have among capitalised words (Finnish -nen, Swedish -qvist,
# -ström, -sson, Slavic -enko, -chuk, -ski, -ova).
_SURNAME_ENDINGS = ("nen", "qvist", "kvist", "ström", "sson", "enko", "chuk", "ski", "ska", "ova")


@lru_cache(maxsize=65536)
def looks_like_surname(word: str) -> bool:
    """Whether `word` (possibly inflected: "Kettuselle") has the shape of a surname."""
    return any(
        len(form) >= 6 and form.endswith(_SURNAME_ENDINGS) and form not in _tables().not_names
        for form in base_forms(word)
    )


def _bucket_of(forms: tuple[str, ...], buckets: dict[str, int]) -> int:
    best = 0
    for form in forms:
        if len(form) >= 3:
            best = max(best, buckets.get(form, 0))
    return best


# The shortest dictionary word that counts as the head of a closed compound, and the shortest
# part before it: "Kätilö|opisto", not "Hypati|alle" or "Ardui|nolla". After a hyphen the
# part is a word of its own, so any dictionary word counts ("Suomi-loma").
_HEAD_MIN = 6
_MODIFIER_MIN = 4
_HYPHEN_HEAD_MIN = 3


def _is_word(part: str, shortest: int, common_words: frozenset[str]) -> bool:
    return any(form in common_words for form in base_forms(part) if len(form) >= shortest)


def _compound_head(low: str, common_words: frozenset[str]) -> bool:
    """Whether an unknown word ends in a dictionary word (inflected or not) after a part of
    its own: "kätilöopiston", "suomi-loma", "finlandia-talolla"."""
    if "-" in low:
        head = low.rsplit("-", 1)[1]
        return len(head) >= _HYPHEN_HEAD_MIN and _is_word(head, _HYPHEN_HEAD_MIN, common_words)
    for split in range(_MODIFIER_MIN, len(low) - _HEAD_MIN + 1):
        if _is_word(low[split:], _HEAD_MIN, common_words):
            return True
    return False


# A long word made of two Finnish word forms, any case or number on either ("Linnan|sillalla",
# "Luottoluokitus|laitokset", "Hyöty|marjoista"; the first part may be two: "Päihde|kuntoutus|
# jakso") is a compound noun, capitalised because it
# opens a sentence or names a thing. Both parts are checked, so the word-form filter's rare
# false "yes" has to strike twice before a foreign name reads as a compound. Not what the
# name model's compound feature reads: that one is part of its training.
_LONG_COMPOUND = 11
_FORM_MODIFIER_MIN = 4
_FORM_HEAD_MIN = 5
# Dictionary words that end at least this many listed surnames ("koski", "niemi", "järvi"):
# an unlisted word ending in one may be a rarer surname of the same make ("Kuikkaniemelle").
_SURNAME_HEAD_SHARE = 20


@lru_cache(maxsize=16384)
def long_compound(word: str) -> bool:
    """Whether `word` is a long unlisted word made of two Finnish word forms whose second part
    is not a common ending of Finnish surnames."""
    low = unicodedata.normalize("NFC", word).casefold()
    if len(low) < _LONG_COMPOUND or not low.isalpha() or evidence(low).any_name:
        return False
    heads = _surname_heads()
    for split in range(_FORM_MODIFIER_MIN, len(low) - _FORM_HEAD_MIN + 1):
        head = low[split:]
        if is_finnish_word_form(head) and _compound_modifier(low[:split]):
            return not any(form in heads for form in base_forms(head))
    return False


def _compound_modifier(part: str) -> bool:
    """A word form, or two of them ("päihde|kuntoutus" in "päihdekuntoutusjakso")."""
    return is_finnish_word_form(part) or any(
        is_finnish_word_form(part[:split]) and is_finnish_word_form(part[split:])
        for split in range(_FORM_MODIFIER_MIN, len(part) - _FORM_MODIFIER_MIN + 1)
    )


@cache
def _surname_heads() -> frozenset[str]:
    t = _tables()
    endings: Counter[str] = Counter()
    for name in t.surname_buckets:
        for size in range(_FORM_HEAD_MIN - 1, 8):
            if len(name) >= size + _FORM_MODIFIER_MIN:
                endings[name[-size:]] += 1
    return frozenset(
        ending
        for ending, count in endings.items()
        if count >= _SURNAME_HEAD_SHARE and ending in t.common_words
    )


@cache
def _names_over_words() -> frozenset[str]:
    return _load("surnames_over_words.txt") | _load("first_names_over_words.txt")


def name_over_word(word: str) -> bool:
    """A common surname or first name that is also a rare dictionary word ("Virtanen",
    "Mäkinen", "Tuomas"): at a sentence start the name, not a word
    (data/surnames_over_words.txt, data/first_names_over_words.txt)."""
    return unicodedata.normalize("NFC", word).casefold() in _names_over_words()


@lru_cache(maxsize=131072)
def evidence(word: str) -> Evidence:
    """What every lexicon says about `word` as written and once de-inflected."""
    low = unicodedata.normalize("NFC", word).casefold()
    forms = base_forms(low)
    inflected = forms[1:]
    t = _tables()
    common_word = low in t.common_words
    common_inflected = any(form in t.common_words for form in inflected if len(form) >= 3)
    first = t.first_buckets.get(low, 0)
    surname = t.surname_buckets.get(low, 0)
    first_inflected = _bucket_of(inflected, t.first_buckets)
    surname_inflected = _bucket_of(inflected, t.surname_buckets)
    listed = common_word or common_inflected or first or surname
    return Evidence(
        first=first,
        surname=surname,
        first_inflected=first_inflected,
        surname_inflected=surname_inflected,
        common_word=common_word,
        common_inflected=common_inflected,
        place=any(form in t.places for form in forms),
        not_name=any(form in t.not_names for form in forms),
        also_word=low in t.also_words or low in t.cue_only,
        frequency=(
            t.frequencies[0].get(low, 0),
            t.frequencies[1].get(low, 0),
            t.frequencies[2].get(low, 0),
        ),
        compound_head=not (listed or first_inflected or surname_inflected)
        and _compound_head(low, t.common_words),
    )
