"""Finds telephone numbers: Finnish and international forms, and national forms of other countries.

Never calls the (slow) phonenumbers parser on text that a cheap regex has not already shaped
like a number, and never takes dates, prices or labelled reference numbers for phone numbers.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import phonenumbers

from privacy.redaction.allowlist import Allowlist
from privacy.redaction.phone_context import PhoneContext

# A run of digit groups as people type phone numbers, on folded text (every dash is "-"):
# groups joined by a space, two spaces, a dash or a spaced dash, any of them in brackets,
# optionally after a "+" ("+7 (921) 123-45-67", "8 (921) 123 45 67", "070-123 45 67").
# Dots and slashes are deliberately not separators: they make dates, times and law numbers.
# The lookahead skips runs too short to hold seven digits inside the regex engine, so most
# numbers in a message (counts, prices, times) cost no Python step at all.
_RUN = re.compile(
    r"(?<![\d+])(?=[(+\d][\d ()+-]{6})(\(?\+ ?)?\(?\d+\)?(?:(?: ?- ?| {1,2})?\(?\d+\)?)*"
)
_GROUP = re.compile(r"\d+")
# Dates: "05-03-2024", "2024-03-05" (spans of years are caught by `_list_shape`).
_DATE = re.compile(
    r"^(?:\d{1,2}[- ]\d{1,2}[- ](?:19|20)?\d\d|(?:19|20)\d\d[- ]\d{1,2}[- ]\d{1,2})$"
)
# Common Finnish forms checked without the parser: mobiles 04x/050 and Helsinki 09 numbers.
_FI_FAST = re.compile(r"^0(?:4\d\d{6,7}|50\d{6,7}|9\d{6,8})$")
# The same at full length (ten digits for a mobile): only such a number is cut out of a longer
# run ("040 123 4567 2 kertaa"), never a short one out of a longer number ("0501 234 22 00").
_FI_FULL = re.compile(r"^0(?:4\d{8}|50\d{7}|9\d{6,8})$")
# What follows a count or a price, not a phone number ("1 234 567 890 €", "20 000 km").
_UNIT_AFTER = re.compile(
    r" ?(?:[€$£₽₴%]|e\b|eur|euro|kr\b|sek\b|usd|руб|грн|km\b|kg\b|m2|m²|vuot|kpl|pcs)",
    re.IGNORECASE,
)

# Country calling codes from the phonenumbers metadata (358 for Finland, 7, 46, 964 ...).
_COUNTRY_CODES = frozenset(str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
# Countries whose national forms residents type (home countries and neighbours), tried in this
# order once the context says a number is a phone; Finland is handled first on its own.
_REGIONS = (
    "RU", "UA", "BY", "EE", "LV", "LT", "SE", "NO", "DK", "DE", "GB", "PL",
    "TR", "IQ", "SY", "IR", "AF", "SO",
)  # fmt: skip
# Where a trunk "8" starts an 11-digit national number ("8 921 123-45-67").
_EIGHT_REGIONS = ("RU", "BY")


@dataclass(frozen=True, slots=True)
class _Region:
    """One country's national number patterns, compiled from the phonenumbers metadata.

    Matching these costs about a microsecond, against some 60 for `parse` plus
    `is_valid_number`; the tests check that they accept only what the library calls valid.
    Toll-free, premium and shared-cost ranges are left out: no resident owns one.
    """

    trunk: re.Pattern[str] | None
    general: re.Pattern[str]
    personal: re.Pattern[str]
    lengths: frozenset[int]

    @classmethod
    def of(cls, region: str) -> _Region:
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        general = meta.general_desc if meta else None
        if meta is None or general is None or not general.national_number_pattern:
            raise LookupError("phonenumbers has no metadata for a listed region")
        descs = (meta.fixed_line, meta.mobile, meta.voip, meta.personal_number, meta.uan)
        patterns = [d.national_number_pattern for d in descs if d and d.national_number_pattern]
        prefix = meta.national_prefix_for_parsing
        return cls(
            trunk=re.compile(prefix) if prefix else None,
            general=re.compile(general.national_number_pattern),
            personal=re.compile("|".join(f"(?:{p})" for p in patterns)),
            lengths=frozenset(general.possible_length),
        )

    def valid(self, digits: str) -> bool:
        """Whether `digits`, with or without the trunk prefix, is a number of this country."""
        if self._valid_significant(digits):
            return True
        if self.trunk is not None and (m := self.trunk.match(digits)) and m.end():
            return self._valid_significant(digits[m.end() :])
        return False

    def _valid_significant(self, number: str) -> bool:
        return (
            len(number) in self.lengths
            and self.general.fullmatch(number) is not None
            and self.personal.fullmatch(number) is not None
        )


_RULES = {region: _Region.of(region) for region in (*_REGIONS, "FI")}


def _valid_international(digits: str) -> bool:
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(number))


def _valid_with_country_code(code: str, significant: str) -> bool:
    """A number given as country code + significant number, without "+" or "00"."""
    if significant.startswith("0"):  # a trunk zero after the code: two numbers run together
        return False
    number = phonenumbers.PhoneNumber(country_code=int(code), national_number=int(significant))
    return bool(phonenumbers.is_valid_number(number))


def _is_international(digits: str) -> bool:
    """A number written with "+" or "00" (`digits` without them)."""
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


def _is_finnish(digits: str) -> bool:
    """A Finnish national number (leading 0) that the metadata calls valid."""
    if not 7 <= len(digits) <= 12:
        return False
    if _FI_FAST.match(digits):
        return True
    try:
        number = phonenumbers.parse(digits, "FI")
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(number))


def _foreign_national(digits: str) -> bool:
    return 6 <= len(digits) <= 13 and any(_RULES[r].valid(digits) for r in _REGIONS)


class _Group(NamedTuple):
    """One group of digits of a run: "921" in "8 (921) 123-45-67"."""

    start: int
    end: int
    digits: str
    bracketed: bool


# NamedTuple's own constructor is a Python function; tuple.__new__ builds the same instance
# at a third of the cost (a few groups for every long number of every message).
_new_group = tuple.__new__


def _groups(text: str, start: int, end: int, taken: list[tuple[int, int]]) -> list[_Group]:
    groups: list[_Group] = []
    for m in _GROUP.finditer(text, start, end):
        s, e = m.span()
        if taken and any(a <= s < b for a, b in taken):
            continue  # inside a HETU, IBAN or card already found
        bracketed = s > start and text[s - 1] == "(" and text[e : e + 1] == ")"
        groups.append(_new_group(_Group, (s, e, m.group(), bracketed)))
    return groups


def _trunk_zero(group: _Group) -> bool:
    return group.bracketed and group.digits == "0"


def _cis_shape(text: str, groups: list[_Group]) -> bool:
    """Grouped the way Russian and Ukrainian numbers are written: "921 123-45-67", "(921)"."""
    if any(g.bracketed and len(g.digits) in (3, 4) for g in groups[:2]):
        return True
    if len(groups) < 3:
        return False
    a, b, c = groups[-3:]
    return (
        len(b.digits) == 2
        and len(c.digits) == 2
        and text[b.start - 1] == "-"
        and text[c.start - 1] == "-"
        and len(a.digits) == 3
    )


def _list_shape(groups: list[_Group]) -> bool:
    """Numbers in a row rather than one number: "1 2 3 4 5 6 7", "20 30 40 50 60", "2024 2025",
    "1 500 000" (an amount: a short first group, then groups of three; "09 123 456" is not one,
    amounts never start with 0)."""
    if len(groups) < 2:
        return False
    sizes = [len(g.digits) for g in groups]
    if sizes.count(1) > 1:
        return True
    if sizes.count(4) == len(sizes) and all(g.digits[:2] in ("19", "20") for g in groups):
        return True
    first = groups[0].digits
    if sizes[0] < 3 and first[0] != "0" and sizes.count(3) == len(sizes) - 1:
        return True
    if len(groups) >= 3 and sizes.count(sizes[0]) == len(sizes):
        values = [int(g.digits) for g in groups]
        step = values[1] - values[0]
        if step and all(b - a == step for a, b in itertools.pairwise(values)):
            return True
    return False


def _thousands_shape(groups: list[_Group]) -> bool:
    """Groups of three after the first, as in "1 234 567 890": how amounts are written."""
    return len(groups) > 1 and all(len(g.digits) == 3 for g in groups[1:])


def _is_number_after_code(text: str, groups: list[_Group], context: PhoneContext) -> bool:
    """ "358 40 123 4567", "7 921 123 45 67", "964 770 123 4567": a country code written
    as its own group, no "+" or "00". The grouping is evidence enough unless it is the way
    amounts are written, or the number is followed by a unit."""
    code = groups[0].digits
    if code not in _COUNTRY_CODES or len(groups) < 2:
        return False
    rest = groups[1:]
    if _trunk_zero(rest[0]):  # "358 (0)40 ..."
        rest = rest[1:]
    significant = "".join(g.digits for g in rest)
    # One-digit groups make counts ("7 8 9 10 11"); only an area or operator digit right
    # after the code is written alone ("252 7 1123456").
    if not 6 <= len(significant) <= 13 or any(len(g.digits) < 2 for g in rest[1:]):
        return False
    if _thousands_shape(groups) or _UNIT_AFTER.match(text, groups[-1].end):
        if not context.says_phone():
            return False
    return _valid_with_country_code(code, significant)


def _accept(
    text: str, groups: list[_Group], plus: bool, context: PhoneContext
) -> tuple[bool, bool, str]:
    """Whether `groups` make one phone number, whether it is a common Finnish shape (which is
    preferred over a longer merely valid reading), and the number as the allow-list sees it.
    """
    first = groups[0]
    digits = "".join(g.digits for g in groups)
    start = first.start - 1 if first.bracketed else first.start
    end = groups[-1].end + (1 if groups[-1].bracketed else 0)
    written = text[start:end]
    if plus or digits.startswith("00"):
        # "+358 (0)40 ...": the bracketed trunk zero is no part of the number.
        if plus:
            international = "".join(g.digits for g in groups if not _trunk_zero(g))
        else:
            international = digits[2:]
        finnish = international.startswith("358") and _FI_FAST.match("0" + international[3:])
        return _is_international(international), bool(finnish), "+" + international
    if not 7 <= len(digits) <= 15 or _DATE.match(written) or _list_shape(groups):
        return False, False, ""
    if digits.startswith("0"):
        if _FI_FAST.match(digits):
            return not context.vetoed_as_long_number(), True, digits
        if _is_finnish(digits):
            return not context.vetoed(), False, digits
        # A national number of another country ("0770 123 4567", "0532 123 45 67"): valid for
        # one of them, and said to be a phone by the words around it, or written the
        # Russian/Ukrainian way, which Finnish numbers never are.
        if (context.says_phone() or (_cis_shape(text, groups) and not context.vetoed())) and (
            _foreign_national(digits)
        ):
            return True, False, digits
        return False, False, ""
    if digits.startswith("8") and len(digits) == 11 and not context.vetoed():
        # "8 921 123-45-67", "8 (812) 123 45 67", "89211234567": the Russian trunk 8.
        distinctive = digits[1] == "9" or first.digits == "8" or _cis_shape(text, groups)
        if (distinctive or context.says_phone()) and any(
            _RULES[r].valid(digits) for r in _EIGHT_REGIONS
        ):
            return True, False, digits
    if context.vetoed():
        return False, False, ""
    if _is_number_after_code(text, groups, context):
        return True, False, "+" + digits
    if len(groups) == 1 and digits.startswith("358") and 11 <= len(digits) <= 12:
        # "358401234567" as copied from a wa.me link: home numbers need no grouping.
        if _FI_FAST.match("0" + digits[3:]) or _is_finnish("0" + digits[3:]):
            return True, False, "+" + digits
    if context.says_phone():
        # "puh 5123 4567" (Estonia, no trunk zero), "whatsapp 9647701234567".
        if _foreign_national(digits):
            return True, False, digits
        for size in (1, 2, 3):
            code = digits[:size]
            if code in _COUNTRY_CODES and len(digits) >= 9:
                return _valid_with_country_code(code, digits[size:]), False, "+" + digits
    return False, False, ""


def find_phones(
    text: str, allowlist: Allowlist, taken: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Return spans of phone numbers that are not public service numbers.

    Candidates inside `taken` spans (a HETU, IBAN or card found first) are skipped without
    calling the parser: their digits often look like a phone number too. `text` is folded
    text (typography.fold).
    """
    spans: list[tuple[int, int]] = []
    for m in _RUN.finditer(text):
        run_start, run_end = m.span()
        if run_end - run_start < 7:  # too short to hold seven digits
            continue
        if taken and any(a <= run_start and run_end <= b for a, b in taken):
            continue  # all of it is a HETU, IBAN or card already found
        groups = _groups(text, run_start, run_end, taken)
        if len(groups) == 1 and len(groups[0].digits) < 7:
            continue
        spans += _phones_in_run(text, m, groups, allowlist)
    return spans


_MAX_GROUPS = 7


def _phones_in_run(
    text: str, m: re.Match[str], groups: list[_Group], allowlist: Allowlist
) -> Iterator[tuple[int, int]]:
    plus = m.group(1) is not None
    context = PhoneContext(text, m.start(), m.end())
    i = 0
    while i < len(groups):
        found = _longest_from(text, groups, i, plus and i == 0, context)
        if found is None:
            i += 1
            continue
        j, number = found
        start = groups[i].start
        if plus and i == 0:
            start = text.rindex("+", m.start(), start + 1)
        elif groups[i].bracketed:
            start -= 1  # "(09) 123 456"; an unclosed "(" opens a remark instead
        end = groups[j].end
        if text[end : end + 1] == ")" and "(" in text[start:end]:
            end += 1
        if not allowlist.allows_number(number):
            yield start, end
        i = j + 1


def _longest_from(
    text: str, groups: list[_Group], i: int, plus: bool, context: PhoneContext
) -> tuple[int, str] | None:
    """The last group of the number that starts at group `i`, and its allow-list form.

    The run is greedy ("040 123 4567 2 kertaa"): trailing groups are dropped until the rest
    is a number, preferring a common Finnish shape over a longer merely valid number.
    """
    best: tuple[int, str] | None = None
    last = min(len(groups), i + _MAX_GROUPS) - 1
    # Groups far apart (a sentence of numbers) are not one number.
    for j in range(i + 1, last + 1):
        if groups[j].start - groups[j - 1].end > 3:
            last = j - 1
            break
    for j in range(last, i - 1, -1):
        if best is not None:
            # A number is found; a shorter reading wins only with a common Finnish shape,
            # which needs no parser to recognise.
            number = _finnish_shape(groups[i : j + 1], plus)
            if number:
                return j, number
            continue
        ok, finnish, number = _accept(text, groups[i : j + 1], plus, context)
        if ok and finnish:
            return j, number
        if ok and j < last and number.startswith("0"):
            # "0532 123 45 67": Finnish metadata accepts "0532 123 45" (any 05 area number),
            # but the whole run is a foreign number; masking part of it would leak the rest.
            whole = "".join(g.digits for g in groups[i : last + 1])
            if len(whole) >= 10 and _foreign_national(whole):
                return last, whole
        if ok:
            best = (j, number)
    return best


def _finnish_shape(groups: list[_Group], plus: bool) -> str:
    """The allow-list form of `groups` if they are a common Finnish mobile or Helsinki
    number, else ""."""
    digits = "".join(g.digits for g in groups if not _trunk_zero(g))
    if plus or digits.startswith("00"):
        digits = digits[2:] if not plus else digits
        if digits.startswith("358") and _FI_FULL.match("0" + digits[3:]):
            return "+" + digits
        return ""
    return digits if _FI_FULL.match(digits) else ""
