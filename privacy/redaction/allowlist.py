"""Public service numbers that must stay readable, and the organisation's own additions.

Never lists a number unless it belongs to a public body or a national helpline: a personal
number that slipped in here would be stored in clear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from privacy.redaction.typography import fold

# Finnish national forms (digits only, leading 0). Short numbers such as 112, 116 111
# (children's helpline), 116 117 (medical helpline) and 116 006 (victim support) are too short
# to ever be taken for a phone number, so they need no entry.
PUBLIC_SERVICE_NUMBERS = frozenset(
    {
        "0925250111",  # MIELI Crisis Helpline, 09 2525 0111
        "0800147111",  # Poison Information Centre, 0800 147 111
        "080005005",  # Nollalinja, helpline on violence in close relationships, 080 005 005
        "020696006",  # Social and crisis emergency of the Helsinki region, 0206 96006
    }
)
# Whole ranges run by public bodies: 0800 numbers are toll-free organisation lines (no
# private person has one), 020 692 is Kela's block of service numbers, 0295 is the common
# number range of the state administration (police, Migri, TE services, DVV), and 029 497 is
# the Tax Administration's (Verohallinto, 029 497 000), which is outside 0295.
PUBLIC_SERVICE_PREFIXES = ("0800", "020692", "0295", "029497")

_DIGITS = re.compile(r"\D")


def national_digits(number: str) -> str:
    """The digits of a phone number in Finnish national form: +358 40... -> 040..."""
    digits = _DIGITS.sub("", number)
    if number.lstrip().startswith("+") and digits.startswith("358"):
        return "0" + digits[3:]
    if digits.startswith("00358"):
        return "0" + digits[5:]
    return digits


class Allowlist:
    """Decides whether a found value is a public number or string that stays readable."""

    __slots__ = ("_numbers", "_strings")

    def __init__(self, extra_allowed: Iterable[str] = ()) -> None:
        numbers = set(PUBLIC_SERVICE_NUMBERS)
        strings: set[str] = set()
        for item in extra_allowed:
            # Compared with folded message text, so folded the same way (dashes, digits).
            item = fold(item)[0]
            digits = national_digits(item)
            if len(digits) >= 3 and "@" not in item:
                numbers.add(digits)
            strings.add(" ".join(item.split()).casefold())
        self._numbers = frozenset(numbers)
        self._strings = frozenset(strings)

    @property
    def has_strings(self) -> bool:
        """Whether the organisation configured any extra allowed values."""
        return bool(self._strings)

    def allows_number(self, number: str) -> bool:
        digits = national_digits(number)
        return digits in self._numbers or digits.startswith(PUBLIC_SERVICE_PREFIXES)

    def allows_string(self, value: str) -> bool:
        return bool(self._strings) and " ".join(value.split()).casefold() in self._strings
