"""Street addresses written the way other countries write them: a keyword before the name
("rue de Rivoli 5", "ул. Ленина, д. 5", "شارع الرشيد 12"), a cue in Cyrillic or Arabic
script, the number first ("221B Baker Street"), and P.O. boxes ("PL 123", "P.O. Box 17").

Pure functions of the text; never keeps it.
"""

from __future__ import annotations

import re

from privacy.redaction.house_numbers import NEXT_WORD, POSTAL_CODE, house_end, is_count

# Street keywords written before the name ("rue de Rivoli", "ул. Ленина", "شارع الرشيد"); an
# abbreviation only with its dot ("ul." but not "ul"); "via" and "place" only capitalised in
# text ("Via Roma", "Place Vendôme"), as the English and Italian words are common.
_PREFIX_WORDS = frozenset(
    """
    rue avenue boulevard chemin quai impasse allée calle avenida avda plaza paseo carrer camino
    viale piazza corso rua travessa praça ulica aleja strada calea bulevardul улица улице улицу
    вулиця вулиці проспект проспекте проспекту переулок переулке провулок бульвар бульваре шоссе
    набережная набережной набережна площадь площади площа майдан микрорайон via place
    ul. str. av. пр. просп. пер. пров. бул. бульв. наб. пл. мкр. вул. ул.
    شارع بشارع طريق جادة زقاق
    """.split()
)
_CAPITALISED_ONLY = frozenset({"via", "place"})


def _prefix_keyword_pattern() -> re.Pattern[str]:
    arabic = sorted(w for w in _PREFIX_WORDS if _ARABIC_LETTER.match(w))
    abbreviations = sorted(w[:-1] for w in _PREFIX_WORDS if w.endswith("."))
    words = sorted(
        _PREFIX_WORDS - _CAPITALISED_ONLY - set(arabic) - {f"{a}." for a in abbreviations}
    )
    capitalised = sorted(w.capitalize() for w in _CAPITALISED_ONLY)
    return re.compile(
        rf"(?<!\w)(?:(?i:{'|'.join(words)})(?!\w)|(?:{'|'.join(capitalised)})(?!\w)"
        rf"|(?i:{'|'.join(abbreviations)})\.)|(?:{'|'.join(arabic)})(?!\w)"
    )


_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
_PREFIX_KEYWORD = _prefix_keyword_pattern()
_PREFIXED_NAME = re.compile(
    r"[.:]?[ \t\u00a0]*(?P<name>(?:[^\W\d_][\w'’.-]*[ \t\u00a0,،]+){1,4}?)"
    r"(?:(?:д|дом|буд|будинок|no|nr|№|رقم)\.?:?[ \t\u00a0]*)?",
    re.IGNORECASE,
)
NON_LATIN_SCRIPT = re.compile(r"[\u0400-\u04ff\u0600-\u06ff]")
# An address cue in Cyrillic or Arabic script, then the name words of a street in any script
# ("живу на Хямеентие 5", "أسكن في شارع ...": the latter is caught by the keyword already).
_SCRIPT_CUE_NAME = re.compile(
    r"(?:адрес[уа]?|адресою|живу|живём|живем|проживаю|мешкаю|عنواني|العنوان|عنوان|أسكن|اسكن|"
    r"أعيش|اعيش|أقيم|اقيم)[ \t:]*(?:(?:на|в|по|у|في|فى)[ \t]+)?"
    r"(?P<name>(?:[^\W\d_][\w'’-]*[ \t,،]+){1,3}?)(?:(?:д|дом|буд|رقم)\.?[ \t]*)?$"
)
_ARABIC_NOT_NAMES = frozenset("منذ مع من عن حوالي لمدة في مدة".split())
# Number-first addresses: English ("221B Baker Street", "5 Elm Rd") and French ("10 rue ...",
# "14 Rue de ...", as many write the keyword with a capital).
NUMBER_FIRST_HINT = re.compile(
    r"[A-Za-z]?(?:[ \t]?[-–][ \t]?\d{1,5}[A-Za-z]?)?,?[ \t]+(?:[A-Z]|rue |avenue |boulevard )"
)
# The same in lower case ("12 main street"), read only after an address cue ("i live at",
# "my address is"): without one, "3 blocks down the street" is a distance.
LOWER_NUMBER_FIRST_HINT = re.compile(r"[a-z]?,?[ \t]+[a-z]")
_NUMBER_FIRST = re.compile(
    r"""
    \d{1,5}[A-Za-z]?(?:[ \t]?[-–][ \t]?\d{1,5}[A-Za-z]?)?,?[ \t]+
    (?:
        (?:(?:North|South|East|West|[NSEW])\.?[ \t]+)?
        (?:(?:[A-Z][\w'’.-]*|of|the|\d{1,3}(?:st|nd|rd|th))[ \t]+){1,3}?
        (?:Street|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Boulevard|Blvd|Way|Place|Square|Sq|Terrace
          |Close|Crescent|Highway|Hwy|Parkway|Pkwy|Gardens|Grove|Mews|Court|Row
          |St(?![ \t]+[A-Z])|Dr(?![ \t]+[A-Z]))
        (?![\w'’-])
      | (?:[Rr]ue|[Aa]venue|[Bb]oulevard)[ \t]+(?:(?:de|du|des|la|le|d'|l')[ \t]*)*
        [A-ZÀ-Þ][\w'’-]*(?:[ \t]+(?:(?:de|du|des|la|le|d'|l')[ \t]*)*[A-ZÀ-Þ][\w'’-]*){0,2}
    )
    """,
    re.VERBOSE,
)
_LOWER_NUMBER_FIRST = re.compile(
    r"""
    \d{1,5}[a-z]?,?[ \t]+
    (?:[a-z][a-z'’.-]*[ \t]+){1,2}?
    (?:street|road|rd|avenue|ave|lane|ln|drive|boulevard|blvd|way|place|square|terrace|close
      |crescent|highway|parkway|gardens|grove|mews|court|st|dr)
    (?![\w'’-])
    """,
    re.VERBOSE,
)
# Words that make a lower-case run a distance or a count, not a street name ("3 blocks down
# the road", "2 lane road").
_NOT_STREET_NAME_WORDS = frozenset(
    """
    the a an of on in at to down up along across from this that my your our their his her its
    blocks block minutes minute min mins hours hour miles mile km meters metres steps lane lanes
    way ways car cars floor floors storey story times more other
    """.split()
)
_UNIT_BEFORE = re.compile(r"(?i:flat|apt\.?|apartment|unit|suite)[ \t]*#?\w{1,4},?[ \t]*$")
_BOX_PREFIX = re.compile(r"(?i:p\.?[ \t]?o\.?|post)[ \t]*$")
_BOX_NOT_AFTER = frozenset("tick check mark see in into from the a this that".split())
_BOX_NOT_BEFORE = frozenset("of on in is was".split())
_LAW_SIGN = re.compile(r"[ \t\u00a0]*§")


def has_prefix_keyword(text: str, p: int) -> bool:
    """Whether one of the six words before `p` is a street keyword ("rue", "ул.", "شارع")."""
    for word in text[max(0, p - 60) : p].split()[-6:]:
        if word.casefold().rstrip(",:،") in _PREFIX_WORDS:
            return True
    return False


def po_box(text: str, key: str, w_start: int, w_end: int, num_end: int) -> tuple[int, int] | None:
    """A P.O. box: "PL 123", "PB 45", "P.O. Box 17", "Postilokero 5"."""
    word = text[w_start:w_end]
    if _LAW_SIGN.match(text, num_end):
        return None  # "PL 19 §": a section of the constitution (perustuslaki)
    postal = POSTAL_CODE.match(text, num_end) is not None
    start = w_start
    if key in ("pl", "pb"):
        if word != word.upper() and not postal:
            return None
    elif key == "box":
        prefix = _BOX_PREFIX.search(text, max(0, w_start - 8), w_start)
        if prefix is not None:
            start = prefix.start()
        elif not postal:
            # "Box 12" in running text; not a form's box ("Tick box 3", "Box 2 of the form")
            # and not at the start of a sentence, where every word has a capital.
            before = text[max(0, w_start - 12) : w_start].split()
            after = NEXT_WORD.match(text, num_end)
            if (
                word != "Box"
                or not before
                or before[-1][-1] in ".!?"
                or before[-1].casefold() in _BOX_NOT_AFTER
                or (after is not None and after.group(1).casefold() in _BOX_NOT_BEFORE)
            ):
                return None
    return start, num_end


def prefixed_street(text: str, p: int, num_end: int) -> tuple[int, int] | None:
    """A street keyword, one to four name words, then the number ("ул. Ленина, д. 5")."""
    keyword = None
    for m in _PREFIX_KEYWORD.finditer(text, max(0, p - 60), p):
        keyword = m
    if keyword is None:
        return None
    between = _PREFIXED_NAME.fullmatch(text, keyword.end(), p)
    if between is None:
        return None
    name = between.group("name")
    arabic = "\u0600" <= keyword.group()[-1] <= "\u06ff"
    if not arabic and not any(w[0].isupper() for w in name.split()):
        return None
    end, has_flat = house_end(text, num_end)
    if not has_flat and is_count(text, end):
        return None
    return keyword.start(), end


def cued_script_street(text: str, p: int, num_end: int) -> tuple[int, int] | None:
    """After a Cyrillic or Arabic address cue: the street name words and the number."""
    if num_end - p > 4:
        return None
    m = _SCRIPT_CUE_NAME.search(text, max(0, p - 60), p)
    if m is None:
        return None
    names = m.group("name").replace(",", " ").replace("،", " ").split()
    for w in names:
        if w[0].isalpha() and w[0].islower() and not "\u0600" <= w[0] <= "\u06ff":
            return None
        if w in _ARABIC_NOT_NAMES:
            return None
    end, has_flat = house_end(text, num_end)
    if not has_flat and is_count(text, end):
        return None
    return m.start("name"), end


def number_first(text: str, p: int) -> tuple[int, int] | None:
    """A number-first address: "221B Baker Street", "5 Elm Rd", "10 rue de Rivoli"."""
    m = _NUMBER_FIRST.match(text, p)
    if m is None:
        return None
    return _with_unit(text, p, m.end())


def lower_number_first(text: str, p: int) -> tuple[int, int] | None:
    """A number-first address in lower case ("12 main street"); the caller checks for the
    address cue that makes it one."""
    m = _LOWER_NUMBER_FIRST.match(text, p)
    if m is None or any(w in _NOT_STREET_NAME_WORDS for w in m.group().split()[1:-1]):
        return None
    return _with_unit(text, p, m.end())


def _with_unit(text: str, p: int, end: int) -> tuple[int, int]:
    start = p
    unit = _UNIT_BEFORE.search(text, max(0, p - 24), p)
    if unit is not None:
        start = unit.start()
    return start, end
