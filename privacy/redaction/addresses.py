"""Finds street addresses: a Finnish or Swedish street name, a house number, staircase and flat.

Never masks a street name without a number ("Hämeentiellä on ruuhkaa"), a postal code or a
city: only the street and number identify a home.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Finnish case endings on a street name ("Mannerheimintiellä", "Hämeenkadulla", "Malminkaarella").
_CASE = r"(?:n|a|ä|ta|tä|lla|llä|lta|ltä|lle|ssa|ssä|sta|stä|hen|en|an|un|seen)?"
# Endings that say "street" on their own (nominative and gradated stems).
_STRONG_SUFFIX = rf"""(?:
    ka[td]u | tie | kuja | pol(?:ku|u) | väylä | kaar[ei] | rai(?:tti|ti) | tanhua | aukio
  | bulevardi | esplanadi | puistotie | rantatie
){_CASE}
  | gatan | gata | vägen | väg | gränd(?:en)? | stigen | gången | allén | allé | torget
  | kajen | backen | esplanaden | strand(?:en)? | leden | slingan | bågen"""
# Endings that are street names less often than ordinary nouns ("raportti", "kadunkulma"):
# they count only with an address cue, a staircase/flat or a postal code after them.
_WEAK_SUFFIX = rf"""(?:
    rin(?:ne|tee) | tori | puisti(?:kko|ko) | ran(?:ta|na) | kaar(?:re|tee) | por(?:tti|ti)
  | kierto | kierro | kulma | piha | penger | penkeree | laituri | ah(?:de|tee) | mä(?:ki|e|ke)
  | kum(?:pu|mu) | portaat | portaa | kaari
){_CASE}"""
# Whole words that are common nouns, not streets, even though they end like one.
_NOT_STREETS = frozenset(
    """
    tie tiellä tien tietä tielle tieltä katu kadulla kadun katua kadulle kuja kujalla polku
    polulla väylä linja linjalla linjan rautatie maantie moottoritie pyörätie kävelytie
    valtatie kantatie seututie yhdystie sivutie metsätie pääkatu sivukatu kävelykatu umpikuja
    bussilinja raitiolinja metrolinja puhelinlinja vaihtolinja
    vägen väg gatan gata gränd stigen gången torget backen
    """.split()
)
# Words that end in -n/-s but do not start a street name ("Olen kadulla 5").
_NOT_GENITIVE = frozenset(
    "olen asun on en minun sinun hänen sen tämän tuon jonka kun meidän teidän heidän ja "
    "is was has his this bus uusien vanhojen".split()
)
# Words that can stand before a multi-word street but are not part of it.
_LEAD_WORDS = frozenset(
    "asun asumme asuu asuin osoite osoitteeni osoitteessa address adress adressen bor olen "
    "on in at på i the my min mitt minun mun live lives osoitteeseen kotiosoite katuosoite "
    "ja and och tai or".split()
)
_ADJECTIVE = r"(?:Pohjoinen|Eteläinen|Itäinen|Läntinen|Vanha|Uusi|Iso|Pieni|Pikku|Norra|Södra|Östra|Västra|Gamla|Nya|Stora|Lilla)"  # noqa: E501
_WORD = r"[^\W\d_][\w'’-]*"
_ADDRESS = re.compile(
    rf"""
    (?P<street>
        (?:{_ADJECTIVE}\s+)?
        (?:
            (?-i:(?:[A-ZÅÄÖ]{_WORD}\s+)?(?P<gen>[A-ZÅÄÖ][\w'’-]*(?:n|s)))\s+
                (?P<part>(?:{_STRONG_SUFFIX})|(?:{_WEAK_SUFFIX})|tori|tie|katu)
          | (?:Ensi|Toinen|Kolmas|Neljäs|Viides)\s+linja{_CASE}
          | {_WORD}?(?P<strong>{_STRONG_SUFFIX})
          | {_WORD}?(?P<weak>{_WEAK_SUFFIX})
        )
    )
    \s+
    (?P<number>[1-9]\d{{0,3}}(?:\s?[-–]\s?\d{{1,4}})?(?:[a-hA-H](?!\s?\d))?(?::[^\W\d_]{{1,4}})?)
    (?![\d]|[.,]\d)
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Words after a number that make it a count, an amount or a time, not a house number.
_COUNT_WORDS = frozenset(
    """
    vuotta vuoden v vuosi kk kuukautta kuukauden viikkoa viikon päivää päivän tuntia tunnin
    min minuuttia minuutin h km m metriä metrin kertaa kerran henkeä hengen ihmistä ihmisen
    lasta lapsen lapsi kpl kappaletta euroa euron e eur € % prosenttia astetta kg kiloa
    years year months month weeks days hours minutes times people persons kids children
    år månader veckor dagar timmar minuter gånger personer barn euro procent
    лет года год месяцев дней раз человек евро років роки місяців днів разів осіб
    """.split()
)
_NEXT_WORD = re.compile(r"\s*([^\W\d_]+|[€%])")


# Cheap pre-checks: a word directly before a number, and whether that word ends like a street.
_TAIL_BEFORE_NUMBER = re.compile(r"([^\W\d_]{3})[ \t\u00a0]+[1-9]")
_SPACE_DIGIT = re.compile(r"[ \t\u00a0]+\d")
_REVERSED_WORD = re.compile(r"[\w'’-]*[^\W\d_]")
_STEMS = """
    katu kadu tie kuja polku polu väylä kaari kaare raitti raiti tanhua aukio bulevardi
    esplanadi puistotie rantatie rinne rintee tori puistikko puistiko ranta ranna kaarre
    kaartee portti porti kierto kierro kulma piha penger penkeree laituri ahde ahtee mäki mäe
    mäke kumpu kummu portaat portaa
""".split()
_CASES = "n a ä ta tä lla llä lta ltä lle ssa ssä sta stä hen en an un seen".split()
_SWEDISH = """
    gatan gata vägen väg gränd gränden stigen gången allén allé torget kajen backen
    esplanaden strand stranden leden slingan bågen
""".split()
_STREET_ENDINGS = frozenset(
    [stem + case for stem in [*_STEMS, "linja"] for case in ["", *_CASES]] + _SWEDISH
)
_ENDING_LENGTHS = tuple(sorted({len(e) for e in _STREET_ENDINGS}))


_ENDING_TAILS = frozenset(e[-3:] for e in _STREET_ENDINGS if len(e) >= 3)


def ends_like_street(word: str) -> bool:
    """Whether `word` ends like a Finnish or Swedish street name ("Hämeentie", "-gatan")."""
    low = word.casefold()
    if low[-3:] not in _ENDING_TAILS:
        return False  # one set lookup rejects almost every word
    return any(low[-n:] in _STREET_ENDINGS for n in _ENDING_LENGTHS if n <= len(low))


_WORD_START = re.compile(r"(?<![\w'’-])[^\W\d_]")


def _matches(text: str) -> Iterator[re.Match[str]]:
    """Full address matches, tried only where a street-like word stands before a number."""
    tails = _TAIL_BEFORE_NUMBER.findall(text)
    if not tails or _ENDING_TAILS.isdisjoint(t.casefold() for t in tails):
        return  # one scan rejects "Bussi 55", "klo 16.45", "418 e" and every clean message
    last_end = 0
    reversed_text = ""
    for gap in _SPACE_DIGIT.finditer(text):
        pos = gap.start()
        if pos < last_end or text[max(0, pos - 3) : pos].casefold() not in _ENDING_TAILS:
            continue  # one slice and set lookup rejects "Bussi 55", "klo 16.45", "418 e"
        if not reversed_text:
            reversed_text = text[::-1]
        word = _REVERSED_WORD.match(reversed_text, len(text) - pos)
        if word is None or not ends_like_street(word.group()[::-1]):
            continue
        word_start = pos - len(word.group())
        # The street may start up to three words earlier ("Pohjoinen Aleksis Kiven katu").
        window = text[max(0, word_start - 48) : word_start]
        offset = word_start - len(window)
        starts = [offset + w.start() for w in _WORD_START.finditer(window)][-3:]
        starts.append(word_start)
        for start in starts:
            m = _ADDRESS.match(text, start)
            if m and m.start("number") == gap.end() - 1:
                last_end = m.end()
                yield m
                break


def find_addresses(text: str) -> list[tuple[int, int]]:
    """Return spans of street addresses (street name and house number, staircase, flat)."""
    return list(_addresses(text))


# After the house number: staircase letter and/or flat number ("B 29", "D16", "A as. 3",
# "as. 35", "lgh 1203"). A lone lower-case letter is not a staircase ("5 a lot").
_STAIRCASE = re.compile(r"[ \t]?([A-Ha-h])(?![^\W\d_])")
_FLAT_NUMBER = re.compile(
    r"[ \t]?(?:(?:as|asunto|huoneisto|bst|lgh|lägenhet|apt|flat)\.?[ \t]?)?\d{1,4}(?!\d)",
    re.IGNORECASE,
)
_DESIGNATED_FLAT = re.compile(
    r"[ \t]?(?:as|asunto|huoneisto|bst|lgh|lägenhet|apt|flat)\.?[ \t]?\d{1,4}(?!\d)",
    re.IGNORECASE,
)
_POSTAL_CODE = re.compile(r",?\s+\d{5}(?!\d)")


def _flat_end(text: str, end: int) -> int:
    """Where the staircase and flat after a house number end (`end` when there are none)."""
    stair = _STAIRCASE.match(text, end)
    if stair:
        flat = _FLAT_NUMBER.match(text, stair.end())
        if flat:
            return flat.end()
        return stair.end() if stair.group(1).isupper() else end
    flat = _DESIGNATED_FLAT.match(text, end)
    return flat.end() if flat else end


def _addresses(text: str) -> Iterator[tuple[int, int]]:
    for m in _matches(text):
        street = m.group("street")
        words = street.split()
        if len(words) == 1 and words[0].casefold() in _NOT_STREETS:
            continue
        gen = m.group("gen")
        if gen and gen.casefold() in _NOT_GENITIVE:
            continue
        start = m.start()
        if len(words) >= 3 and gen and words[0].casefold().rstrip(":,") in _LEAD_WORDS:
            start = m.start("gen")  # "Asun Sörnäisten rantatie 28": the cue is not the street
        number_end = m.end("number")
        end = _flat_end(text, number_end)
        has_flat = end > number_end
        strong_shape = has_flat or _POSTAL_CODE.match(text, end) is not None
        cue = _has_address_cue(text, start)
        if m.group("weak") is not None and not (strong_shape or cue):
            continue
        if not strong_shape and not cue and not any(c.isupper() for c in street):
            continue  # lower-case "kadulla 5" without a cue or a flat is too weak
        if not has_flat:
            nxt = _NEXT_WORD.match(text, end)
            if nxt and nxt.group(1).casefold() in _COUNT_WORDS:
                continue
        yield start, end


_CUE = re.compile(
    r"(?:asun|asumme|asuu|osoite|osoitteeni|osoitteessa|osoitteeseen|kotiosoite|address|adress|"
    r"bor\s+på|live\s+(?:at|on|in)|lives\s+(?:at|on)|адрес|живу|عنواني|العنوان)\W*\s*$",
    re.IGNORECASE,
)


def _has_address_cue(text: str, start: int) -> bool:
    return _CUE.search(text[max(0, start - 24) : start]) is not None
