"""A title or role before a capitalised word, a verb of saying or acting after it, or
"mielestä" after its genitive: the word is a person, unless the model is sure it is no name
and no lexicon lists it as one. Pure functions of the tokens.
"""

from __future__ import annotations

from privacy.redaction.lexicon import (
    evidence,
    long_compound,
    name_over_word,
    not_name_as_written,
)
from privacy.redaction.name_context import FREQUENT, PAIR_LEVEL
from privacy.redaction.name_cue_phrases import CUE_WORDS
from privacy.redaction.name_features import Evidence
from privacy.redaction.name_verbs import (
    ACTS,
    ADVERBS,
    AUTHORED,
    KIN,
    KIN_OF,
    LOCAL_CASE,
    OPINION,
    PERFECT,
    POSSESSIVE,
    SAYS,
    SERVICES,
    TITLE_HEAD,
    TOLD,
    TOLD_FROM,
    adjacent,
)
from privacy.redaction.tokens import Token
from privacy.redaction.word_forms import is_finnish_word_form


def context_says_person(text: str, tokens: list[Token], i: int, score: float, floor: float) -> bool:
    """A title or role word before a capitalised word, or a verb of saying beside it, unless
    the model is sure it is no name and no lexicon lists it as one."""
    token = tokens[i]
    if not token.capitalised:
        return _lower_case_speaker(text, tokens, i)
    if token.text.isupper():
        return False
    ev = evidence(token.text)
    if ev.place and _with_a_person(text, tokens, i, ev):
        return True
    if ev.frequency[1] >= 6:
        return False  # among the commonest Swedish words: "– Vi tog", not a person "Vi"
    if ev.place or token.text.casefold() in CUE_WORDS:
        return False
    if ev.not_name and not _common_first_name(token.text, ev):
        return False
    listed = max(ev.first, ev.surname, ev.first_inflected, ev.surname_inflected)
    if _told_to(text, tokens, i, ev, listed):
        return True
    doubted = score < floor and listed < PAIR_LEVEL
    if i > 0 and not doubted and tokens[i - 1].is_word and adjacent(text, tokens[i - 1], token):
        before = tokens[i - 1].text.casefold()
        if TITLE_HEAD.search(before):
            # "esimies Palvelukeskuksesta soitti": a compound is a place of work, not a name
            return not (ev.compound_head or long_compound(token.text))
        if before in SAYS and (i + 1 == len(tokens) or not tokens[i + 1].is_word):
            # "sanoi Lehtinen.": the one who spoke; "sanoo Ylelle." is told, and papers and
            # broadcasters are told as often as people: then only a listed name counts
            # ("sanoo Pääskyselle").
            return not LOCAL_CASE.search(token.text.casefold()) or (
                max(ev.first_inflected, ev.surname_inflected) >= 2 and max(ev.frequency) < 3
            )
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if following is None or not adjacent(text, token, following):
        return False
    said = following.text.casefold()
    if said in ADVERBS and i + 2 < len(tokens) and adjacent(text, following, tokens[i + 2]):
        said = tokens[i + 2].text.casefold()  # "Minttu muuten väitti", "Ali sitten soitti"
    # "Baldato on voittanut": acting, in the perfect tense
    perfect = (
        said in ("on", "oli")
        and i + 2 < len(tokens)
        and tokens[i + 2].text.casefold() in PERFECT
        and adjacent(text, following, tokens[i + 2])
    )
    if said in OPINION and token.text.endswith("n"):
        return listed >= PAIR_LEVEL or not _a_word(token.text, ev)
    if _kin_of(token.text, said):
        return listed >= PAIR_LEVEL or not _a_word(token.text, ev)
    if said == "mukaan" and token.text.endswith("n") and token.text[1:2].islower():
        # "Aunesluoman mukaan": a listed name's genitive; news agencies, papers and bodies
        # say things too ("Reutersin mukaan"), so only a listed name that is no word.
        inflected = max(ev.first_inflected, ev.surname_inflected)
        return (
            inflected >= 2
            and not (ev.common_word or ev.common_inflected or ev.also_word)
            and max(ev.frequency) < 4
            and (inflected >= PAIR_LEVEL or not is_finnish_word_form(token.text.casefold()))
        )
    if AUTHORED.match(said) and token.text.endswith("n") and token.text[1:2].islower():
        # Written as a name, not as an abbreviation inflected ("EU:n aloitteet").
        return listed >= PAIR_LEVEL or not _a_word(token.text, ev)
    if token.text.casefold() in SERVICES:
        return False
    if perfect or (said in ACTS and said not in SAYS):
        if not (ev.first or ev.surname) and max(ev.first_inflected, ev.surname_inflected) >= 2:
            return False  # a listed name inflected is no subject ("Pietariin lähtee")
        if ev.common_word and (ev.first < 4 or token.text.casefold() in KIN):
            return False  # animals and kin act too ("Karhu nukkuu", "Veli tuli kotiin")
        if not ev.any_name and (
            max(ev.frequency) >= FREQUENT or LOCAL_CASE.search(token.text.casefold())
        ):
            return False  # a firm, a brand or a team news writes of ("Lidl avasi")
    elif said not in SAYS:
        return False
    # A well-listed surname speaks even if it is a word too ("Nurminen kertoi"); a word that
    # is no Finnish word form does too ("Yamashina kertoi", "Gorbatšov kehotti"), even one
    # that news text uses often.
    if doubted:
        return not _a_word(token.text, ev)
    # A common first name speaks too, even when it is also a word ("Vesa kysyi", "Tuuli
    # soitti"): things and institutions do not ask or call.
    return max(ev.surname, ev.surname_inflected, ev.first) >= 4 or not _a_word(token.text, ev)


def _kin_of(word: str, following: str) -> bool:
    """A capitalised genitive before a word for family ("Clutterin perhe", "Shirazin vaimo",
    "Te Rauparahan sisaren poika"): its possessor is a person."""
    return (
        word.endswith("n")
        and word[1:2].islower()
        and KIN_OF.fullmatch(following) is not None
        and not following.endswith(POSSESSIVE)
    )


def _told_to(text: str, tokens: list[Token], i: int, ev: Evidence, listed: int) -> bool:
    """A listed name in the allative right after the writer's verb of calling, writing or
    paying ("Soitin Svetlanalle", "Maksoin Jevgenijlle"), or in the ablative after one of
    asking or getting ("Kysyin Oksanalta"), when it is no word and no place."""
    if not (i and tokens[i - 1].is_word and adjacent(text, tokens[i - 1], tokens[i])):
        return False
    low = tokens[i].text.casefold()
    verb = tokens[i - 1].text.casefold()
    return (
        (
            (verb in TOLD and low.endswith("lle"))
            or (verb in TOLD_FROM and low.endswith(("lta", "ltä")))
        )
        and listed >= 2
        and not (ev.common_word or ev.common_inflected or ev.also_word)
        and max(ev.frequency) < 4
        and not is_finnish_word_form(low)
    )


def _with_a_person(text: str, tokens: list[Token], i: int, ev: Evidence) -> bool:
    """A town that is a common first name too, in the genitive before "kanssa" (with): the
    person ("Sallan kanssa", "Kaarinan kanssa"); one is not with a small town."""
    token = tokens[i]
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    return (
        following is not None
        and following.text.casefold() == "kanssa"
        and adjacent(text, token, following)
        and token.text.endswith("n")
        and ev.first_inflected >= 4
        and not ev.not_name
    )


def _lower_case_speaker(text: str, tokens: list[Token], i: int) -> bool:
    """In a message without capitals, a common first name right before a verb of saying is
    the one who spoke, even when it is a word too ("satu kysyi", "toivo soitti"): a fairy
    tale does not ask. So is a common surname ("korhonen sanoi")."""
    token = tokens[i]
    if i + 1 == len(tokens) or not adjacent(text, token, tokens[i + 1]):
        return False
    low = token.text.casefold()
    if tokens[i + 1].text.casefold() not in SAYS or low in KIN:
        return False
    ev = evidence(token.text)
    if ev.place or ev.not_name or low in CUE_WORDS:
        return False
    # a common surname too ("korhonen sanoi"), unless it is a word that is no name first
    return ev.first >= 4 or (ev.surname >= 4 and not (ev.common_word and not name_over_word(low)))


def _common_first_name(word: str, ev: Evidence) -> bool:
    """A common first name that reads as no name only once taken for an inflected word
    ("Jan" as a genitive of "ja", "Niina" of "niin"): beside a verb of saying or acting,
    the name."""
    return ev.first >= 4 and not not_name_as_written(word)


def _a_word(word: str, ev: Evidence) -> bool:
    """A Finnish word in some form, a compound of one or a common English or Swedish word: not
    a name by itself, however often names are written in the text a frequency list counts."""
    return (
        ev.common_word
        or ev.common_inflected
        or ev.compound_head
        or long_compound(word)
        # English and Swedish text write names often too ("Mark told me"): a listed one counts
        or (not ev.any_name and max(ev.frequency[1], ev.frequency[2]) >= FREQUENT)
        or is_finnish_word_form(word.casefold())
    )
