"""Context rules applied after the name model: the other half of a found name, names joined
by "and" or listed together (a title or a verb beside a name: `name_speakers.py`).

Never marks a place, a word listed as no name or a cue word; pure functions of the tokens.
"""

from __future__ import annotations

import re

from privacy.redaction.lexicon import evidence, long_compound
from privacy.redaction.name_cue_phrases import ADDRESS_WORDS, CUE_PARTS, CUE_WORDS
from privacy.redaction.name_cues import is_function_word
from privacy.redaction.name_features import Evidence
from privacy.redaction.name_verbs import LOCAL_CASE, adjacent, verb_after
from privacy.redaction.tokens import Token
from privacy.redaction.word_forms import is_finnish_word_form

# How well listed a word must be to complete a name next to it (lexicon buckets run 0-5).
PAIR_LEVEL = 3

# A word form this common in Finnish, Swedish or English text ("Asumistuen", "Kysyisin") and
# listed as no name is an ordinary word when it opens a sentence.
FREQUENT = 3


def frequent_word(ev: Evidence, word: str) -> bool:
    """A word form common in Finnish text that is a form of a Finnish word, or common in
    Swedish or English text: news text writes "Gorbatšov" and "Niinistön" often too, and
    those stay names."""
    if ev.any_name:
        return False
    if ev.common_inflected or max(ev.frequency[1], ev.frequency[2]) >= FREQUENT:
        return True
    return ev.frequency[0] >= FREQUENT and is_finnish_word_form(word.casefold())


def capital_follows(tokens: list[Token], i: int) -> bool:
    return i + 1 < len(tokens) and tokens[i + 1].is_word and tokens[i + 1].capitalised


def introduces_a_name(token: Token) -> bool:
    """A cue word or a single letter: "I'm", "Benim", "Hej", "I" stand beside names; a word
    that introduces an address stands before a street."""
    low = token.text.casefold()
    return len(token.text) == 1 or low in CUE_WORDS or low in ADDRESS_WORDS


def _plain_or_known(ev: Evidence) -> bool:
    """A dictionary word, a word seen in Finnish or English text, a compound of a dictionary
    word ("Suomi-talossa") or a listed name: an unlisted word that is none of these beside a
    name is that name's other half."""
    return (
        ev.common_word
        or ev.common_inflected
        or ev.any_name
        or ev.compound_head
        or bool(ev.frequency[0] or ev.frequency[2])
    )


def _compound_surname(first: Evidence, word: str, ev: Evidence) -> bool:
    """After a common first name as written, a compound no list knows is the surname
    ("Joonas Myllyveräjä", "Anni Hiekkataival"), unless it is in a local case, as the names
    of places and institutions are ("Pekka Kansalaistorilla")."""
    return (
        first.first >= 4
        and ev.compound_head
        and not (ev.common_word or ev.common_inflected or ev.any_name)
        and not ev.frequency[0]
        and not LOCAL_CASE.search(word.casefold())
    )


def _listed_pairs(text: str, tokens: list[Token], is_name: list[bool]) -> None:
    """A capitalised listed first name and a listed surname side by side are a name though
    the model took neither ("Max Kautto", "Helen Peura"), unless both are everyday words or
    the second is listed as no name ("Päivikki Suomi" stays a country)."""
    for i in range(len(tokens) - 1):
        left, right = tokens[i], tokens[i + 1]
        if is_name[i] or is_name[i + 1] or not (left.capitalised and right.capitalised):
            continue
        if not (left.is_word and right.is_word and adjacent(text, left, right)):
            continue
        if left.text.isupper() or introduces_a_name(left) or introduces_a_name(right):
            continue
        first, last = evidence(left.text), evidence(right.text)
        if first.first < PAIR_LEVEL or last.surname < PAIR_LEVEL or last.not_name:
            continue
        if first.common_word and last.common_word:
            continue
        is_name[i] = is_name[i + 1] = True


_POSSESSIVE_ENDINGS = ("ni", "si", "nsa", "nsä", "mme", "nne")


def _ordinary(word: str) -> bool:
    """A dictionary word or a word form seen in Finnish, Swedish or English text, also with a
    possessive ending ("Asiakkaani", "Poikamme"); not a listed name that only foreign text
    uses, and moderately ("Guo", "Mendoza")."""
    ev = evidence(word)
    if ev.common_word or ev.common_inflected or long_compound(word):
        return True
    if any(ev.frequency) and not _name_in_foreign_text(ev):
        return True
    low = word.casefold()
    if not (ev.first or ev.surname) and is_finnish_word_form(low):
        return True  # "Juttelin Heikin kanssa": a verb form, not half of a name
    for ending in _POSSESSIVE_ENDINGS:
        if low.endswith(ending) and len(low) - len(ending) >= 3:
            # The possessive stands on an inflected stem ("asiakkaa-ni"): try it with the
            # genitive and plural endings too ("asiakkaan", "asiakkaat").
            stem = low[: -len(ending)]
            for form in (stem, stem + "n", stem + "t"):
                found = evidence(form)
                if found.common_word or found.common_inflected or found.frequency[0]:
                    return True
    return False


def _name_in_foreign_text(ev: Evidence) -> bool:
    """A listed name that Finnish text does not use and Swedish or English text uses only
    moderately, as names are used ("Guo", "Mendoza"), not as words ("Will", "Rose")."""
    return (
        max(ev.first, ev.surname) >= 2
        and ev.frequency[0] == 0
        and max(ev.frequency[1], ev.frequency[2]) < FREQUENT + 1
    )


_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ž'’-]+")


def _unknown_pairs(text: str, tokens: list[Token], is_name: list[bool], lower: bool) -> None:
    """Two capitalised words side by side that no dictionary or frequency list knows (a name
    list may) are a name from abroad, also opening a sentence ("Arash Shirazi soitti", "Tunde
    Adeleke called"): in Finnish, Swedish or English text two such capitals in a row are
    rarely anything else."""
    for i in range(len(tokens) - 1):
        left, right = tokens[i], tokens[i + 1]
        if is_name[i] and is_name[i + 1]:
            continue
        if not (left.is_word and right.is_word) or not (
            lower or (left.capitalised and right.capitalised)
        ):
            continue
        if not adjacent(text, left, right) or left.text.isupper() or right.text.isupper():
            continue
        if min(len(left.text), len(right.text)) < 3:
            continue
        if introduces_a_name(left) or introduces_a_name(right):
            continue
        if left.text.casefold() in CUE_PARTS or right.text.casefold() in CUE_PARTS:
            continue  # "меня зовут ольга": a Russian verb no dictionary here knows
        if lower and not (_LATIN.fullmatch(left.text) and _LATIN.fullmatch(right.text)):
            continue  # no dictionary here tells words from names in other scripts
        if _ordinary(left.text) or _ordinary(right.text):
            continue
        first, last = evidence(left.text), evidence(right.text)
        if any(ev.place or ev.not_name or ev.also_word for ev in (first, last)):
            continue
        # Without capitals two unknown words may be typing slips or rare inflections: one must
        # be a listed name as written ("rania shammari", not "vähiä eväitään"), or a verb of
        # saying or acting must follow ("wichai suwannarat soitti").
        if lower and not (first.first or first.surname or last.first or last.surname):
            if not (verb_after(text, tokens, i + 1) or _met_before(tokens, i)):
                continue
        is_name[i] = is_name[i + 1] = True


# Words after which a person is named in chat: whom one met, talked with or to
# ("tapasin eilen arjun banerjee", "jag pratade med tsegay berhane", "i met kofi mensah").
_MET = frozenset(
    """tapasin tapaan näin nähnyt tunnen tunsin träffade träffar känner met meet know
    med with to""".split()
)


def _met_before(tokens: list[Token], i: int) -> bool:
    """Word i follows a word of meeting or talking with, or one ordinary word after it
    ("tapasin eilen ...")."""
    if i >= 1 and tokens[i - 1].text.casefold() in _MET:
        return True
    return i >= 2 and tokens[i - 2].text.casefold() in _MET and _ordinary(tokens[i - 1].text)


def complete_pairs(text: str, tokens: list[Token], is_name: list[bool], lower: bool) -> None:
    """A listed first name right before a found name, or a listed surname right after one,
    is part of that name: "Meri Rekola", "Per Lindgren", "Taito Aalto". Alone, "Meri" and
    "Aalto" are words; next to a name they are its other half. A listed first name and a
    listed surname side by side are a name even when one is also a place ("Aura Huhtala",
    "Salla Kolari"). An unlisted word on either side is the other half too ("Tadashi
    Yamashina", "Anjali Rao"), unless it opens a sentence on the left ("Menkäähän Peltonen").
    In a message written without capitals, only the listed pair counts ("irmeli pietiläinen")."""
    if not lower:
        _listed_pairs(text, tokens, is_name)
    _unknown_pairs(text, tokens, is_name, lower)
    if not lower:
        _coordinated_openers(text, tokens, is_name)
    changed = True
    while changed:
        changed = _complete_coordination(text, tokens, is_name, lower)
        changed = _complete_enumeration(tokens, is_name) or changed
        changed = _complete_listed_pair(tokens, is_name) or changed
        for i in range(len(tokens) - 1):
            left, right = tokens[i], tokens[i + 1]
            if is_name[i] == is_name[i + 1] or not adjacent(text, left, right):
                continue
            if not (left.is_word and right.is_word):
                continue
            if left.text.isupper() or introduces_a_name(left) or introduces_a_name(right):
                continue
            if is_function_word(left.text) or is_function_word(right.text):
                continue  # "erik och": "Och" is a surname somewhere
            capitalised = left.capitalised and right.capitalised
            if not (capitalised or lower):
                continue
            first, last = evidence(left.text), evidence(right.text)
            listed_pair = (
                first.first >= PAIR_LEVEL
                and max(last.surname, last.surname_inflected) >= PAIR_LEVEL
            )
            other = i if is_name[i + 1] else i + 1
            ev = first if other == i else last
            if listed_pair:
                # Not a common Finnish word opening a sentence that only a foreign list or a
                # few bearers have as a first name: "Olin Lindan luona" (I was at Linda's).
                fits = not (other == i and left.sentence_start and _verb_before_name(first, left))
            elif not capitalised:
                fits = False  # without capitals only two listed halves make a name
            elif ev.place or ev.not_name:
                fits = False
            elif other == i:
                fits = not (_plain_or_known(ev) or left.sentence_start) or _first_before(ev, left)
            else:
                # The model's own score is no guide here: it read this word as following a
                # non-name, since it decided the left one before a rule overturned that.
                fits = not _plain_or_known(ev) or _compound_surname(first, right.text, ev)
            if fits:
                is_name[other] = True
                changed = True


def lower_case_first_name(word: str, ev: Evidence) -> bool:
    """In a message written without capitals the model knows little: a first name inflected
    counts ("sain viestin tuomakselta", "fionalle") unless it is a Finnish word form that
    Finnish text uses ("tuulella", "onnella", "annan"); a rarer one (200 to 1,999 bearers)
    only when it is no word form at all and no frequency list knows it ("roses", "tarvin"
    stay readable). The word-form filter alone would not do: it holds the inflections of
    names Wiktionary lists ("ritvalle")."""
    form = is_finnish_word_form(word.casefold())
    common = ev.first_inflected >= 4
    plain = word.replace("-", "").isalpha()
    rarer = ev.first_inflected == 3 and plain and not (form or any(ev.frequency))
    return (
        (common or rarer)
        and not (ev.first or ev.common_word or ev.also_word or ev.place or ev.not_name)
        and not (ev.frequency[0] and form)
    )


def _first_before(ev: Evidence, token: Token) -> bool:
    """A listed first name that is no word, place or thing right before a found name is its
    first name, also opening a sentence ("Beata Zielińska called"), unless it is a word form
    as common as "olin"."""
    return (
        ev.first >= PAIR_LEVEL
        and token.text.casefold() not in _PLACE_OPENERS
        and not (ev.common_word or ev.also_word or ev.place or ev.not_name)
        # "Beata" de-inflects to a word, but no Finnish text writes it
        and not (ev.common_inflected and is_finnish_word_form(token.text.casefold()))
        and not (token.sentence_start and _verb_before_name(ev, token))
    )


# Words that open the names of places as often as they are first names ("San Stefano").
_PLACE_OPENERS = frozenset("san santa santo são saint sankt st port fort mount new".split())


def _rarer_first_name(ev: Evidence, opening: bool) -> bool:
    """A first name fewer bear here ("Halima", 20 to 199 in Finland) that is no Finnish word;
    a frequent English or Swedish word only capitalised in mid-sentence ("Patience and
    Blessing"), where those languages capitalise no common noun either."""
    return (
        ev.first >= 2
        and not (ev.common_word or ev.common_inflected or ev.also_word)
        and (max(ev.frequency) < 4 or (not opening and ev.frequency[0] < 4))
    )


def _verb_before_name(ev: Evidence, token: Token) -> bool:
    """An inflected word form as common in Finnish as "olin" (I was) that is no common first
    name; a dictionary word as written may be the name ("Aina Korhonen soitti")."""
    return (
        ev.first < 4
        and not ev.common_word
        and ev.frequency[0] >= 5
        and is_finnish_word_form(token.text.casefold())
    )


_AND = frozenset("ja sekä tai och eller and or и или і та й або و".split())


def _enumeration_items(tokens: list[Token], end: int) -> list[int]:
    """The single-word items of an enumeration "A, B ja C" that ends with item `end`
    (the word after the conjunction), from the last backwards; [] when there is none."""
    if end < 2 or tokens[end - 1].text.casefold() not in _AND or not tokens[end - 2].is_word:
        return []
    items = [end, end - 2]
    k = end - 2
    while k >= 2 and tokens[k - 1].text == "," and tokens[k - 2].is_word:
        items.append(k - 2)
        k -= 2
    return items if len(items) >= 3 else []


def _comma_lists(tokens: list[Token]) -> list[list[int]]:
    """Lists of three or more single words joined by commas alone ("Juan, Hernandes, Pablo,
    Lisa"), as chat and captions write them."""
    lists: list[list[int]] = []
    k = 0
    while k < len(tokens):
        items = [k]
        while (
            items[-1] + 2 < len(tokens)
            and tokens[items[-1]].is_word
            and tokens[items[-1] + 1].text == ","
            and tokens[items[-1] + 2].is_word
        ):
            items.append(items[-1] + 2)
        follows = tokens[items[-1] + 1] if items[-1] + 1 < len(tokens) else None
        # the last item ends the list: no word of a longer name or phrase runs on from it
        if len(items) >= 3 and (follows is None or not follows.is_word):
            lists.append(items)
        k = items[-1] + 1
    return lists


def _complete_enumeration(tokens: list[Token], is_name: list[bool]) -> bool:
    """In an enumeration of three or more single words of which at least two and half are
    names, a capitalised item that is no place is a name too ("Lintu, Jonna ja Minttu": a
    nickname)."""
    changed = False
    lists = [_enumeration_items(tokens, end) for end in range(len(tokens))]
    for items in [*lists, *_comma_lists(tokens)]:
        names = sum(is_name[k] for k in items)
        if names < 2 or 2 * names < len(items):
            continue  # a list of places or titles with a stray find is no list of people
        for k in items:
            token = tokens[k]
            if is_name[k] or not token.capitalised or token.text.isupper():
                continue
            ev = evidence(token.text)
            if ev.place or ev.not_name or token.text.casefold() in CUE_WORDS:
                continue
            is_name[k] = True
            changed = True
    return changed


def _complete_listed_pair(tokens: list[Token], is_name: list[bool]) -> bool:
    """Two capitalised words between two found names in a list are a full name too ("Paul
    Newman, Burt Reynolds, Liza Minnelli ja James Caan"), unless either is a place."""
    changed = False
    for i in range(2, len(tokens) - 3):
        if is_name[i] or is_name[i + 1] or not (is_name[i - 2] and is_name[i + 3]):
            continue
        if tokens[i - 1].text != "," or not (
            tokens[i + 2].text == "," or tokens[i + 2].text.casefold() in _AND
        ):
            continue
        pair = tokens[i : i + 2]
        if not all(t.capitalised and not t.text.isupper() for t in pair):
            continue
        if any(evidence(t.text).place or evidence(t.text).not_name for t in pair):
            continue
        is_name[i] = is_name[i + 1] = True
        changed = True
    return changed


# "Sara and I", "Minä ja Olli": a pronoun of the writer joined to a name.
_WRITER = frozenset("i me minä mä mie jag я أنا انا".split())


def _first_name_alone(token: Token) -> bool:
    """A capitalised listed first name that is no word, place or other thing."""
    ev = evidence(token.text)
    return (
        token.capitalised
        and ev.first >= PAIR_LEVEL
        and not (ev.common_word or ev.place or ev.not_name)
    )


def _coordinated_openers(text: str, tokens: list[Token], is_name: list[bool]) -> bool:
    """Two listed first names joined by "and" opening a sentence, or one joined to the
    writer's pronoun: "Emily and Jack are my kids", "Sara and I live together"."""
    changed = False
    for i in range(len(tokens) - 2):
        left, conj, right = tokens[i], tokens[i + 1], tokens[i + 2]
        if not left.sentence_start or is_name[i] or conj.text.casefold() not in _AND:
            continue
        if not (adjacent(text, left, conj) and adjacent(text, conj, right)):
            continue
        if not _first_name_alone(left) or evidence(left.text).also_word:
            continue
        if right.text.casefold() in _WRITER:
            is_name[i] = changed = True
        elif _first_name_alone(right):
            is_name[i] = is_name[i + 2] = changed = True
    return changed


def _inflected_alike(other: Token, found: Token, ev: Evidence) -> bool:
    """A first name inflected in the same case as the name it is joined to ("Svetlanan ja
    Igorin kanssa"): no Finnish word form, unless the name is a common one ("Annan ja Pekan",
    where "annan" is also "I give")."""
    low, beside = other.text.casefold(), found.text.casefold()
    return (
        other.capitalised
        and ev.first_inflected >= PAIR_LEVEL
        and not (ev.common_word or ev.common_inflected)
        and _same_case(low, beside)
        and (ev.first_inflected > PAIR_LEVEL or not is_finnish_word_form(low))
    )


_CASE_ENDINGS = ("lle", "lla", "llä", "lta", "ltä", "ssa", "ssä", "sta", "stä", "ksi", "n")


def _same_case(word: str, other: str) -> bool:
    return any(word.endswith(e) and other.endswith(e) for e in _CASE_ENDINGS)


def _complete_coordination(
    text: str, tokens: list[Token], is_name: list[bool], lower: bool
) -> bool:
    """A listed first name joined by "and" or "or" to a found name is one too: "Ali ja Reza",
    "Vesa och Erik"; in a message without capitals, a common one ("mikon ja sannan").
    Returns whether it changed anything."""
    changed = False
    for i in range(len(tokens) - 2):
        left, conj, right = tokens[i], tokens[i + 1], tokens[i + 2]
        if is_name[i] == is_name[i + 2] or conj.text.casefold() not in _AND:
            continue
        if not (adjacent(text, left, conj) and adjacent(text, conj, right)):
            continue
        index = i if not is_name[i] else i + 2
        other = tokens[index]
        ev = evidence(other.text)
        if ev.place or ev.not_name or not other.is_word:
            continue
        found = tokens[i + 2] if index == i else left
        if (
            (other.capitalised and ev.first >= PAIR_LEVEL)
            or (other.capitalised and _rarer_first_name(ev, other.sentence_start))
            or (lower and max(ev.first, ev.first_inflected) > PAIR_LEVEL)
            or _inflected_alike(other, found, ev)
        ):
            is_name[index] = True
            changed = True
    return changed
