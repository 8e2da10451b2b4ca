"""Finds telephone numbers: Finnish national forms and international ones with + or 00.

Never calls the (slow) phonenumbers parser on text that a cheap regex has not already shaped
like a number, and never takes dates ("04.06.2025", "04-06-2025") or prices for numbers.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

import phonenumbers

from privacy.redaction.allowlist import Allowlist, national_digits

_SEP = r"[ \u00a0\-–]"
# Dots and slashes are deliberately not separators: they make dates, times and law numbers.
_PHONE = re.compile(
    rf"""(?<![\d+])(?:
        (?:\+|00){_SEP}?\d{{1,3}}(?:{_SEP}?\(?\d{{1,5}}\)?){{1,6}}   # international
      | \(?0\d{{1,3}}\)?(?:{_SEP}?\d{{1,5}}){{1,5}}                  # Finnish national
    )(?![\d])""",
    re.VERBOSE,
)
_GROUP = re.compile(r"\d+")
_DATE = re.compile(r"^\d{1,2}[-– ]\d{1,2}[-– ](?:19|20)?\d\d$")
# Common Finnish forms checked without the parser: mobiles 04x/050 and Helsinki 09 numbers.
_FI_FAST = re.compile(r"^0(?:4\d\d{6,7}|50\d{6,7}|9\d{6,8})$")


# Country calling codes from the phonenumbers metadata (358 for Finland, 7, 46, 964 ...).
_COUNTRY_CODES = frozenset(str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


def _valid_international(digits: str) -> bool:
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(number))


def _fast_finnish(candidate: str) -> bool:
    """A common Finnish mobile or Helsinki number, recognised without the parser."""
    if candidate.startswith(("+", "00")) and not candidate.lstrip("+0").startswith("358"):
        return False
    return _FI_FAST.match(national_digits(candidate)) is not None


def _is_phone(candidate: str) -> bool:
    if candidate.startswith(("+", "00")):
        digits = re.sub(r"\D", "", candidate)
        if candidate.startswith("00"):
            digits = digits[2:]
        if not 8 <= len(digits) <= 15:
            return False
        if digits.startswith("358"):
            return _FI_FAST.match("0" + digits[3:]) is not None or _valid_international(digits)
        # A foreign number written with + or 00 and an existing country code is taken as a
        # number when it has 10-15 digits: foreign operators open new ranges faster than any
        # metadata follows, and the parser costs more than all other detectors together.
        for size in (1, 2, 3):
            if digits[:size] in _COUNTRY_CODES:
                return len(digits) >= 10 or _valid_international(digits)
        return False
    digits = national_digits(candidate)
    if not 7 <= len(digits) <= 12 or _DATE.match(candidate.strip("()")):
        return False
    if _FI_FAST.match(digits):
        return True
    try:
        number = phonenumbers.parse(digits, "FI")
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(number))


def find_phones(
    text: str, allowlist: Allowlist, taken: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Return spans of phone numbers that are not public service numbers.

    Candidates inside `taken` spans (a HETU, IBAN or card found first) are skipped without
    calling the parser: their digits often look like a phone number too.
    """
    return list(_phones(text, allowlist, taken))


def _phones(
    text: str, allowlist: Allowlist, taken: list[tuple[int, int]]
) -> Iterator[tuple[int, int]]:
    taken_starts = sorted(s for s, _ in taken)
    taken_ends = {s: e for s, e in taken}
    for m in _PHONE.finditer(text):
        start = m.start()
        i = bisect_right(taken_starts, start)
        if i and taken_ends[taken_starts[i - 1]] > start:
            continue  # inside a HETU, IBAN or card already found
        if m.group().startswith("(") and ")" not in m.group():
            start += 1  # "(040 123 4567": the bracket opens a remark, not an area code
        groups = list(_GROUP.finditer(text, start, m.end()))
        # The regex is greedy ("040 123 4567 2 kertaa"): drop trailing groups until the rest
        # is a number, preferring a common Finnish shape over a longer merely valid number.
        best = 0
        for k in range(len(groups), 0, -1):
            end = groups[k - 1].end()
            if text[end : end + 1] == ")":
                end += 1
            candidate = text[start:end]
            if _fast_finnish(candidate):
                best = end
                break
            if not best and _is_phone(candidate):
                best = end  # keep looking only for a common Finnish shape inside it
        if best and not allowlist.allows_number(text[start:best]):
            yield start, best
