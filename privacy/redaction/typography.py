"""Folds typographic variants (dashes, odd spaces, other digit scripts, invisible marks) to ASCII.

Never changes the caller's text: it returns a folded copy and a map back to original offsets.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# Dashes and minus signs people (and phone keyboards' auto-correct) type inside numbers.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63"
# No-break, thin, figure and other fixed-width spaces that keyboards and copy-paste put into
# numbers ("040\u00a0123\u00a04567"); a plain space is what the detectors expect.
_SPACES = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"
)
# Invisible characters that split an identifier for a regex but not for a reader: zero-width
# space and joiners, word joiner, BOM, soft hyphen, and the bidi marks and isolates that
# Arabic and Persian keyboards and messengers wrap around numbers.
_REMOVED = (
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)


def _table() -> dict[int, int | None]:
    table: dict[int, int | None] = {}
    for char in _DASHES:
        table[ord(char)] = ord("-")
    for char in _SPACES:
        table[ord(char)] = ord(" ")
    for char in _REMOVED:
        table[ord(char)] = None
    # Full-width ASCII (U+FF01-FF5E: digits, Latin letters, "+", "@", brackets ...).
    for code in range(0xFF01, 0xFF5F):
        table[code] = code - 0xFEE0
    # Every other decimal digit of the Basic Multilingual Plane (Arabic-Indic, Persian,
    # Devanagari ...) becomes its ASCII digit: the regexes and checksums downstream work on 0-9
    # only. Digits beyond it (mathematical styles, historic scripts) are left out on purpose: a
    # class with characters past U+FFFF compiles to a range list that makes the search below
    # several times slower, and nobody types a phone number in them.
    for code in range(0x80, 0x10000):
        value = unicodedata.decimal(chr(code), None)
        if value is not None:
            table[code] = ord("0") + value
    return table


_TABLE = _table()


def _char_class(codes: Sequence[int]) -> str:
    """A regex character class of `codes`, as ranges so the compiled set stays compact."""
    parts: list[str] = []
    ordered = sorted(codes)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        first, last = chr(ordered[i]), chr(ordered[j])
        parts.append(re.escape(first) if i == j else f"{re.escape(first)}-{re.escape(last)}")
        i = j + 1
    return "[" + "".join(parts) + "]"


# Any character that folding changes; text without one takes the fast path.
_INTEREST = re.compile(_char_class(list(_TABLE)))
# The only characters of interest below U+0100, tested by name in `fold` for speed.
if sorted(code for code in _TABLE if code < 0x100) != [0xA0, 0xAD]:
    raise ImportError("typography: the Latin-1 fast path no longer covers the fold table")


def _latin1_header() -> int:
    """CPython's size of a one-byte-per-character str without its characters.

    Finnish and Swedish text is stored one byte per character (all of it below U+0100), and
    then only two characters of interest can occur, found by two memchr-speed `in` tests
    instead of a regex scan that costs about 7 ns a character. The storage width is not
    exposed, but `str.__sizeof__` reveals it; the layout is checked here once, and anything
    unexpected (another interpreter, a cached UTF-8 copy that makes a string look wider)
    only sends text down the regex path, never past it (the value returned then makes the
    test in `fold` always false).
    """
    head = "\u00e9".__sizeof__() - 2
    sizes = ("\u00e9\u00e9".__sizeof__(), "\u0436".__sizeof__(), "\U0001f600".__sizeof__())
    return head if sizes == (head + 3, head + 4, head + 8) else -(2**62)


_LATIN1_HEADER = _latin1_header()


def fold(text: str) -> tuple[str, Sequence[int] | None]:
    """The folded text and, when characters were removed, a map back to original offsets.

    `index[j]` is the original offset of folded character `j`, and `index[len(folded)]` is
    `len(text)`. The map is `None` when every folded offset equals the original one: nothing
    changed, or only one-for-one substitutions were made.
    """
    if text.isascii():
        return text, None
    if text.__sizeof__() - _LATIN1_HEADER < 2 * len(text) + 2:  # one byte per character
        if "\u00a0" not in text and "\u00ad" not in text:
            return text, None
    elif _INTEREST.search(text) is None:
        return text, None
    folded = text.translate(_TABLE)
    if len(folded) == len(text):
        return folded, None
    index = [i for i, char in enumerate(text) if _TABLE.get(ord(char), 0) is not None]
    index.append(len(text))
    return folded, index


def original_span(index: Sequence[int] | None, start: int, end: int) -> tuple[int, int]:
    """The original [start, end) of folded [start, end).

    Removed characters inside the span are covered; those just before or after it are not.
    """
    if index is None:
        return start, end
    if end <= start:
        return index[start], index[start]
    return index[start], index[end - 1] + 1
