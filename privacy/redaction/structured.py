"""Finds identifiers with a fixed shape: HETU, IBAN, payment card, e-mail, IP address.

Never accepts a look-alike that fails its checksum where one exists (IBAN mod-97, Luhn), except
a HETU or Finnish IBAN with a valid shape, because a mistyped identifier is still personal data.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
from collections.abc import Iterator

from stdnum import iban as stdnum_iban

# Day, month, year, then how the individual part is joined on (text is folded first, so every
# dash variant is "-"): a century sign (all signs valid since 2023), a sign with spaces around
# it ("131052 - 308T", "020304 A 0974"), only spaces ("131052 308T"), or nothing at all; then
# the individual number and the check character, in either case. A single space may also split
# the date into its parts ("13 10 52-308T") or stand before the check character ("131052-308 T"),
# as people copy a code from a card in groups; such a code counts only with a sign and the right
# check character (`_split_ok`).
_HETU = re.compile(
    r"(?<![0-9])([0-3]\d)( ?)([01]\d)( ?)(\d\d)"
    r"(?:([-+ABCDEFYXWVU])|( {0,2}[-+ABCDEFYXWVU] {0,2})|( {1,2})|)"
    r"(\d{3})( ?)([0-9A-Ya-y])(?![0-9])",
    re.IGNORECASE,
)
_CENTURY = {
    "+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900,
    "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000,
}  # fmt: skip


_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def _hetu_date_ok(day: int, month: int, year: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def hetu_checksum_ok(code: str) -> bool:
    """Whether an 11-character HETU-shaped code is valid: real date, individual number
    002-999 (900-999 are temporary codes) and the mod-31 check character.

    The same check as `stdnum.fi.hetu.is_valid(code, allow_temporary=True)` (the tests
    compare them), inlined because the library's compact/regex round trip costs more.
    """
    sign = code[6].upper()
    if sign not in _CENTURY or not code[:6].isdigit() or not code[7:10].isdigit():
        return False
    if code[7:10] in ("000", "001"):
        return False
    day, month, year = int(code[0:2]), int(code[2:4]), int(code[4:6])
    if not _hetu_date_ok(day, month, _CENTURY[sign] + year):
        return False
    return _HETU_CHECK[int(code[:6] + code[7:10]) % 31] == code[10].upper()


def _unsigned_hetu_ok(digits: str, check: str) -> bool:
    """A HETU written without its century sign: the check character does not depend on it,
    and the date must be real in one of the centuries a living person was born in."""
    if not digits.isdigit() or digits[6:9] in ("000", "001"):
        return False
    if _HETU_CHECK[int(digits) % 31] != check.upper():
        return False
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    return _hetu_date_ok(day, month, 1900 + year) or _hetu_date_ok(day, month, 2000 + year)


def find_hetus(text: str) -> list[tuple[int, int]]:
    """Return spans of Finnish personal identity codes, temporary ones (900-999) included.

    Also a code with spaces around its sign or in place of it ("131052 - 308T", "131052 308T"),
    with the sign left out before a letter check character ("131052308T"), split by single
    spaces inside its date or before its check character ("13 10 52-308T", "131052 A 308 T"),
    with dots in its date or a dot or slash for its sign ("13.10.52-308T", "131052/308T"),
    when the check character is right.
    """
    spans = []
    for m in _HETU.finditer(text):
        date = m.group(1) + m.group(3) + m.group(5)
        individual, check = m.group(9), m.group(11)
        sign, spaced_sign = m.group(6), m.group(7)
        if m.group(2) or m.group(4) or m.group(10):
            glued = text[m.end() : m.end() + 1].isalnum()  # "...-308 Tampere": no check letter
            if not glued and _split_ok(date, sign or spaced_sign, individual, check):
                spans.append(m.span())
            continue
        if sign is not None:
            if hetu_checksum_ok(f"{date}{sign}{individual}{check}"):
                spans.append(m.span())
                continue
            # A mistyped check character still identifies a person: keep it when the date is
            # real and nothing alphanumeric is glued to it (so it is not part of a longer
            # token).
            day, month, year = int(m.group(1)), int(m.group(3)), int(m.group(5))
            if (
                _hetu_date_ok(day, month, _CENTURY[sign.upper()] + year)
                and not text[m.end() : m.end() + 1].isalnum()
            ):
                spans.append(m.span())
        elif spaced_sign is not None:  # a spaced sign: only with the right check character
            if hetu_checksum_ok(f"{date}{spaced_sign.strip()}{individual}{check}"):
                spans.append(m.span())
        elif _unsigned_hetu_ok(date + individual, check):
            if check.isdigit():
                # Ten digits in a row are as often a phone or a reference number: only
                # "DDMMYY NNNC" with its space. One in 31 phone numbers so written ("040185
                # 1234") passes too and is masked as a HETU: masked all the same.
                if m.group(8) is None or text[m.end() : m.end() + 1].isalnum():
                    continue
            spans.append(m.span())
    if "." in text or "/" in text:
        spans.extend(_punctuated_hetus(text))
        spans.sort()
    return spans


# A code copied from a form with dots in its date ("13.10.52-308T"), or with a dot or a slash
# typed where the sign goes ("131052/308T", "131052.308T").
_HETU_DOTTED_DATE = re.compile(
    r"(?<![0-9.])([0-3]\d)\.([01]\d)\.(\d\d) ?([-+ABCDEFYXWVU/.]) ?(\d{3}) ?([0-9A-Ya-y])"
    r"(?![0-9A-Za-z])",
    re.IGNORECASE,
)
_HETU_PUNCTUATED_SIGN = re.compile(
    r"(?<![0-9.])([0-3]\d[01]\d\d\d)([./])(\d{3})([A-Ya-y])(?![0-9A-Za-z])"
)


def _punctuated_hetus(text: str) -> list[tuple[int, int]]:
    """Codes with dots in the date or a dot or slash for the sign, only with the right check
    character; where the sign is a dot or a slash, the century is unknown and the check
    character does not depend on it. A digit check character after a dot or slash sign is
    left out: "131052.3081" is as often a decimal number."""
    spans = []
    for m in _HETU_DOTTED_DATE.finditer(text):
        date, sign, individual, check = m.group(1) + m.group(2) + m.group(3), *m.group(4, 5, 6)
        if sign.upper() in _CENTURY:
            valid = hetu_checksum_ok(f"{date}{sign}{individual}{check}")
        else:
            valid = _unsigned_hetu_ok(date + individual, check)
        if valid:
            spans.append(m.span())
    for m in _HETU_PUNCTUATED_SIGN.finditer(text):
        if _unsigned_hetu_ok(m.group(1) + m.group(3), m.group(4)):
            spans.append(m.span())
    return spans


def _split_ok(date: str, sign: str | None, individual: str, check: str) -> bool:
    """A code split by spaces inside its date or before its check character: digit groups of
    phone numbers and references fall into that shape by chance, so only a sign and the right
    check character make it a HETU."""
    return sign is not None and hetu_checksum_ok(f"{date}{sign.strip()}{individual}{check}")


# Country code, check digits, then groups of any size, joined by nothing, spaces or dashes
# ("FI21 1234 5600 0007 85", "FI2112 3456 0000 0785", "FI21-1234-5600-0007-85"); a space may
# also split the country code from the check digits ("FI 21 1234 ...").
_IBAN = re.compile(r"[A-Za-z]{2} ?\d\d(?:[ -]{0,2}[A-Za-z0-9]){11,32}")
_IBAN_GAPS = " -"


def find_ibans(text: str) -> list[tuple[int, int]]:
    """Return spans of IBANs that pass mod-97 (or Finnish ones with a bank-account shape)."""
    spans = []
    pos = 0
    while m := _IBAN.search(text, pos):
        if m.start() and text[m.start() - 1].isdigit():
            pos = m.start() + 1
            continue
        if text[m.start() + 2] == " " and (
            (m.start() and text[m.start() - 1].isalpha())
            or m.group()[:2].upper() not in _IBAN_LENGTHS
        ):
            # "FI 21 ...": only a known country standing as a word of its own, or every
            # "on 12 3456 ..." in a message would be tried as an account number.
            pos = m.start() + 1
            continue
        span = _longest_valid_iban(text, m.start(), m.end())
        if span:
            spans.append(span)
            pos = span[1]
        else:
            pos = m.start() + 1
    return spans


# IBAN lengths of the countries residents most often bank in; others go to python-stdnum.
_IBAN_LENGTHS = {
    "FI": 18, "SE": 24, "NO": 15, "DK": 18, "EE": 20, "LV": 21, "LT": 20, "DE": 22, "GB": 22,
    "FR": 27, "ES": 24, "IT": 27, "NL": 18, "BE": 16, "AT": 20, "CH": 21, "PL": 28, "IE": 22,
    "PT": 25, "UA": 29, "TR": 26, "IQ": 23, "RO": 24, "BG": 22, "HU": 28, "CZ": 24, "SK": 24,
}  # fmt: skip


def _is_iban(compact: str) -> bool:
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None:
        return len(compact) == expected and _mod97(compact)
    return _mod97(compact) and bool(stdnum_iban.is_valid(compact))


def _longest_valid_iban(text: str, start: int, end: int) -> tuple[int, int] | None:
    chars = [i for i in range(start, end) if text[i] not in _IBAN_GAPS]
    compact = "".join(text[i] for i in chars).upper()
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None:  # a known country: only its own length can be valid
        if len(compact) >= expected and _mod97(compact[:expected]):
            return start, chars[expected - 1] + 1
    else:
        for length in range(len(compact), 14, -1):
            if _is_iban(compact[:length]):
                return start, chars[length - 1] + 1
    # A Finnish account number with a typo is still an account number (written as one: a gap
    # after "FI" is too loose a shape to take without the checksum).
    if (
        compact.startswith("FI")
        and text[start + 2] != " "
        and len(compact) >= 18
        and compact[2:18].isdigit()
    ):
        if len(compact) == 18 or not compact[18].isdigit():
            return start, chars[17] + 1
    return None


def _mod97(compact: str) -> bool:
    """The IBAN check (ISO 13616) alone: cheap enough to try every candidate length."""
    if not compact.isalnum() or not compact.isascii():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def luhn_ok(digits: str) -> bool:
    """The Luhn check of `stdnum.luhn`, inlined for speed; verified against it in the tests."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


# 13-19 digits, in groups of four (or 4-6-5 for American Express) or unbroken, joined by a
# space, a dash, two spaces or a spaced dash.
_CARD_GAP = r"(?:[ -]| [ -]|  ?- ?)?"
_CARD = re.compile(
    rf"(?<![0-9])(?:\d{{4}}(?:{_CARD_GAP}\d{{4}}){{2}}{_CARD_GAP}\d{{1,7}}"
    rf"|\d{{4}}{_CARD_GAP}\d{{6}}{_CARD_GAP}\d{{5}})(?![0-9])"
)


def find_cards(text: str) -> list[tuple[int, int]]:
    """Return spans of payment card numbers that pass the Luhn check."""
    spans = []
    for m in _CARD.finditer(text):
        digits = m.group().replace(" ", "").replace("-", "")
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            spans.append(m.span())
    return spans


_EMAIL = re.compile(
    r"(?<![\w.+%'-])[\w.+%'-]+(?:@|\s?[\[(]at[\])]\s?)[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}",
    re.IGNORECASE,
)


def find_emails(text: str) -> list[tuple[int, int]]:
    """Return spans of e-mail addresses, also the "name(at)example.fi" spelling."""
    spans = []
    for m in _EMAIL.finditer(text):
        start, end = m.span()
        while start < end and text[start] in ".'-":  # punctuation before the address
            start += 1
        spans.append((start, end))
    return spans


_IPV4 = re.compile(
    r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d]|\.\d)"
)
_IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%\w+)?(?![\w:])")


def find_ips(text: str) -> list[tuple[int, int]]:
    """Return spans of IPv4 and IPv6 addresses."""
    return list(_ips(text))


def _ips(text: str) -> Iterator[tuple[int, int]]:
    if "." in text:
        yield from (m.span() for m in _IPV4.finditer(text))
    if ":" in text:
        for m in _IPV6.finditer(text):
            candidate = m.group().split("%")[0]
            if sum(1 for part in candidate.split(":") if part) < 2:
                continue  # "::" or "a::" alone are too short to be anyone's address
            try:
                ipaddress.IPv6Address(candidate)
            except ValueError:
                continue
            yield m.span()
