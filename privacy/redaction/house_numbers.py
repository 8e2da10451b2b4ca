"""House numbers and what follows them: a staircase letter, a flat number, a postal code; and
the words that make a number a count rather than a house number ("5 vuotta", "12 km").

Pure functions of the text; never keeps it.
"""

from __future__ import annotations

import re

_COUNT_WORDS = frozenset(
    """
    vuotta vuoden v vuosi vuotias vuotiaana kk kuukautta kuukauden viikkoa viikon vko päivää
    päivän pv vrk tuntia tunnin min minuuttia minuutin minsaa sekuntia h km m metriä metrin
    kilometriä kilsaa kertaa kerran krt henkeä hengen hlö henkilöä ihmistä ihmisen lasta lapsen
    lapsi kpl kappaletta euroa euron e eur € % § prosenttia astetta kg kiloa sivua pysäkkiä
    years year yrs months month weeks week days day hours hour mins minutes minute metres meters
    miles times people persons kids children euros percent pcs
    år månader veckor dagar timmar minuter gånger personer barn euro procent meter
    лет года год месяцев месяца недели дней дня часов часа минут раз человек детей евро км
    метров років роки рік місяців днів годин хвилин разів осіб дітей
    سنوات سنة سنين أشهر شهر شهور أيام يوم ساعات ساعة دقائق دقيقة مرات أطفال يورو
    """.split()
)
NEXT_WORD = re.compile(r"\s*([^\W\d_]+|[€%§$£])")

# After the house number: a glued letter ("12a", "221B"), a range ("11-13"), a case ending.
_HOUSE_TAIL = re.compile(
    r"(?:[a-zA-Z](?![^\W\d_]))?(?:[ \t]?[-–][ \t]?\d{1,4}(?:[a-zA-Z](?![^\W\d_]))?(?!\d))?"
    r"(?::[^\W\d_]{1,4}(?!\w))?"
)
FLAT_WORDS = frozenset(
    "as asunto huoneisto bst bostad lgh lägenhet apt apartment flat unit door daire "
    "кв квартира корп корпус стр к شقة".split()
)
# Longest first: "asunto" before "as".
_FLAT_WORDS = "|".join(sorted(FLAT_WORDS, key=lambda w: (-len(w), w)))
# A staircase letter ("B", "J"), also after a word for it ("rappu B", "trappa C"); a lone
# lower-case letter counts only before a flat number.
_STAIRCASE = re.compile(
    r"[ \t\u00a0]?(?:(?i:rappu|porras|porraskäytävä|trappa|trapphus|entrance)[ \t\u00a0]+)?"
    r"([A-Za-z])(?![^\W\d_'’]|\.[^\W\d_])"
)
# The flat after a staircase, also as Turkish addresses write it ("No: 15 D: 4").
_FLAT_NUMBER = re.compile(
    rf":?[ \t\u00a0]?(?:(?:{_FLAT_WORDS})\.?:?[ \t\u00a0]?)?#?\d{{1,4}}(?!\d|[.,:]\d)",
    re.IGNORECASE,
)
_DESIGNATED_FLAT = re.compile(
    rf"[,،]?[ \t\u00a0]?(?:{_FLAT_WORDS})\.?:?[ \t\u00a0]?#?\d{{1,4}}[a-zа-я]?(?!\d|[.,:]\d)",
    re.IGNORECASE,
)
POSTAL_CODE = re.compile(r",?\s*(?:FI-?)?\d{5}(?!\d)")


def house_end(text: str, num_end: int) -> tuple[int, bool]:
    """Where the house number, staircase and flat end; whether a staircase or flat is there."""
    end = _HOUSE_TAIL.match(text, num_end)
    pos = end.end() if end else num_end
    glued = pos > num_end and text[num_end].isalpha()
    stair = None if glued else _STAIRCASE.match(text, pos)
    if stair is not None:
        letter = stair.group(1)
        flat = _FLAT_NUMBER.match(text, stair.end())
        if flat is not None:
            pos = flat.end()
        elif (letter.isupper() and letter != "I") or stair.group().strip() != letter:
            pos = stair.end()
        else:
            stair = None
    elif glued:
        flat = _FLAT_NUMBER.match(text, pos)
        if flat is not None and flat.group()[:1].isspace():
            pos = flat.end()  # "12a 3": staircase glued to the number, then the flat
    has_flat = stair is not None or glued
    while True:
        flat = _DESIGNATED_FLAT.match(text, pos)
        if flat is None:
            break
        pos = flat.end()
        has_flat = True
    return pos, has_flat


def is_count(text: str, end: int) -> bool:
    nxt = NEXT_WORD.match(text, end)
    return nxt is not None and nxt.group(1).casefold() in _COUNT_WORDS
