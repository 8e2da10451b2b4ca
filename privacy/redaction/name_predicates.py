"""Names by what the sentence says the person is: "Tuuli on mun tytär", "Onni on 3-vuotias",
"Elias är min bror", "Sam is my son", "Kokljuschkin on suomalainen muusikko".

A word that is also an everyday word ("Tuuli", wind; "Onni", luck) stays readable where it
opens a sentence with nothing to say it is a name; a relation or an age right after it says
so. Never marks a pronoun ("Hän on mun poika"), a place or a word listed as no name, nor a
dictionary word that no name list holds ("Ongelma on mun poika").
"""

from __future__ import annotations

import re

from privacy.redaction.lexicon import evidence
from privacy.redaction.name_cue_phrases import CUE_WORDS
from privacy.redaction.name_cues import Message, is_function_word
from privacy.redaction.word_forms import is_finnish_word_form

# "is", "was" in the languages the relation words below are in.
_IS = frozenset("on oli olikin är var is was".split())
# "my", "our" before a relation in nominative ("mun tytär", "min dotter", "my son").
_MY = frozenset("mun minun mein meidän meijän min mitt mina vår vårt my our".split())
# Relations in nominative, the heads of the compounds that name one too ("poikaystävä").
_RELATION = (
    r"tytär|poika|lapsi|veli|sisko|sisar|mies|vaimo|äiti|isä|kaveri|ystävä|puoliso|"
    r"naapuri|serkku|mummo|mummi|isoäiti|isoisä|ukki|pappa|setä|täti|eno|exä|ex|"
    r"dotter|son|barn|bror|syster|man|fru|mamma|pappa|kompis|vän|pojkvän|flickvän|"
    r"sambo|granne|kusin|"
    r"daughter|son|child|kid|brother|sister|husband|wife|mother|mom|mum|father|dad|"
    r"friend|boyfriend|girlfriend|partner|neighbour|neighbor|cousin|grandmother|"
    r"grandfather|grandma|grandpa|uncle|aunt|ex"
)
_RELATION_WORD = re.compile(rf"(?:\w*(?:-)?)(?:{_RELATION})", re.IGNORECASE)
# The same with a Finnish possessive suffix on its stem ("tyttäreni", "poikani", "mieheni").
_OWN_RELATION = re.compile(
    r"(?:\w*)(?:tyttäre|poja|poika|lapse|velje|veli|sisko|sisare|miehe|vaimo|äiti|isä|"
    r"kaveri|ystävä|puoliso|naapuri|serkku|mummo|exä)(?:ni|mme)",
    re.IGNORECASE,
)
# An age right after "on" / "är" / "is": "3-vuotias", "12 vuotta", "5 år", "7 years old".
_AGE = re.compile(
    r"[ \t]+(?:\d{1,3}[ \t]*-?[ \t]*(?:v\b|vuotias|vuotta|vuoden|år|years?[ \t]+old|"
    r"year-old|yo\b|yrs?\b))",
    re.IGNORECASE,
)
# What a person is, as a description says after "is" ("Kokljuschkin on suomalainen
# muusikko", "Chinaski on fiktiivinen henkilö", "Gorgon on sirkustaiteilija"): an occupation
# or a word for a person, the head of the compounds that name one too.
_PERSON_NOUN = re.compile(
    r"\w*(?:henkilö|hahmo|näyttelijä|laulaja|muusikko|kirjailija|poliitikko|taiteilija|"
    r"urheilija|pelaaja|valmentaja|johtaja|toimittaja|tutkija|professori|lääkäri|opettaja|"
    r"yrittäjä|säveltäjä|ohjaaja|tuottaja|kuvanveistäjä|arkkitehti|filosofi|runoilija|"
    r"diplomaatti|upseeri|kenraali|piispa|pappi|kuningas|kuningatar|prinssi|prinsessa|"
    r"keisari|ruhtinas|presidentti|ministeri|kansanedustaja|opiskelija|eläkeläinen|"
    r"skådespelare|sångare|musiker|författare|politiker|konstnär|actor|actress|singer|"
    r"musician|writer|author|politician|artist|player|student)",
    re.IGNORECASE,
)
# Up to three words describing it on the way ("entinen yhdysvaltalainen", "33-vuotias").
_DESCRIBING = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?|\d{1,3}-vuotias")
_PRONOUNS = frozenset(
    """hän se tämä tuo joka kuka mikä ne he nämä ja mä sä me te hon han det den detta
    vem he she it this that who which there""".split()
)
# How well listed a word that is an everyday word too must be for a relation to make it a
# name ("Tuuli", "Onni"; not "Karhu", listed mainly as a surname).
_LISTED = 3


def _could_be_the_person(msg: Message, i: int) -> bool:
    word = msg.words[i][2]
    low = word.casefold()
    if low in _PRONOUNS or low in CUE_WORDS or is_function_word(word):
        return False
    if not msg.lower_mode and not word[0].isupper():
        return False
    if word.isupper() and len(word) > 1:
        return False
    ev = evidence(word)
    if ev.place or ev.not_name:
        return False
    if max(ev.first, ev.surname) >= _LISTED:
        return True
    if msg.lower_mode:
        return False  # without capitals an unlisted word is any word
    return not (
        ev.common_word
        or ev.common_inflected
        or ev.also_word
        or max(ev.frequency) >= 3
        or is_finnish_word_form(low)
    )


def _relation_after(msg: Message, j: int) -> bool:
    """Word j (after "is") names a relation: "mun tytär", "tyttäreni", "my son"."""
    words = msg.words
    if j >= len(words):
        return False
    word = words[j][2]
    if _OWN_RELATION.fullmatch(word):
        return True
    if word.casefold() in _MY and msg.adjacent(j, j + 1):
        return bool(_RELATION_WORD.fullmatch(words[j + 1][2]))
    return False


def _person_noun_after(msg: Message, j: int) -> bool:
    """Words j... (after "is") name what a person is, with up to three words before it that
    describe it: "suomalainen muusikko", "fiktiivinen henkilö", "sirkustaiteilija"."""
    words = msg.words
    for k in range(j, min(j + 4, len(words))):
        if k > j and not msg.adjacent(k - 1, k):
            return False
        word = words[k][2]
        if not word[0].islower() and not word[0].isdigit():
            return False
        if _PERSON_NOUN.fullmatch(word):
            return True
        if not _DESCRIBING.fullmatch(word):
            return False
    return False


def described_as_person(msg: Message) -> None:
    """A word before "is" followed by a relation of the writer's, an age or what a person
    is."""
    words = msg.words
    for k, (_, end, verb) in enumerate(words):
        if k == 0 or verb.casefold() not in _IS:
            continue
        i = k - 1
        if i in msg.marked or not msg.adjacent(i, k):
            continue
        said = msg.adjacent(k, k + 1) and (
            _relation_after(msg, k + 1) or _person_noun_after(msg, k + 1)
        )
        if not said and not _AGE.match(msg.text, end):
            continue
        if not _could_be_the_person(msg, i):
            continue
        first = i
        if i and msg.adjacent(i - 1, i) and (i - 1) not in msg.marked:
            before = words[i - 1][2]
            if (msg.lower_mode or before[0].isupper()) and evidence(before).first >= _LISTED:
                first = i - 1  # "Mikko Virtanen on mun isä"
        msg.mark(first, i)
