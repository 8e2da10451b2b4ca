"""Finds street addresses and P.O. boxes: a street name, a house number, staircase and flat.

Never logs or raises with message text; never masks a street without a number, nor a postal code.
"""

from __future__ import annotations

import gzip
import re
from importlib.resources import files

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

_PO_BOX = frozenset("pl pb box postilokero postbox postboks postfach apartado".split())
# Words between a street name and its number ("ул. Ленина, д. 5", "Atatürk Caddesi No: 5").
_HOUSE_MARKERS = frozenset("д дом буд будинок no nr nro № رقم".split())
_TAILS = frozenset(
    [f[-3:] for f in _FORMS] + [w[-3:] for w in _PO_BOX] + [w[-3:] for w in _HOUSE_MARKERS]
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
    "ja and och tai or to till into from".split()
)
# Words that may open a street name before a genitive or a bare generic.
_QUALIFIERS = frozenset(
    "pohjoinen eteläinen itäinen läntinen vanha uusi iso pieni pikku norra södra östra västra "
    "gamla nya stora lilla vähä ensi toinen kolmas neljäs viides".split()
)
# Words after a number that make it a count, an amount or a time, not a house number.
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
_NEXT_WORD = re.compile(r"\s*([^\W\d_]+|[€%§$£])")

# Digit runs; a house number is one of at most five digits that is not part of a date, a time,
# a decimal or a code ("4.1.2025", "16.45", "+358", "#5").
_DIGITS = re.compile(r"\d+")
_GLUED_BEFORE = frozenset("_+-–/#")
# The word before a number, read backwards in the reversed text: separator, then the word.
_REV_WORD = re.compile(r"([ \t\u00a0]*[.:,،]?[ \t\u00a0]*)([^\W\d_][\w'’-]*)")
_REV_SPACE_WORD = re.compile(r"([ \t\u00a0]+)([^\W\d_][\w'’.-]*)")
_INITIALS_BEFORE = re.compile(r"(?:[A-ZÅÄÖ]\.[ \t]?){1,3}[ \t]*$")
# After the house number: a glued letter ("12a", "221B"), a range ("11-13"), a case ending.
_HOUSE_TAIL = re.compile(
    r"(?:[a-zA-Z](?![^\W\d_]))?(?:[ \t]?[-–][ \t]?\d{1,4}(?:[a-zA-Z](?![^\W\d_]))?(?!\d))?"
    r"(?::[^\W\d_]{1,4}(?!\w))?"
)
_FLAT_WORDS = (
    r"as|asunto|huoneisto|bst|bostad|lgh|lägenhet|apt|apartment|flat|unit|door|"
    r"кв|квартира|корп|корпус|стр|к|شقة"
)
# A staircase letter ("B", "J"); a lone lower-case letter counts only before a flat number.
_STAIRCASE = re.compile(r"[ \t\u00a0]?([A-Za-z])(?![^\W\d_'’]|\.[^\W\d_])")
_FLAT_NUMBER = re.compile(
    rf"[ \t\u00a0]?(?:(?:{_FLAT_WORDS})\.?[ \t\u00a0]?)?#?\d{{1,4}}(?!\d|[.,:]\d)", re.IGNORECASE
)
_DESIGNATED_FLAT = re.compile(
    rf"[,،]?[ \t\u00a0]?(?:{_FLAT_WORDS})\.?[ \t\u00a0]?#?\d{{1,4}}[a-zа-я]?(?!\d|[.,:]\d)",
    re.IGNORECASE,
)
_POSTAL_CODE = re.compile(r",?\s*(?:FI-?)?\d{5}(?!\d)")

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
_NON_LATIN_SCRIPT = re.compile(r"[\u0400-\u04ff\u0600-\u06ff]")
# An address cue in Cyrillic or Arabic script, then the name words of a street in any script
# ("живу на Хямеентие 5", "أسكن في شارع ...": the latter is caught by the keyword already).
_SCRIPT_CUE_NAME = re.compile(
    r"(?:адрес[уа]?|адресою|живу|живём|живем|проживаю|мешкаю|عنواني|العنوان|عنوان|أسكن|اسكن|"
    r"أعيش|اعيش|أقيم|اقيم)[ \t:]*(?:(?:на|в|по|у|في|فى)[ \t]+)?"
    r"(?P<name>(?:[^\W\d_][\w'’-]*[ \t,،]+){1,3}?)(?:(?:д|дом|буд|رقم)\.?[ \t]*)?$"
)
_ARABIC_NOT_NAMES = frozenset("منذ مع من عن حوالي لمدة في مدة".split())
# Number-first addresses: English ("221B Baker Street", "5 Elm Rd") and French ("10 rue ...").
_NUMBER_FIRST_HINT = re.compile(
    r"[A-Za-z]?(?:[ \t]?[-–][ \t]?\d{1,5}[A-Za-z]?)?,?[ \t]+(?:[A-Z]|rue |avenue |boulevard )"
)
_NUMBER_FIRST = re.compile(
    r"""
    \d{1,5}[A-Za-z]?(?:[ \t]?[-–][ \t]?\d{1,5}[A-Za-z]?)?,?[ \t]+
    (?:
        (?:(?:North|South|East|West|[NSEW])\.?[ \t]+)?
        (?:(?:[A-Z][\w'’.-]*|of|the)[ \t]+){1,3}?
        (?:Street|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Boulevard|Blvd|Way|Place|Square|Sq|Terrace
          |Close|Crescent|Highway|Hwy|Parkway|Pkwy|Gardens|Grove|Mews|Court|Row
          |St(?![ \t]+[A-Z])|Dr(?![ \t]+[A-Z]))
        (?![\w'’-])
      | (?:rue|avenue|boulevard)[ \t]+(?:(?:de|du|des|la|le|d'|l')[ \t]*)*
        [A-ZÀ-Þ][\w'’-]*(?:[ \t]+(?:(?:de|du|des|la|le|d'|l')[ \t]*)*[A-ZÀ-Þ][\w'’-]*){0,2}
    )
    """,
    re.VERBOSE,
)
_UNIT_BEFORE = re.compile(r"(?i:flat|apt\.?|apartment|unit|suite)[ \t]*#?\w{1,4},?[ \t]*$")
_BOX_PREFIX = re.compile(r"(?i:p\.?[ \t]?o\.?|post)[ \t]*$")
_BOX_NOT_AFTER = frozenset("tick check mark see in into from the a this that".split())
_BOX_NOT_BEFORE = frozenset("of on in is was".split())
_LAW_SIGN = re.compile(r"[ \t\u00a0]*§")

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
        if _NUMBER_FIRST_HINT.match(text, num_end):
            span = _number_first(text, p)
        if span is None:
            if not rev:
                rev = text[::-1]
            span = _street_before(text, rev, p, num_end)
        if span is None and _has_prefix_keyword(text, p):
            span = _prefixed_street(text, p, num_end)
        if span is None and _NON_LATIN_SCRIPT.search(text, max(0, p - 24), p):
            span = _cued_script_street(text, p, num_end)
        if span is not None and span[0] >= last_end:
            spans.append(span)
            last_end = span[1]
    return spans


def _has_prefix_keyword(text: str, p: int) -> bool:
    """Whether one of the six words before `p` is a street keyword ("rue", "ул.", "شارع")."""
    for word in text[max(0, p - 60) : p].split()[-6:]:
        if word.casefold().rstrip(",:،") in _PREFIX_WORDS:
            return True
    return False


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
    if key in _PO_BOX:
        return _po_box(text, key, w_start, w_end, num_end)
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
    end, has_flat = _house_end(text, num_end)
    strong_shape = has_flat or _POSTAL_CODE.match(text, end) is not None
    strong_name = generic.strength == _STRONG and text[start].isupper()
    if not (known or strong_shape or strong_name or _has_cue(text, start)):
        return None  # a weak or lower-case name needs more than a number after it
    if not has_flat and (_is_count(text, end) or (not strong_shape and _is_year(text, p, num_end))):
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


def _house_end(text: str, num_end: int) -> tuple[int, bool]:
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
        elif letter.isupper() and letter != "I":
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


def _is_count(text: str, end: int) -> bool:
    nxt = _NEXT_WORD.match(text, end)
    return nxt is not None and nxt.group(1).casefold() in _COUNT_WORDS


def _has_cue(text: str, start: int) -> bool:
    return _CUE.search(text, max(0, start - 40), start) is not None


def _po_box(text: str, key: str, w_start: int, w_end: int, num_end: int) -> tuple[int, int] | None:
    """A P.O. box: "PL 123", "PB 45", "P.O. Box 17", "Postilokero 5"."""
    word = text[w_start:w_end]
    if _LAW_SIGN.match(text, num_end):
        return None  # "PL 19 §": a section of the constitution (perustuslaki)
    postal = _POSTAL_CODE.match(text, num_end) is not None
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
            after = _NEXT_WORD.match(text, num_end)
            if (
                word != "Box"
                or not before
                or before[-1][-1] in ".!?"
                or before[-1].casefold() in _BOX_NOT_AFTER
                or (after is not None and after.group(1).casefold() in _BOX_NOT_BEFORE)
            ):
                return None
    return start, num_end


def _prefixed_street(text: str, p: int, num_end: int) -> tuple[int, int] | None:
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
    end, has_flat = _house_end(text, num_end)
    if not has_flat and _is_count(text, end):
        return None
    return keyword.start(), end


def _cued_script_street(text: str, p: int, num_end: int) -> tuple[int, int] | None:
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
    end, has_flat = _house_end(text, num_end)
    if not has_flat and _is_count(text, end):
        return None
    return m.start("name"), end


def _number_first(text: str, p: int) -> tuple[int, int] | None:
    """A number-first address: "221B Baker Street", "5 Elm Rd", "10 rue de Rivoli"."""
    m = _NUMBER_FIRST.match(text, p)
    if m is None:
        return None
    start = p
    unit = _UNIT_BEFORE.search(text, max(0, p - 24), p)
    if unit is not None:
        start = unit.start()
    return start, m.end()
