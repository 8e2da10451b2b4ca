"""Finds person names: cues first (`name_cues`), then the trained name model with its checks,
then the context rules (`name_context`). Never takes a cue word, a code glued to digits or a
plain sentence opener for a name.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache

from privacy.redaction.addresses import ends_like_street, street_reading
from privacy.redaction.lexicon import (
    evidence,
    long_compound,
    name_level,
    name_over_word,
    not_name_as_written,
)
from privacy.redaction.name_context import (
    capital_follows,
    complete_pairs,
    frequent_word,
    introduces_a_name,
    lower_case_first_name,
)
from privacy.redaction.name_cue_phrases import CUE_TABLE, CUE_WORDS
from privacy.redaction.name_cues import (
    HOUSE_NUMBER_NEXT,
    POSSESSIVE,
    WORD,
    Message,
    by_cues,
    is_function_word,
    mostly_arabic,
    self_introduction,
    signature,
)
from privacy.redaction.name_features import Evidence
from privacy.redaction.name_model import NameModel, load_model
from privacy.redaction.name_parts import (
    PARTICLES,
    SECOND_PARTICLES,
    complete_name_parts,
    drop_firm_names,
    drop_named_things,
)
from privacy.redaction.name_predicates import described_as_person
from privacy.redaction.name_speakers import context_says_person
from privacy.redaction.name_verbs import PERSON_VERBS, SERVICES, verb_after, verb_next
from privacy.redaction.territories import territory_names
from privacy.redaction.tokens import Token, tokenise
from privacy.redaction.word_forms import is_finnish_word_form


@cache
def _model() -> NameModel:
    """The shipped model, read on the first message with a capital, not at import."""
    return load_model()


def preload_names() -> None:
    """Read the lexicons and the model now instead of on the first message that needs them."""
    evidence("Preload")  # the first look-up reads every list
    is_finnish_word_form("preload")  # and the word-form filter
    territory_names()
    _model()


# Lower-case words that belong inside a name between two of its parts ("Ludwig van Beethoven",
# "Ahmed bin Salem", "Maija S. Peltola").
# How far below the threshold a listed name may score and still count (see below).
_DOUBT = 12.0
# How sure the model must be to keep a name that opens a sentence and is also a dictionary
# word: "Maija oli kipeä" (the model is sure). Names listed as everyday words too ("Onni oli
# matkassa", "Laine on korkea") need a name beside them whatever the model says.
_CONFIDENT_OPENING = 20.0
# How common (lexicon bucket: 2,000 bearers or more) a name must be to count in mid-sentence
# whatever the model says.
_PLAIN_NAME = 4
# Between two found parts of one name more words join than before one: the articles ("van der
# Berg"), Arabic "al"/"el" and Swedish "av" ("Anna av Ekström").
_PARTICLES = PARTICLES | SECOND_PARTICLES | frozenset("al el av".split())


def _joins_names(token: Token, text: str) -> bool:
    """A particle or an initial that may stand between two parts of one name."""
    word = token.text
    if word.casefold() in _PARTICLES or word == ".":
        return True
    return len(word) == 1 and word.isupper() and text[token.end : token.end + 1] == "."


_QUOTES = frozenset('"”“„«»')
# The words a nickname in quotes between two parts of a name may have ("Bob", "Big Joe").
_NICKNAME_WORDS = 2


def _after_nickname(tokens: list[Token], is_name: list[bool], j: int) -> int | None:
    """Where a quoted nickname that opens at token j ends, if a found name follows it:
    `Mikko "Mige" Virtanen`."""
    if tokens[j].text not in _QUOTES:
        return None
    k = j + 1
    while k < len(tokens) and k - j <= _NICKNAME_WORDS and tokens[k].is_word:
        if not tokens[k].capitalised:
            return None
        k += 1
    if k == j + 1 or k + 1 >= len(tokens) or tokens[k].text not in _QUOTES:
        return None
    return k + 1 if is_name[k + 1] else None


def _name_runs(text: str, tokens: list[Token], is_name: list[bool]) -> list[tuple[int, int]]:
    """Spans of consecutive name tokens; particles and initials between two of them join them."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        if not is_name[i]:
            i += 1
            continue
        last = i
        j = i + 1
        while j < len(tokens):
            gap = text[tokens[j - 1].end : tokens[j].start]
            if "\n" in gap or len(gap) > 2 or (gap and not gap.isspace()):
                break
            if is_name[j]:
                last = j
            elif (after := _after_nickname(tokens, is_name, j)) is not None:
                last = j = after  # 'Robert "Bob" Hoskins': the nickname is the name's too
            elif not _joins_names(tokens[j], text):
                break
            j += 1
        spans.append((tokens[i].start, tokens[last].end))
        i = last + 1
    return spans


def _dictionary_word(ev: Evidence, word: str) -> bool:
    """A dictionary word as an opening reads it: not a common surname that is only a rare
    word besides ("Virtanen tuli", "Mäkinen soitti")."""
    return ev.common_word and not name_over_word(word)


def _plain_word(ev: Evidence, word: str) -> bool:
    """A dictionary, frequent or place word, or one listed as no name: at a sentence start
    its capital says nothing."""
    return (
        _dictionary_word(ev, word)
        or ev.also_word
        # listed as no name once de-inflected ("Olena" -> "olen") says nothing of a first name
        or (ev.not_name and (not ev.first or not_name_as_written(word)))
        or ev.place
        or frequent_word(ev, word)
        or long_compound(word)
    )


def _word_form_not_name(ev: Evidence, word: str) -> bool:
    """A Finnish word form that no name list holds as written and that reads as no common
    name once de-inflected ("Luen", but not "Ainon" or "Villen", which are word forms too)."""
    return (
        not (ev.first or ev.surname)
        and max(ev.first_inflected, ev.surname_inflected) < _PLAIN_NAME
        and is_finnish_word_form(word.casefold())
    )


def _plain_word_opening(tokens: list[Token], i: int, is_name: list[bool]) -> bool:
    """A dictionary word that opens a sentence with no name beside it: "Mäki oli jyrkkä",
    "Onni oli matkassa". A capital there says nothing, so such a word is left readable;
    "Räisänen sanoo" (no dictionary word) and "Onni Laaksonen tuli" still count, but not a
    Finnish word form that no name list holds ("Juttelin Heikin kanssa")."""
    token = tokens[i]
    if not token.sentence_start:
        return False
    ev = evidence(token.text)
    if _word_form_not_name(ev, token.text):
        # A verb before a name is no first name ("Juttelin Heikin kanssa", "Luen Raamattua"),
        # even when its letters de-inflect to a rare name somewhere.
        return True
    if not _plain_word(ev, token.text):
        return False
    j = i + 1
    while j < len(tokens) and (tokens[j].text == "." or _is_initial(tokens[j])):
        j += 1  # "Kalle P. Laine": the initial stands between the two names
    return not (j < len(tokens) and is_name[j])


# A word that ends in a street generic after this many letters of its own is a street, not a
# name ("Meritullintiellä"); shorter ones may be names ("Katie", "Bertie").
_STREET_STEM = 4
_FIRST_BESIDE = 3  # a listed first name this common before it makes such a word a surname


def _drop_street_names(tokens: list[Token], is_name: list[bool]) -> None:
    """Streets are no persons: a word that is itself a street, with an unlisted word before
    it that was only paired with it ("Kruununhaan Meritullintiellä"), and a name that a
    lower-case generic follows, the street named after a person ("Kustaa
    Aadolfin kadun varrella", "Minna Canthin tiellä"), stay out of names."""
    for i, token in enumerate(tokens):
        if not is_name[i] or not token.capitalised:
            continue
        reading = street_reading(token.text)
        if reading is None or not reading[2] or len(reading[0]) < _STREET_STEM:
            continue
        if i and evidence(tokens[i - 1].text).first >= _FIRST_BESIDE:
            continue  # "Annika Lapintie": a surname that ends like a street
        is_name[i] = False
        if i and is_name[i - 1] and not evidence(tokens[i - 1].text).any_name:
            is_name[i - 1] = False  # its unlisted neighbour was only taken as its other half
    i = 0
    while i < len(tokens):
        if not is_name[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and (is_name[j + 1] or _is_initial(tokens[j + 1])):
            j += 1
        after = tokens[j + 1] if j + 1 < len(tokens) else None
        if after is not None and after.is_word and not after.capitalised:
            reading = street_reading(after.text)
            generic = street_reading(reading[1]) if reading is not None and not reading[0] else None
            if generic is not None and generic[2]:
                for k in range(i, j + 1):
                    is_name[k] = False
        i = j + 1


def _is_initial(token: Token) -> bool:
    return len(token.text) == 1 and token.text.isupper()


def _plainly_a_name(token: Token, ev: Evidence) -> bool:
    """A common name, inflected or not, that is no word of any kind: capitalised in
    mid-sentence it can be nothing else."""
    return (
        max(ev.first, ev.first_inflected, ev.surname, ev.surname_inflected) >= _PLAIN_NAME
        and not (ev.common_word or ev.common_inflected or ev.also_word)
        and max(ev.frequency[1], ev.frequency[2]) < 3
        and not is_finnish_word_form(token.text.casefold())
    )


def _rare_and_no_word_form(token: Token, ev: Evidence) -> bool:
    """Written as a name is, not as an abbreviation inflected ("ETA:n"), rare in every
    frequency list and no Finnish word form."""
    return (
        token.text[1:2].islower()
        and max(ev.frequency) < 3
        and not is_finnish_word_form(token.text.casefold())
    )


def _listed_and_nothing_else(token: Token, ev: Evidence) -> bool:
    """A word a name list holds, inflected or not (a rarer first name too, 2 on the lexicon's
    scale; a surname from 3, as rarer ones are often the places they were named after), that
    is no word of any kind: "Airikin", "Anmarin"."""
    return (
        (max(ev.first, ev.first_inflected) >= 2 or max(ev.surname, ev.surname_inflected) >= 3)
        and not (ev.common_word or ev.common_inflected or ev.also_word)
        and _rare_and_no_word_form(token, ev)
    )


def _first_name_inflected_alone(token: Token, ev: Evidence) -> bool:
    """A listed first name in an inflected form that is no dictionary word either: "Vernan",
    "Sylvian", "Denisen"."""
    return (
        ev.first_inflected >= 3
        and not (ev.first or _dictionary_word(ev, token.text))
        and _rare_and_no_word_form(token, ev)
    )


def _listed_name_the_model_doubts(
    token: Token, score: float, after_other_capital: bool = False
) -> bool:
    """A listed name the corpora taught the model too little about: capitalised in
    mid-sentence ("Soitin eilen Mattille", "Puhuin Tuulin kanssa"), where Finnish and Swedish
    capitalise no common noun, or a common first name inflected at a sentence start
    ("Ainon kanssa puhuttiin"). Not when the model is sure it is no name, nor for a word that
    is common in Swedish or English ("Jag är Svensk")."""
    if token.text.isupper():
        return False
    ev = evidence(token.text)
    if not token.capitalised:
        return lower_case_first_name(token.text, ev)
    if ev.place or ev.not_name or max(ev.frequency[1], ev.frequency[2]) >= 4:
        return False
    if (
        not token.sentence_start
        and not after_other_capital
        and score >= _model().threshold - 2 * _DOUBT  # not where it is sure ("Pietarin metro")
        and _plainly_a_name(token, ev)
    ):
        return True  # "velkaa Tarjalle 500e": whatever the model makes of the digits
    if (
        not token.sentence_start
        and not after_other_capital
        and score >= _model().threshold - _DOUBT
        and _listed_and_nothing_else(token, ev)
    ):
        return True  # "menis Kaijan kanssa": a rarer listed name, capitalised mid-sentence
    if (
        token.sentence_start
        and score >= _model().threshold - 2 * _DOUBT
        and _first_name_inflected_alone(token, ev)
    ):
        # "Vilhon kissa", "Sylvian kanssa": the corpora open sentences with the genitives of
        # places and firms, so the model doubts these; only a name reads this way.
        return True
    if score < _model().threshold - _DOUBT:
        return False
    if token.sentence_start:
        # "Ainon kanssa", and a surname that is no word: "Granlund asuu jo Helsingissä".
        dictionary = _dictionary_word(ev, token.text)
        if not ev.first and not dictionary and ev.first_inflected >= 4:
            return True
        if dictionary or ev.also_word or ev.common_inflected:
            return False
        # A surname that is no word, inflected too: "Granlund asuu", "Halosen kannatus"
        # (not a verb that de-inflects to one: "Keräsin ahkerasti").
        frequent_form = ev.frequency[0] >= 5 and is_finnish_word_form(token.text.casefold())
        return (ev.surname >= 3 and not frequent_form) or (
            ev.surname_inflected >= 3
            and not ev.first
            and not is_finnish_word_form(token.text.casefold())
        )
    return max(ev.first, ev.first_inflected, ev.surname, ev.surname_inflected) >= 3


def _needs_model(msg: Message, i: int) -> bool:
    """Whether word i of a message with capitals could come out as a name of the model's.

    A sentence opener the checks below turn down anyway (a cue, a dictionary, frequent or
    place word) with no capitalised word after it cannot; most chat messages have no other
    capital, so they skip the model. In doubt (another idea of where a sentence starts), yes.
    """
    word = msg.words[i][2]
    if not word[0].isupper() or i in msg.marked:
        return False
    if msg.mid_sentence(i) or (msg.adjacent(i, i + 1) and msg.words[i + 1][2][0].isupper()):
        return True
    if verb_next(msg, i):
        return True  # "Vesa kysyi": a verb of saying may make an everyday word a name
    ev = evidence(word)
    # A listed name opening a sentence may yet be kept when the model is sure of it.
    return not (
        word.casefold() in CUE_WORDS
        or (_plain_word(ev, word) and (ev.also_word or not ev.any_name))
    )


def _by_model(msg: Message) -> None:
    """Words the trained model scores as names, unless a cue or an address took them first."""
    text = msg.text
    if not msg.lower_mode and not any(_needs_model(msg, i) for i in range(len(msg.words))):
        return
    tokens = tokenise(text)
    no_names = [False] * len(tokens)

    def vetoed(i: int) -> bool:  # not a name whatever the model says (see the checks below)
        token = tokens[i]
        if token.text.casefold() in CUE_WORDS or token.text.casefold() in SERVICES:
            return True
        # A listed name, or a word before another capital, may yet be kept (see below).
        ev = evidence(token.text)
        if is_function_word(token.text):
            return True  # "och", "and": a surname somewhere, but here the commonest of words
        return (
            _plain_word_opening(tokens, i, no_names)
            and (ev.also_word or not ev.any_name)
            and not capital_follows(tokens, i)
            and not verb_after(text, tokens, i)
        )

    model = _model()
    scores = model.scores(tokens, msg.lower_mode, evidence, vetoed)
    threshold = model.threshold
    is_name: list[bool] = []
    by_context: set[int] = set()  # a verb of saying or a title spoke for it: no opening veto
    for i, (token, score) in enumerate(zip(tokens, scores, strict=True)):
        found = score is not None and score > threshold
        if found and (introduces_a_name(token) or is_function_word(token.text)):
            found = False
        if found and token.start and text[token.start - 1].isdigit():
            found = False  # letters glued to digits ("308T", "12B") are codes, not names
        if found and HOUSE_NUMBER_NEXT.match(text, token.end) and ends_like_street(token.text):
            found = False  # "Inkoonkatu 3": the address detector takes the street
        if score is not None and not (found and not token.sentence_start):
            # Also for a sentence opener the model found: the context keeps it from the
            # opening veto below ("Vesa kysyi").
            if not found:
                # After a capitalised word that is no name it is the rest of another proper
                # name ("Neste Oilin"), not a person the model overlooked.
                after_other = bool(i) and tokens[i - 1].capitalised and not is_name[i - 1]
                found = _listed_name_the_model_doubts(token, score, after_other)
            if not found or token.sentence_start:
                if context_says_person(text, tokens, i, score, threshold - _DOUBT):
                    found = True
                    by_context.add(i)
        is_name.append(found)
    for i, score in enumerate(scores):
        if is_name[i] and i not in by_context and _plain_word_opening(tokens, i, is_name):
            is_name[i] = (
                score is not None
                and score > _CONFIDENT_OPENING
                and not evidence(tokens[i].text).also_word
            )
    complete_pairs(text, tokens, is_name, msg.lower_mode)
    _drop_street_names(tokens, is_name)
    complete_name_parts(text, tokens, is_name)
    drop_named_things(text, tokens, is_name)
    drop_firm_names(text, tokens, is_name)
    for start, end in _name_runs(text, tokens, is_name):
        first = bisect_left(msg.starts, start)
        last = bisect_left(msg.starts, end) - 1
        # A cue may have taken part of the run ("terveisin pasi pöntinen": the cue took
        # "pasi"): the words it left are masked on their own.
        piece: list[int] = []
        for k in [*range(first, last + 1), None]:
            if k is not None and k not in msg.marked:
                piece.append(k)
                continue
            if piece:
                msg.marked.update(piece)
                msg.spans.append((msg.words[piece[0]][0], msg.words[piece[-1]][1]))
                piece = []


def _may_hold_a_name(text: str, lower_mode: bool) -> bool:
    """Cheap first look: does any word start a cue, read as a listed name, or have a capital?"""
    for word in WORD.findall(text):
        if lower_mode:
            if name_level(word) or word in CUE_TABLE or evidence(word).any_name:
                return True
            if word in PERSON_VERBS:
                return True  # "wichai suwannarat soitti": the verb speaks for the unknown
        elif word[0].isupper() or word in CUE_TABLE or word.endswith(POSSESSIVE):
            return True
    return False


# Arabic and Persian letters; a message written mostly in Latin letters that holds a short run
# of words in this script holds a name written in the writer's own script ("Tapasin eilen
# بابک رضایی kirjastossa"), rarely anything else.
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LONGEST_SCRIPT_NAME = 3
# Greetings, thanks and the commonest small words, which stay readable in such a run.
_COMMON_IN_SCRIPT = frozenset(
    """شكرا شكراً مرحبا السلام سلام عليكم الله إن ان شاء نعم لا ممنون مرسی خوب بله نه و من في
    على عن مع انا أنا هو هي""".split()
)


def _names_in_another_script(msg: Message) -> None:
    """Runs of one to three Arabic-script words inside a message in Latin letters."""
    text = msg.text
    if not _ARABIC_SCRIPT.search(text):
        return
    if mostly_arabic(text):
        return  # an Arabic or Persian message: its cues decide (see name_cues)
    run: list[int] = []
    for i in [*range(len(msg.words)), None]:
        if i is not None and _ARABIC_SCRIPT.match(msg.words[i][2]):
            if not run or msg.adjacent(run[-1], i):
                run.append(i)
                continue
        if run and len(run) <= _LONGEST_SCRIPT_NAME:
            if not all(msg.words[k][2] in _COMMON_IN_SCRIPT for k in run):
                # Part of the run may be marked already (a listed first name): the rest of
                # it is the same name ("مهسا حسینی soitti").
                piece: list[int] = []
                for k in [*run, None]:
                    if k is not None and k not in msg.marked:
                        piece.append(k)
                        continue
                    if piece:
                        msg.mark(piece[0], piece[-1])
                        piece = []
        run = [i] if i is not None and _ARABIC_SCRIPT.match(msg.words[i][2]) else []


def find_names(text: str) -> list[tuple[int, int]]:
    """Return [start, end) spans of person names in `text`."""
    may_hold = _may_hold_a_name(text, text == text.lower())
    if not may_hold and not _ARABIC_SCRIPT.search(text):
        return []
    msg = Message(text)
    if may_hold:
        by_cues(msg)
        self_introduction(msg)
        described_as_person(msg)
        _by_model(msg)
        signature(msg)
    _names_in_another_script(msg)
    return sorted(msg.spans)
