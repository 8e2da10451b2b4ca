"""Parts of a found name the model seldom takes on its own, and runs it took that name things.

A particle before a found name ("von Sydow", "Von Sydowin"), the name after such a particle
("Carl von Linné") or after an initial ("Nina S. Zagatin"), the initial before it ("J.
Virtanen"), a regnal number after it ("Robert I", "Kustaa III:n"); and a run right after a word
naming a kind of thing, place or body ("kylä Kottila", "lääkeyhtiö Orionin") or before a company
form ("Lindqvist Consulting Oy"), or one that holds digits ("Ke2 Dxe4"), is an inflected
abbreviation ("GATTin"), opens with a point of the compass ("Etelä-Saimaa"), a make of car
("Kia Picanto") or a genus ("Vicia sativa"), or names a country ("Georgian"), which is no
person. Pure functions of the tokens; never keep the words.
"""

from __future__ import annotations

import re

from privacy.redaction.lexicon import base_forms, evidence
from privacy.redaction.name_verbs import SAYS, adjacent
from privacy.redaction.territories import is_territory
from privacy.redaction.tokens import Token
from privacy.redaction.word_forms import is_finnish_word_form

# Lower-case words that start or join a name: "von Sydow", "van Gogh", "de Gaulle", "bin Salem".
# Not Swedish "av" (a preposition: "boken av Lindgren") nor "te" (Finnish "you").
PARTICLES = frozenset(
    "von van de da di du bin ibn ben bint abu af ter ten zu dos del della".split()
)
# Articles that belong to a name only after one of the particles above ("van der Berg",
# "de la Cruz"); alone they are articles ("Rund um den Henninger Turm", "el Niño").
SECOND_PARTICLES = frozenset("der den la le".split())
_REGNAL = re.compile(r"(?:I{1,3}|IV|VI{0,3}|IX|XI{0,3}|XIV|XVI{0,3})(?::\w+)?")


def _particle_before(text: str, tokens: list[Token], is_name: list[bool], i: int) -> bool:
    """Token i is a particle right before a found name ("von Sydow", "Von Sydowin")."""
    if is_name[i] or i + 1 >= len(tokens) or not is_name[i + 1]:
        return False
    if not adjacent(text, tokens[i], tokens[i + 1]):
        return False
    word = tokens[i].text.casefold()
    if word in SECOND_PARTICLES:
        return i > 0 and tokens[i - 1].text.casefold() in PARTICLES
    return word in PARTICLES


def _name_after_particle(text: str, tokens: list[Token], is_name: list[bool], i: int) -> bool:
    """Token i is a capitalised word after a found name and a particle ("Carl von Linné")."""
    if is_name[i] or i < 2 or not tokens[i].is_word or not tokens[i].capitalised:
        return False
    particle, name = tokens[i - 1], tokens[i - 2]
    if particle.text not in PARTICLES or not is_name[i - 2]:
        return False
    ev = evidence(tokens[i].text)
    return (
        not (ev.place or ev.not_name)
        and adjacent(text, name, particle)
        and adjacent(text, particle, tokens[i])
    )


def _name_after_initial(text: str, tokens: list[Token], is_name: list[bool], i: int) -> bool:
    """Token i is a capitalised word after a found name and an initial ("Nina S. Zagatin")."""
    if is_name[i] or i < 3 or not tokens[i].is_word or not tokens[i].capitalised:
        return False
    name, initial, dot = tokens[i - 3], tokens[i - 2], tokens[i - 1]
    if (
        not is_name[i - 3]
        or dot.text != "."
        or not (len(initial.text) == 1 and initial.text.isupper())
    ):
        return False
    ev = evidence(tokens[i].text)
    return (
        not (ev.place or ev.not_name or tokens[i].text.isupper())
        and adjacent(text, name, initial)
        and initial.end == dot.start
        and adjacent(text, dot, tokens[i])
    )


def _capitals_after_initial(text: str, tokens: list[Token], i: int) -> bool:
    """Token i is a surname in capitals after an initial, as signatures print them ("J.
    YATES", "K.-H. FUNKE"), and no acronym that text uses ("E. ON" is none of these)."""
    word = tokens[i]
    if i < 2 or not (word.is_word and word.text.isupper() and len(word.text) >= 3):
        return False
    initial, dot = tokens[i - 2], tokens[i - 1]
    if dot.text != "." or not (len(initial.text) == 1 and initial.text.isupper()):
        return False
    ev = evidence(word.text)
    return (
        initial.end == dot.start
        and adjacent(text, dot, word)
        and not (ev.common_word or ev.place or ev.not_name or max(ev.frequency) >= 3)
        # a heading in capitals is a word: "A. NORMAALIARVO"
        and not (ev.compound_head or is_finnish_word_form(word.text.casefold()))
    )


def _initial_before(text: str, tokens: list[Token], i: int) -> bool:
    """An initial and its dot right before token i: "J. Virtanen", "K.-H. Funke"."""
    if i < 2 or tokens[i - 1].text != ".":
        return False
    initial = tokens[i - 2]
    return (
        len(initial.text) == 1
        and initial.text.isupper()
        and initial.end == tokens[i - 1].start
        and adjacent(text, tokens[i - 1], tokens[i])
    )


def _regnal_number(text: str, tokens: list[Token], is_name: list[bool], i: int) -> bool:
    """Token i is a Roman number right after a found name: "Ludvig VIII", "Kustaa III:n".
    A lone "I" counts only before a Finnish word ("Robert I osallistui", not "Matti I think")."""
    if is_name[i] or i == 0 or not is_name[i - 1] or not _REGNAL.fullmatch(tokens[i].text):
        return False
    if not adjacent(text, tokens[i - 1], tokens[i]):
        return False
    if tokens[i].text != "I":
        return True
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    return (
        following is None
        or not following.is_word
        or is_finnish_word_form(following.text.casefold())
    )


# "Minttu-siskon", "Ahmed-veljeni", "Leena-sossu": a first name joined to what the person is to
# the writer.
_RELATION_AFTER_HYPHEN = re.compile(
    r"-(?:sisko|sisar|veli|velje|serkku|serku|täti|tädi|setä|sedä|eno|mummo|mummi|ukki|poika"
    r"|poja|tyttö|tytär|tyttäre|kaveri|ystävä|naapuri|vaimo|mies|miehe|äiti|äidi|isä|exä"
    r"|kummi|kumme|sossu|ope|opettaja|lääkäri|hoitaja|ohjaaja)[a-zåäö]{0,6}$"
)


def _name_with_relation(token: Token) -> bool:
    """A listed first name hyphened to a relation: "Minttu-siskon kanssa"."""
    match = _RELATION_AFTER_HYPHEN.search(token.text.casefold())
    if not token.capitalised or match is None:
        return False
    name = token.text[: match.start()]
    ev = evidence(name)
    return ev.first >= 3 and not (ev.place or ev.not_name or name.isupper())


def complete_name_parts(text: str, tokens: list[Token], is_name: list[bool]) -> None:
    """Marks the particles, the names after them and the regnal numbers of found names, and
    first names hyphened to a relation."""
    for i in range(len(tokens)):
        if _name_with_relation(tokens[i]):
            is_name[i] = True
        elif (
            _name_after_particle(text, tokens, is_name, i)
            or _name_after_initial(text, tokens, is_name, i)
            or _regnal_number(text, tokens, is_name, i)
        ):
            is_name[i] = True
        if _capitals_after_initial(text, tokens, i):
            is_name[i] = is_name[i - 2] = True  # the initial with it: "J. FARNLEITNER"
        elif is_name[i] and _initial_before(text, tokens, i):
            is_name[i - 2] = True  # "puheenjohtaja J. Virtanen"
    for i in range(len(tokens) - 1, -1, -1):  # right to left: "de la Cruz"
        if _particle_before(text, tokens, is_name, i):
            is_name[i] = True


# Lower-case words that end like a kind of thing, place or body put that thing's name after
# them, not a person's: "lääkeyhtiö Orionin", "kylä Kottila", "albumi Elephunk",
# "taistelulaiva Tirpitzin". Only right before the name: "yhtiön johtaja Matti" is a person.
_THING_HEAD = re.compile(
    r"(?:yhtiö|yritys|konserni|pankki|lehti|uutistoimisto|kustantamo|albumi|levy|yhtye|bändi"
    r"|duo|kuoro|elokuva|sarja|romaani|kirja|teos|näytelmä|kappale|single|laulu|sävellys"
    r"|ooppera|kaupunki|kunta|kylä|pitäjä|joki|järvi|saari|vuori|tunturi|niemi|lahti|meri"
    r"|laiva|alus|vene|juna|lentokone|auto|merkki|tuotemerkki|puolue|järjestö|liitto"
    r"|yhdistys|säätiö|seura|joukkue|ravintola|hotelli|kahvila|ketju|festivaali|tapahtuma"
    r"|ohjelma|sovellus|palvelu|peli|koulu|opisto|yliopisto|sairaala|kirkko|museo|teatteri"
    r"|galleria|lääke|valmiste|rotu|laji|suku|planeetta|galaksi|kraatteri"
    r"|valmistaja|jalostaja|operaattori|kustantaja|varustamo|tehdas"
    r"|company|band|album|film|movie|novel|song|ship|city|town|village|river|lake"
    r"|bolag|företag|tidning|stad|by|sjö|flod|band|skiva|film|fartyg)$"
)


# A saint's name after these is the name of a church, a parish or a town ("Pyhän Mikaelin
# kirkko", "St. Josephin ohjelma", "San Marinossa"); "Pyhä Johannes" alone is the saint.
_SAINT = frozenset("pyhän st sankt san santa são sao".split())


_ARTICLES = frozenset("der die das den the la le el los las il".split())


def _named_thing(text: str, tokens: list[Token], i: int) -> bool:
    """Token i follows a word naming a kind of thing, place or body ("kylä Kottila"), or a
    saint's title ("Pyhän Mikaelin")."""
    if i == 0:
        return False
    before = tokens[i - 1]
    if before.text == "." and i >= 2 and tokens[i - 2].text.casefold() in _SAINT:
        return True  # "St. Josephin"
    if not before.is_word or before.text.isupper():
        return False
    if before.text.casefold() in _SAINT and adjacent(text, before, tokens[i]):
        return True
    if before.text.casefold() in _ARTICLES and i >= 2 and tokens[i - 2].is_word:
        # "saksalaislehti Der Spiegel", "yhtye The Rasmus": the article is part of the name
        article, before = before, tokens[i - 2]
        if not (adjacent(text, before, article) and adjacent(text, article, tokens[i])):
            return False
        return bool(_THING_HEAD.search(before.text.casefold())) and not before.capitalised
    if before.capitalised and not before.sentence_start:
        return False  # a capitalised head is itself a name ("Sea Ray")
    return adjacent(text, before, tokens[i]) and bool(_THING_HEAD.search(before.text.casefold()))


def _opens_with_a_kind(tokens: list[Token], i: int) -> bool:
    """A run that opens a sentence with the kind of thing it names, capitalised only because
    it opens the sentence: "Lääkeyhtiö Korvinen kertoi ..."."""
    token = tokens[i]
    return (
        token.sentence_start
        and i + 1 < len(tokens)
        and tokens[i + 1].capitalised
        and bool(_THING_HEAD.search(token.text.casefold()))
        and not evidence(token.text).any_name  # "Meri Salonen", "Saari Virtanen"
    )


# Points of the compass joined to a name make a region, a paper or a treaty, not a person
# ("Etelä-Saimaa kirjoittaa", "Pohjois-Atlantin"); surnames take "Ala-", "Yli-", "Uusi-".
_COMPASS = ("etelä-", "pohjois-", "itä-", "länsi-")


def _compass_name(tokens: list[Token], i: int) -> bool:
    return tokens[i].text.casefold().startswith(_COMPASS)


# An abbreviation with a case ending glued on ("GATTin", "YK:lle" written without the colon).
_INFLECTED_ABBREVIATION = re.compile(r"[A-ZÅÄÖ]{2,}[a-zåäö]{1,3}")


def _inflected_abbreviation(tokens: list[Token], i: int) -> bool:
    return _INFLECTED_ABBREVIATION.fullmatch(tokens[i].text) is not None


def _with_digits(tokens: list[Token], is_name: list[bool], i: int) -> bool:
    """A run with letters and digits in one word is a code or a move, never a name: "Ke2
    Dxe4", "M3:sen", "TV1:n Aamu-Tv:ssä"."""
    while i < len(tokens) and is_name[i]:
        if any(c.isdigit() for c in tokens[i].text):
            return True
        i += 1
    return False


# Makes of cars and vans that news and residents name, often before a model ("Kia Picanto",
# "Suzuki Wagon R"): a run that opens with one, in any case, is a vehicle or its maker. A make
# after a first name is a surname ("Harrison Ford"), and that run opens with the first name.
_VEHICLE_MAKES = frozenset(
    """
    audi bmw chevrolet citroen citroën dacia fiat ford honda hyundai kia lexus mazda mercedes
    mitsubishi nissan opel peugeot porsche renault saab seat skoda škoda subaru suzuki tesla
    toyota volkswagen volvo
    """.split()
)


def _territory(tokens: list[Token], is_name: list[bool], i: int) -> bool:
    """A one-word run that names a country or continent is the country ("Venäjän ja
    Georgian neuvottelut", "Israel pitää"), unless Finland's commonest first names hold it."""
    if i + 1 < len(tokens):
        following = tokens[i + 1].text.casefold()
        if is_name[i + 1] or following in SAYS or following in _WITH:
            return False  # "Georgia soitti", "Jordanin kanssa": countries do not call
    return evidence(tokens[i].text).first < 4 and is_territory(tokens[i].text)


_WITH = frozenset("kanssa with med с з مع".split())


def _vehicle(tokens: list[Token], is_name: list[bool], i: int) -> bool:
    if not any(form in _VEHICLE_MAKES for form in base_forms(tokens[i].text.casefold())):
        return False
    # Kia and Mercedes are first names too: before a listed surname, a person.
    if not (i + 1 < len(tokens) and is_name[i + 1] and evidence(tokens[i].text).first >= 2):
        return True
    surname = evidence(tokens[i + 1].text)
    return max(surname.surname, surname.surname_inflected) < 2


# The Latin second word of a species ("Vicia faba", "Brassica napus", "Clausilia dubia").
_LATIN_EPITHET = re.compile(r"[a-z]{2,}(?:a|us|um|is|ii|ae|ensis|oides)$")


def _species(tokens: list[Token], is_name: list[bool], i: int) -> bool:
    """A one-word run before a lower-case Latin word that no Finnish, Swedish or English text
    uses: a genus and its species, not a person."""
    if i + 1 >= len(tokens) or is_name[i + 1]:
        return False
    following = tokens[i + 1].text
    ev = evidence(following)
    return (
        _LATIN_EPITHET.fullmatch(following) is not None
        and len(following) <= 10  # a Finnish compound is longer ("naisskandaalia")
        and not (ev.compound_head or ev.any_name or ev.common_word or ev.common_inflected)
        and not any(ev.frequency)
        and not is_finnish_word_form(following)
    )


def drop_named_things(text: str, tokens: list[Token], is_name: list[bool]) -> None:
    """Unmarks a run of name words that names a thing, a place or a body rather than a
    person (see the module's docstring for each kind)."""
    i = 0
    while i < len(tokens):
        if (
            is_name[i]
            and (i == 0 or not is_name[i - 1])
            and (
                _named_thing(text, tokens, i)
                or _opens_with_a_kind(tokens, i)
                or _compass_name(tokens, i)
                or _with_digits(tokens, is_name, i)
                or _species(tokens, is_name, i)
                or _vehicle(tokens, is_name, i)
                or _inflected_abbreviation(tokens, i)
                or _territory(tokens, is_name, i)
            )
        ):
            while i < len(tokens) and is_name[i]:
                is_name[i] = False
                i += 1
        i += 1


# Company forms written after a firm's name: "Korhonen Rakennus Oy:n", "Sandvik AB",
# "Acme Ltd". Compared as written (case and all): "AB" is a company, "ab" a syllable.
_COMPANY_FORMS = frozenset(
    """Oy Oyj Ab Abp Ky Ay ry Tmi OY OYJ KY RY Ltd LTD Inc Corp GmbH AG AB ASA AS A/S LLC
    PLC plc SA BV NV""".split()
)
# What joins two words of a firm's name: "Lassila & Tikanoja Oyj".
_FIRM_JOINS = frozenset("& + and".split())


def _company_form(token: Token) -> bool:
    """The legal form after a firm's name: "Oy", "Oy:n", "Oyj:ltä", "Ltd"."""
    return token.text.split(":", 1)[0] in _COMPANY_FORMS


def drop_firm_names(text: str, tokens: list[Token], is_name: list[bool]) -> None:
    """Unmarks the words of a firm's name before its company form: the word right before the
    form whatever it is ("Virtanen Oy" is a firm), and capitalised words before that until
    one that a list names or that follows a listed first name: the person the firm is
    mentioned with ("partner Kimmo Vilske Deloitte Oy:stä" keeps the person)."""
    for i, token in enumerate(tokens):
        if not (i and _company_form(token)):
            continue
        is_name[i] = False
        j = i - 1
        first = True  # the word right before the form, or right before a join
        while j >= 0 and adjacent(text, tokens[j], tokens[j + 1]):
            word = tokens[j]
            if word.text in _FIRM_JOINS:
                first = True
                j -= 1
                continue
            if not word.capitalised:
                break
            if not first and (evidence(word.text).any_name or _after_first_name(text, tokens, j)):
                break
            is_name[j] = False
            first = False
            j -= 1


def _after_first_name(text: str, tokens: list[Token], j: int) -> bool:
    before = tokens[j - 1] if j else None
    return (
        before is not None
        and before.capitalised
        and adjacent(text, before, tokens[j])
        and evidence(before.text).first > 0
    )
