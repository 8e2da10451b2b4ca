"""Finds street addresses and P.O. boxes: a street name, a house number, staircase and flat.

Never logs or raises with message text; never masks a postal code, nor a street without a
number unless the writer says they live there (`bare_streets`).
"""

from __future__ import annotations

import gzip
import re
from importlib.resources import files

from privacy.redaction.addresses_abroad import (
    LOWER_NUMBER_FIRST_HINT,
    NON_LATIN_SCRIPT,
    NUMBER_FIRST_HINT,
    cued_script_street,
    has_prefix_keyword,
    lower_number_first,
    number_first,
    po_box,
    prefixed_street,
)
from privacy.redaction.house_numbers import FLAT_WORDS, POSTAL_CODE, house_end, is_count

_DATA = files("privacy.redaction").joinpath("data").joinpath("streets")


def _data_lines(name: str) -> list[str]:
    raw = _DATA.joinpath(name).read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    lines = (line.split("#", 1)[0].strip() for line in raw.decode("utf-8").splitlines())
    return [line for line in lines if line]


_STRONG, _WEAK, _NAME = 0, 1, 2
_STRENGTHS = {"strong": _STRONG, "weak": _WEAK, "name": _NAME}
# Finnish case endings; attached to every stem of a generic, so some forms do not exist in the
# language ("katulla"), which costs nothing: a house number must still follow. The local cases
# say where someone lives ("Sepänkadulla 4"); the others are rarely followed by a house number
# and end many ordinary words ("lähtien", "alkujaan"), so they count as weak.
_LOCAL_CASES = ("", *"lla llä lta ltä lle ssa ssä sta stä".split())
_OTHER_CASES = (*"n a ä ta tä hen en an än on ön un yn in seen na nä ksi".split(),)
# Languages whose generics stand as a separate word after the name ("Oxford Street",
# "Atatürk Caddesi", "Kossuth utca"), never glued to it as in "Hauptstraße" or "Hämeentie".
_SEPARATE_ONLY = frozenset({"en", "tr", "hu", "et"})


class _Generic:
    __slots__ = ("lang", "local", "nominative", "strength")

    def __init__(self, strength: int, lang: str, nominative: str, local: bool = True) -> None:
        self.strength = strength
        self.lang = lang
        self.nominative = nominative
        self.local = local  # nominative or a local case, not "Hämeentien" or "Hämeentietä"


def _load_generics() -> dict[str, _Generic]:
    forms: dict[str, _Generic] = {}
    for line in _data_lines("generics.lst"):
        strength, lang, nominative, *stems = line.split()
        generic = _Generic(_STRENGTHS[strength], lang, nominative)
        other = _Generic(max(generic.strength, _WEAK), lang, nominative, local=False)
        if lang == "fi":
            for stem in (nominative, *stems):
                for case in _LOCAL_CASES:
                    forms.setdefault(stem + case, generic)
            for stem in (nominative, *stems):
                for case in _OTHER_CASES:
                    forms.setdefault(stem + case, other)
        else:
            forms.setdefault(nominative, generic)
    return forms


_FORMS = _load_generics()
_FORM_LENGTHS = tuple(sorted({len(f) for f in _FORMS}, reverse=True))
# Known streets (Helsinki), lower case; only those that are not also ordinary words.
_KNOWN = frozenset(name.casefold() for name in _data_lines("helsinki_streets.lst"))

PO_BOX = frozenset("pl pb box postilokero postbox postboks postfach apartado".split())
# Words between a street name and its number ("ул. Ленина, д. 5", "Atatürk Caddesi No: 5").
_HOUSE_MARKERS = frozenset("д дом буд будинок no nr nro № رقم".split())
_TAILS = frozenset(
    [f[-3:] for f in _FORMS] + [w[-3:] for w in PO_BOX] + [w[-3:] for w in _HOUSE_MARKERS]
)
# Compounds that are common nouns, not streets, even though they end like one (nominatives;
# inflected forms are reduced to these before the lookup). A name before them makes them a
# street again ("Pispalan valtatie").
_NOT_STREETS = frozenset(
    """
    rautatie maantie moottoritie pyörätie kävelytie valtatie kantatie seututie yhdystie sivutie
    metsätie pihatie ajotie huoltotie oikotie kiertotie ohitustie hengitystie virtsatie sappitie
    kotitie koulutie työtie läpikulkutie kehätie pikatie kärrytie
    pääkatu sivukatu kävelykatu ostoskatu pihakatu
    umpikuja sivukuja takakuja hoitopolku palvelupolku opintopolku urapolku oppimispolku
    kuntoutuspolku asiakaspolku polkupolku kotipolku
    vesiväylä kulkuväylä hengitysväylä asiointiväylä meriväylä laivaväylä
    sateenkaari elämänkaari valokaari kyläraitti kylänraitti
    bussilinja raitiolinja metrolinja puhelinlinja vaihtolinja junalinja lentolinja päälinja
    ratikkalinja bussireitti kävelyreitti pyöräreitti työura urheiluura
    jalkapallokenttä pallokenttä urheilukenttä tekonurmikenttä palloiluhalli
    riksväg landsväg motorväg järnväg cykelväg gångväg huvudgata gågata sidogata
    """.split()
)
# Bare generics that are street names on their own in Helsinki ("Bulevardi 5").
_BARE_STREETS = frozenset("bulevardi bulevarden esplanadi esplanaden".split())
# Words that end in -n/-s but do not start a street name ("Olen kadulla 5").
_NOT_GENITIVE = frozenset(
    "olen asun on en minun sinun hänen sen tämän tuon jonka kun meidän teidän heidän ja "
    "is was has his this its bus uusien vanhojen kaikkien muiden oman omassa".split()
)
# Words that can stand before a street but are not part of it.
_LEAD_WORDS = frozenset(
    "asun asumme asuu asuin osoite osoitteeni osoitteessa address adress adressen bor olen "
    "on in at på i the my min mitt minun mun live lives osoitteeseen kotiosoite katuosoite "
    "ja and och tai or to till into from adres adresim adresi adresimiz".split()
)
# Words that may open a street name before a genitive or a bare generic.
_QUALIFIERS = frozenset(
    "pohjoinen eteläinen itäinen läntinen vanha uusi iso pieni pikku norra södra östra västra "
    "gamla nya stora lilla vähä ensi toinen kolmas neljäs viides".split()
)
# Words after a number that make it a count, an amount or a time, not a house number.

# Digit runs; a house number is one of at most five digits that is not part of a date, a time,
# a decimal or a code ("4.1.2025", "16.45", "+358", "#5").
_DIGITS = re.compile(r"\d+")
_GLUED_BEFORE = frozenset("_+-–/#")
# The word before a number, read backwards in the reversed text: separator, then the word.
_REV_WORD = re.compile(r"([ \t\u00a0]*[.:,،]?[ \t\u00a0]*)([^\W\d_][\w'’-]*)")
_REV_SPACE_WORD = re.compile(r"([ \t\u00a0]+)([^\W\d_][\w'’.-]*)")
_INITIALS_BEFORE = re.compile(r"(?:[A-ZÅÄÖ]\.[ \t]?){1,3}[ \t]*$")

_CUE = re.compile(
    r"(?<!\w)(?:asun|asumme|asuu|asuin|asutaan|asuvat|osoite|osoitteeni|osoitteessa|osoitteeseen|"
    r"osoitteesta|osoitteella|osoitteemme|kotiosoite|kotiosoitteeni|katuosoite|postiosoite|"
    r"laskutusosoite|toimitusosoite|muutin|muutimme|muutamme|muutan|kotini|"
    r"adress|adressen|hemadress|postadress|bor[ \t]+på|bor[ \t]+vid|flyttade[ \t]+till|"
    r"address|live[ \t]+(?:at|on|in)|lives[ \t]+(?:at|on|in)|living[ \t]+at|moved[ \t]+to|"
    r"адрес|адреса|адресу|адресою|живу|живём|живем|проживаю|мешкаю|"
    r"عنوان|عنواني|العنوان|أسكن|اسكن|أعيش|اعيش|أقيم|اقيم|سكني)"
    r"[\W_]*(?:[^\W\d_]{1,8}[ \t:]+){0,2}[\W_]*$",
    re.IGNORECASE,
)


def _generic(key: str) -> tuple[int, _Generic] | None:
    """The longest generic form `key` ends with, and how long that form is."""
    n_key = len(key)
    for n in _FORM_LENGTHS:
        if n <= n_key:
            generic = _FORMS.get(key[-n:])
            if generic is not None:
                return n, generic
    return None


def ends_like_street(word: str) -> bool:
    """Whether `word` ends like a street name ("Hämeentie", "-gatan"), not like a surname."""
    low = word.casefold()
    if low[-3:] not in _TAILS:
        return False  # one set lookup rejects almost every word
    found = _generic(low)
    if found is None or found[1].strength == _NAME:
        return False
    return _plausible(low[: len(low) - found[0]], found[1])


def street_reading(word: str) -> tuple[str, str, bool] | None:
    """The name part and the nominative a word would have as a street ("Mannerheimintiellä"
    -> "mannerheimin", "mannerheimintie") and whether its generic is a strong one; None when
    it does not end like a street."""
    low = word.casefold()
    if low[-3:] not in _TAILS:
        return None
    found = _generic(low)
    if found is None:
        return None
    n, generic = found
    stem = low[: len(low) - n]
    strong = generic.strength == _STRONG and _plausible(stem, generic)
    return stem, stem + generic.nominative, strong


def is_known_street(nominative: str) -> bool:
    """A street of the Helsinki list (lower case, nominative)."""
    return nominative in _KNOWN


def is_bare_street(nominative: str) -> bool:
    """A generic that is a street name on its own in Helsinki ("Bulevardi", "Esplanadi")."""
    return nominative in _BARE_STREETS


def is_street_common_noun(nominative: str) -> bool:
    """A compound that ends like a street but is a common noun ("kävelytie", "pääkatu")."""
    return nominative in _NOT_STREETS


def _plausible(stem: str, generic: _Generic) -> bool:
    """A short weak generic needs a long first part: "Peltoura" is a street, "Laura" a name."""
    return generic.strength == _STRONG or len(generic.nominative) > 3 or len(stem) >= 4


def find_addresses(text: str) -> list[tuple[int, int]]:
    """Return spans of street addresses (street, house number, staircase, flat) and P.O. boxes."""
    spans: list[tuple[int, int]] = []
    last_end = 0
    rev = ""
    n = len(text)
    for run in _DIGITS.finditer(text):
        p, num_end = run.span()
        # Plain character tests rather than look-arounds in the pattern: most digit runs are
        # dates, times, prices and phone numbers, and this rejects them for a few comparisons.
        if p < last_end or num_end - p > 5 or text[p] in "0٠":
            continue
        if p:
            before = text[p - 1]
            if before.isalnum() or before in _GLUED_BEFORE:
                continue
            if before in ".,:" and p > 1 and text[p - 2].isdigit():
                continue  # "4.1.2025", "16.45"
        if num_end < n and text[num_end] in ".,:/" and text[num_end + 1 : num_end + 2].isdigit():
            continue
        span = None
        if NUMBER_FIRST_HINT.match(text, num_end):
            span = number_first(text, p)
        elif LOWER_NUMBER_FIRST_HINT.match(text, num_end):
            span = lower_number_first(text, p)
            if span is not None and not _has_cue(text, span[0]):
                span = None
        if span is None:
            if not rev:
                rev = text[::-1]
            span = _street_before(text, rev, p, num_end)
        if span is None and has_prefix_keyword(text, p):
            span = prefixed_street(text, p, num_end)
        if span is None and NON_LATIN_SCRIPT.search(text, max(0, p - 24), p):
            span = cued_script_street(text, p, num_end)
        if span is None:
            span = _cued_house(text, rev, p, num_end)
        if span is not None and span[0] >= last_end:
            spans.append(span)
            last_end = span[1]
    return spans


def _street_before(text: str, rev: str, p: int, num_end: int) -> tuple[int, int] | None:
    """A street whose name ends in the word before the number at `p`."""
    n = len(text)
    wm = _REV_WORD.match(rev, n - p)
    if wm is None:
        return None
    key = wm.group(2)[::-1].casefold()
    if key[-3:] not in _TAILS:
        return None  # the common case: the word before a number is no street
    w_end = p - len(wm.group(1))
    w_start = w_end - len(wm.group(2))
    if key in PO_BOX:
        return po_box(text, key, w_start, w_end, num_end)
    if key in _HOUSE_MARKERS:
        wm = _REV_WORD.match(rev, n - w_start)
        if wm is None:
            return None
        key = wm.group(2)[::-1].casefold()
        w_end = w_start - len(wm.group(1))
        w_start = w_end - len(wm.group(2))
    found = _generic(key)
    if found is None:
        return None
    form_len, generic = found
    stem = key[: len(key) - form_len]
    base = stem + generic.nominative
    bare = len(stem) < 2
    if not bare and (generic.lang in _SEPARATE_ONLY or not _plausible(stem, generic)):
        return None
    words = [base]
    # "Aleksis Kiven katu", "Sörnäisten rantatie", "Berliner Straße": a name before it.
    start = _extend_genitive(text, rev, w_start, words, generic.lang == "fi")
    if bare and base in _BARE_STREETS and text[w_start].isupper():
        bare = False  # "Bulevardi 5": a street on its own in Helsinki
    if start == w_start and (bare or base in _NOT_STREETS):
        return None  # "kadulla 5", "Valtatie 4": a common noun without a name before it
    start = _extend_qualifier(text, rev, start, words)
    known = generic.local and " ".join(words) in _KNOWN
    end, has_flat = house_end(text, num_end)
    strong_shape = has_flat or POSTAL_CODE.match(text, end) is not None
    strong_name = generic.strength == _STRONG and text[start].isupper()
    if not (known or strong_shape or strong_name or _has_cue(text, start)):
        return None  # a weak or lower-case name needs more than a number after it
    if not has_flat and (is_count(text, end) or (not strong_shape and _is_year(text, p, num_end))):
        return None
    return start, end


# Local cases say where, not which house: "asun Espoossa 5 vuotta", "muutin Vantaalle 2017".
_WHERE_CASE = re.compile(r"(?:ssa|ssä|sta|stä|lla|llä|lta|ltä|lle|hin|seen)$")
_PHRASE_END = frozenset(",.;!?)\n")
# A flat, floor or room before its number is part of an address, not its street: the flat
# words after a house number, and floors, rooms and number signs.
_UNIT_WORDS = FLAT_WORDS | frozenset(
    "suite room floor huone kerros krs våning rum no nr nro".split()
)


def _cued_house(text: str, rev: str, p: int, num_end: int) -> tuple[int, int] | None:
    """A street or house name no list knows, right after an address cue, when the number ends
    the address ("asun Rantala 5", "osoitteeni on Hevosenkenkä 3 A 7", "bor på Åkervik 4,
    Sibbo"): a staircase, a flat, a postal code, a comma or the end follows it."""
    wm = _REV_SPACE_WORD.match(rev, len(text) - p)
    if wm is None:
        return None
    word = wm.group(2)[::-1]
    if not (word[0].isupper() and len(word) >= 3 and word.replace("-", "").isalpha()):
        return None
    low = word.casefold()
    if low in _LEAD_WORDS or low in _UNIT_WORDS or _WHERE_CASE.search(low):
        return None
    start = p - len(wm.group(1)) - len(word)
    if not _has_cue(text, start):
        return None
    end, has_flat = house_end(text, num_end)
    if not has_flat:
        if is_count(text, end) or _is_year(text, p, num_end):
            return None
        after = text[end : end + 1]
        if after and after not in _PHRASE_END and POSTAL_CODE.match(text, end) is None:
            return None
    return start, end


def _is_year(text: str, p: int, num_end: int) -> bool:
    """A four-digit number from 1800 to 2099: a year ("Kroatien 1992"), not a house number."""
    return num_end - p == 4 and "1800" <= text[p:num_end] <= "2099"


def _extend_genitive(text: str, rev: str, start: int, words: list[str], finnish: bool) -> int:
    """Take the name words before a generic written apart ("Kiven katu", "Berliner Straße").

    `words` gets the lower-case words taken, for the lookup among known streets.
    """
    prev = _REV_SPACE_WORD.match(rev, len(text) - start)
    if prev is None:
        return start
    word = prev.group(2)[::-1]
    low = word.casefold().rstrip(".")
    if low in _LEAD_WORDS or low in _NOT_GENITIVE:
        return start
    if finnish and low[-1:] not in ("n", "s") and low not in _QUALIFIERS:
        return start
    street = text[start:].split(None, 1)[0]
    # The name is capitalised and the generic is not ("Sörnäisten rantatie"), both are in
    # capitals ("HERVANNAN VALTAVÄYLÄ"), or both are lower case in a message written so.
    if word[0].isupper():
        if not (street[0].islower() or street.isupper() or not finnish):
            return start  # "Leena Virtasen Hämeentie": the street starts at "Hämeentie"
    elif not street[0].islower():
        return start
    words.insert(0, low)
    start -= len(prev.group(1)) + len(word)
    return _extend_name(text, rev, start, words)


def _extend_name(text: str, rev: str, start: int, words: list[str]) -> int:
    """Take first names, a title or initials before a genitive ("Juho Kusti Paasikiven katu")."""
    before = _INITIALS_BEFORE.search(text, max(0, start - 12), start)
    if before is not None:
        return before.start()
    for _ in range(2):
        prev = _REV_SPACE_WORD.match(rev, len(text) - start)
        if prev is None:
            return start
        word = prev.group(2)[::-1]
        low = word.casefold()
        if low in _LEAD_WORDS or low in _NOT_GENITIVE or low.endswith(":"):
            return start
        # Lower case only when the whole name is a known street ("kaj franckin katu").
        if not word[0].isupper() and " ".join([low, *words]) not in _KNOWN:
            return start
        words.insert(0, low)
        start -= len(prev.group(1)) + len(word)
    return start


def _extend_qualifier(text: str, rev: str, start: int, words: list[str]) -> int:
    """Take "Pohjoinen", "Norra", "Toinen" ... before a street name."""
    prev = _REV_SPACE_WORD.match(rev, len(text) - start)
    if prev is None:
        return start
    word = prev.group(2)[::-1]
    low = word.casefold()
    if low in _QUALIFIERS and (word[0].isupper() or " ".join([low, *words]) in _KNOWN):
        words.insert(0, low)
        return start - len(prev.group(1)) - len(word)
    return start


def _has_cue(text: str, start: int) -> bool:
    return _CUE.search(text, max(0, start - 40), start) is not None


def has_address_cue(text: str, start: int) -> bool:
    """Whether an address cue ("asun", "osoitteeni on", "I live on") ends right before `start`."""
    return _has_cue(text, start)
