"""Finds person names by their cues: "nimeni on", "my son", "rouva", "terveisin", signatures.

Never takes a cue word itself for a name; never keeps the text beyond the message it reads.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from privacy.redaction.addresses import ends_like_street
from privacy.redaction.lexicon import (
    NameLevel,
    evidence,
    is_known_surname,
    is_not_name,
    looks_like_surname,
    name_level,
    plain_level,
)
from privacy.redaction.name_cue_phrases import CUE_TABLE
from privacy.redaction.word_forms import is_finnish_word_form

WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")

_FI_RELATIVE = re.compile(
    r"(?:poi|poj|tyttär|tytär|äiti|äidi|isä|vaimo|miehe|puoliso|avopuoliso|sisko|sisare|velje"
    r"|lapse|mummo|mummi|ukki|pappa|isoäiti|isoäidi|isoisä|täti|tädi|setä|sedä|eno|serkku|serku"
    r"|ystävä|kaveri|naapuri|poikaystävä|tyttöystävä|kumppani|exä|anopi|anoppi|miniä|vävy"
    r"|työkaveri|pomo|esimiehe|esihenkilö|sosiaalityöntekijä|ohjaaja|opettaja|lääkäri|hoitaja"
    r"|vuokranantaja|isännöitsijä|kämppikse|tuttava|esikoise|kuopukse|lapsenlapse|veljenpoja"
    r"|siskonpoja|siskontyttäre|veljentyttäre)"
    r"[a-zåäö]{0,6}?(?:ni|mme|nne|nsa|nsä)"
)
POSSESSIVE = ("ni", "mme", "nne", "nsa", "nsä")
_PHRASE_GAP = re.compile(r"[ \t]+|\.[ \t]*")
# What may stand between a cue and the name it introduces.
_GAP_INLINE = re.compile(r"[ \t]*[:\-–—,]?[ \t]*[\"“”«]?")
_GAP_SIGNOFF = re.compile(r"[ \t]*[.,:\-–—!]?\s*")
_GAP_TITLE = re.compile(r"\.?[ \t]+")  # "Mrs. Thompson", "tri. Salo", "rouva Laine"

# Finnish locative and other case endings: a capitalised unknown word with one of them
# ("Helsingissä", "Espoosta") is a place far more often than a name.
_PLACE_CASE = re.compile(r"(?:ssa|ssä|sta|stä|lla|llä|lta|ltä|lle|ksi|hin|seen)$")
# Endings of Finnish adjectives, nationalities, participles and agent nouns: "olen
# Suomalainen", "olen Työtön", "olen Opiskelija" are not names even when capitalised.
_ADJECTIVE_END = re.compile(
    r"(?:lainen|läinen|ton|tön|nut|nyt|ut|yt|va|vä|ja|jä|ssa|ssä|sta|stä|kas|käs|llinen"
    r"|ish|ian|ese|ic|ed|ing)$"
)
# English and Swedish adjective and nationality endings ("I'm Finnish", "jag är Svensk").
_FOREIGN_ADJECTIVE_END = re.compile(
    r"(?:ish|ian|ese|ic|ed|ing|al|ous|ful|less|ive|able|ible|ent|ant|ary|ory|sk|ig|lig|ad)$"
)
# The cases that say "in/from/at a place"; "-lle" (to someone) is as common with people.
_LOCAL_CASE = re.compile(r"(?:ssa|ssä|sta|stä|lla|llä|lta|ltä|hin|seen)$")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_ARABIC_STOP = frozenset(
    "من في عمري انا أنا عندي هو هي مع الى إلى على عن هذا هذه رقم ساكن اعيش أعيش لدي عمره عمرها"
    " و".split()
)
HOUSE_NUMBER_NEXT = re.compile(r"[ \t]+[1-9]")
_INITIAL = re.compile(r" [A-ZÅÄÖ]\.(?!\w)")
_SENTENCE_BREAK = frozenset('.!?:;\n"“”«»(•*')
# Matched against the reversed text: the run of characters after the last break.
_TAIL_REVERSED = re.compile(r"[^\n.!?,;:—–\-]*")


def _is_cap(word: str) -> bool:
    return word[0].isupper() and not (len(word) > 1 and word.isupper())


def _is_arabic(word: str) -> bool:
    return _ARABIC.match(word) is not None


# Words with the article that follow a name as often as a family name does: now, today,
# God, peace, please, help, the rent.
_ARABIC_ARTICLE_WORDS = frozenset("الآن الان اليوم الله السلام الرجاء المساعدة الإيجار".split())


def _arabic_family_name(word: str) -> bool:
    """A word with the article right after a name is the family name or the one of origin
    ("أحمد الخطيب", "علي العبيدي"), which no name list holds in all its forms."""
    return word.startswith("ال") and len(word) >= 4 and word not in _ARABIC_ARTICLE_WORDS


class Message:
    """The words of one message and the names marked in it so far."""

    __slots__ = ("lower_mode", "marked", "spans", "starts", "text", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.words: list[tuple[int, int, str]] = [
            (m.start(), m.end(), m.group()) for m in WORD.finditer(text)
        ]
        self.starts = [w[0] for w in self.words]
        # A message written without capitals gets lexicon-based detection of lower-case names.
        self.lower_mode = text == text.lower()
        self.marked: set[int] = set()
        self.spans: list[tuple[int, int]] = []

    def cap(self, i: int) -> bool:
        return not self.lower_mode and _is_cap(self.words[i][2])

    def mid_sentence(self, i: int) -> bool:
        # Walk back over spaces only (not a slice of the whole prefix): long messages stay
        # linear.
        text = self.text
        k = self.words[i][0] - 1
        while k >= 0 and text[k].isspace():
            if text[k] == "\n":
                return False
            k -= 1
        return k >= 0 and text[k] not in _SENTENCE_BREAK

    def adjacent(self, i: int, j: int) -> bool:
        """Word j follows word i separated only by spaces (a name's parts)."""
        if j >= len(self.words):
            return False
        gap = self.text[self.words[i][1] : self.words[j][0]]
        return 0 < len(gap) <= 2 and gap.isspace() and "\n" not in gap

    def mark(self, first: int, last: int) -> None:
        if any(k in self.marked for k in range(first, last + 1)):
            return
        self.marked.update(range(first, last + 1))
        end = self.words[last][1]
        initial = _INITIAL.match(self.text, end)  # "Johanna K.", "Matti V."
        if len(self.words[last][2]) == 1 and self.text[end : end + 1] == ".":
            end += 1  # the initial was already taken as a part of the name: add its dot
        elif initial:
            end = initial.end()
            nxt = last + 1
            while nxt < len(self.words) and self.starts[nxt] < end:
                self.marked.add(nxt)
                nxt += 1
        self.spans.append((self.words[first][0], end))


# Word forms this common (Zipf frequency bucket) in some language that are listed as no name
# are function words there, whatever a surname list says ("och", "and").
_FUNCTION_WORD_ZIPF = 6


def is_function_word(word: str) -> bool:
    """A word listed as no name that is among the commonest of some language: never a name."""
    ev = evidence(word)
    return ev.not_name and max(ev.frequency) >= _FUNCTION_WORD_ZIPF


_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def mostly_arabic(text: str) -> bool:
    """Whether more words are in Arabic script than in Latin letters. Words, not letters: a
    short sentence around a long name ("Min granne heter عبدالرحمن التميمي") is in Latin."""
    arabic = latin = 0
    for word in text.split():
        if _ARABIC_LETTER.search(word):
            arabic += 1
        elif _LATIN_LETTER.search(word):
            latin += 1
    return arabic > latin


def _continues_name(msg: Message, j: int) -> bool:
    """Whether word j, right after a name, is a further part of it (a surname)."""
    word = msg.words[j][2]
    if is_function_word(word):
        return False  # "jag heter erik och bor": "Och" is a surname somewhere
    if len(word) == 1:  # an initial ("Johanna K.") but not the pronoun ("Leena I think")
        end = msg.words[j][1]
        return word.isupper() and msg.text[end : end + 1] == "."
    if HOUSE_NUMBER_NEXT.match(msg.text, msg.words[j][1]) and ends_like_street(word):
        return False  # "Leena Virtanen Hämeentie 5": a street, not a second surname
    if is_known_surname(word):
        return True
    if _is_arabic(word):
        # No capitals and no dictionary here for Arabic script: only a listed name goes on a
        # name ("فاطمة أحمد"), not the verb after it ("زوجي علي يضربني").
        # In a message in Latin letters the run of Arabic script is the name whatever it holds
        # ("My caseworker عبدالرحمن العبيدي is ...").
        if word in _ARABIC_STOP:
            return False
        return evidence(word).any_name or _arabic_family_name(word) or not mostly_arabic(msg.text)
    if not msg.cap(j):
        if not msg.lower_mode:
            return False
        if name_level(word) >= NameLevel.SURNAME:
            return True
        # "terveisin arvo nyholm": a surname the register lists, unless it is also a word
        # that fewer bear ("olen matti kotona" keeps its "kotona").
        ev = evidence(word)
        if ev.surname >= 4 or (ev.surname >= _LISTED_IN_REGISTER and not ev.common_word):
            return True
        # "my friend chen wenjun": a word no list and no text knows is the name's other half
        return (
            len(word) >= 3
            and not any(ev.frequency)
            and not (ev.common_word or ev.common_inflected or ev.place or ev.not_name)
            and not is_finnish_word_form(word.casefold())
        )
    if is_not_name(word) or _PLACE_CASE.search(word):
        return name_level(word) >= NameLevel.SURNAME
    return True


def _extend(msg: Message, i: int, limit: int = 2) -> int:
    """The last word index of the name that starts at word i."""
    last = i
    while limit and msg.adjacent(last, last + 1) and _continues_name(msg, last + 1):
        last += 1
        limit -= 1
    return last


# Bearers in Finland from which a register name counts after a cue (lexicon bucket 3: 200+).
_LISTED_IN_REGISTER = 3


# Verbs a child or a partner is the subject of, right after the name ("mun tyttö lumi on").
_SUBJECT_VERBS = frozenset(
    "on oli ei oo ol sanoi sano kertoi tuli meni itkee itki soitti sairastui asuu".split()
)


def _verb_follows(msg: Message, i: int) -> bool:
    return msg.adjacent(i, i + 1) and msg.words[i + 1][2].casefold() in _SUBJECT_VERBS


def _surname_follows(msg: Message, i: int) -> bool:
    """A surname the population register lists (200 bearers or more) right after word i."""
    if not msg.adjacent(i, i + 1):
        return False
    ev = evidence(msg.words[i + 1][2])
    return max(ev.surname, ev.surname_inflected) >= _LISTED_IN_REGISTER


def _accept_after_cue(msg: Message, kind: str, i: int) -> bool:
    word = msg.words[i][2]
    if _is_arabic(word):  # no capitals in Arabic script: a weak cue needs a listed name
        if kind in ("weak", "greeting"):
            return plain_level(word) >= NameLevel.CUE_ONLY
        return word not in _ARABIC_STOP
    if kind == "strong":
        # In a message that uses capitals, a lower-case word after "nimeni on" is a name only
        # when listed ("nimeni on liian vaikea", "Nimi on tiedossa" stay readable).
        if not msg.lower_mode and not _is_cap(word) and name_level(word) < NameLevel.CUE_ONLY:
            return False
        return not is_not_name(word)
    if kind in ("weak", "greeting"):
        # A predicate or a vocative is in the plain form: "olen Leena", "hei Leena". In lower
        # case a name that is also a word does not count ("on hyvä anna se", "olen toivo...").
        needed = NameLevel.CUE_ONLY if _is_cap(word) else NameLevel.SURNAME
        if plain_level(word) >= needed:
            return True
        if kind != "weak" or not msg.cap(i) or is_not_name(word):
            return False
        # An unknown first name is accepted when a listed surname follows: "olen Xia Virtanen".
        if msg.adjacent(i, i + 1) and (
            is_known_surname(msg.words[i + 1][2]) or looks_like_surname(msg.words[i + 1][2])
        ):
            return True
        # After "olen", "I'm", "jag är" a capitalised word that ends the clause is a name
        # unless it looks like a place, an adjective or a nationality ("olen Irakista",
        # "olen Espoolainen", "I'm Finnish", "jag är Svensk").
        low = word.casefold()
        before = msg.words[i - 1][2].casefold()
        end = msg.words[i][1]
        clause_ends = end == len(msg.text) or msg.text[end] in ".,!?;:)\n" or msg.adjacent(i, i + 1)
        if before in ("olen", "oon"):
            return (
                len(word) >= 3
                and not low.endswith("n")  # "olen Helsingin ..., olen Kelan ...": a genitive
                and _PLACE_CASE.search(low) is None
                and _ADJECTIVE_END.search(low) is None
            )
        return (
            before in ("i'm", "i’m", "am", "är")
            and len(word) >= 3
            and clause_ends
            and _FOREIGN_ADJECTIVE_END.search(low) is None
        )
    # relative, title, signoff
    if is_not_name(word):
        return False
    if not msg.cap(i):
        # "my doctor said", "poikani on": a lower-case word must be a plainly listed name, or
        # a name the population register lists that is no Finnish word ("sossu purhonen").
        if name_level(word) >= NameLevel.SURNAME:
            return True
        ev = evidence(word)
        if kind == "signoff" and ev.first >= _LISTED_IN_REGISTER and _surname_follows(msg, i):
            return True  # "terveisin arvo nyholm": a first name that is a word, then a surname
        if kind == "relative" and ev.first >= _LISTED_IN_REGISTER and _verb_follows(msg, i):
            return True  # "mun poika lumi on kipeä": a first name that is a word, then a verb
        return (
            max(ev.first, ev.surname) >= _LISTED_IN_REGISTER
            and not (ev.common_word or ev.also_word or ev.place or ev.not_name)
            # The word-form filter holds some surnames ("arponen", "liimatta"): one that
            # Finnish text seldom uses is the surname.
            and (ev.frequency[0] < 2 or not is_finnish_word_form(word.casefold()))
        )
    return name_level(word) >= NameLevel.CUE_ONLY or _PLACE_CASE.search(word) is None


def _cue_at(msg: Message, i: int, low: str) -> tuple[str, int] | None:
    """The kind of cue that starts at word i (`low` casefolded) and its last word, if any."""
    words, text = msg.words, msg.text
    for rest, kind, need in CUE_TABLE.get(low, ()):
        j = i
        for expected in rest:
            if j + 1 >= len(words):
                break
            gap = _PHRASE_GAP.fullmatch(text, words[j][1], words[j + 1][0])
            actual = words[j + 1][2].casefold()
            fits = actual.startswith(expected[:-1]) if expected[-1] == "*" else actual == expected
            if gap is None or not fits:
                break
            j += 1
        else:
            after = text[words[j][1] : words[j][1] + 3].lstrip(" \t")
            if need == ":" and not after.startswith((":", "-", "–")):
                continue
            if need == "." and not after.startswith("."):
                continue
            return kind, j
    if low.endswith(POSSESSIVE) and _FI_RELATIVE.fullmatch(low):
        return "relative", i
    return None


def by_cues(msg: Message) -> None:
    text = msg.text
    words = msg.words
    for c, (start, _, word) in enumerate(words):
        low = word.casefold()
        if (low not in CUE_TABLE and not low.endswith(POSSESSIVE)) or c in msg.marked:
            continue
        if start and text[start - 1].isdigit():
            continue  # the letters of "308T." or "12B" are no cue ("t." is a sign-off)
        cue = _cue_at(msg, c, low)
        if cue is None:
            continue
        kind, last = cue
        gaps = {"signoff": _GAP_SIGNOFF, "title": _GAP_TITLE}
        gap = gaps.get(kind, _GAP_INLINE).match(text, words[last][1])
        end = gap.end() if gap else words[last][1]
        i = last + 1
        if i >= len(words) or words[i][0] != end or i in msg.marked:
            continue
        if kind == "signoff" and words[last][2].casefold() in ("t", "br", "vh", "yours"):
            # Short closings are also ordinary words: demand a capitalised or listed name.
            if not (msg.cap(i) or name_level(words[i][2]) >= NameLevel.CONTEXT):
                continue
        if _accept_after_cue(msg, kind, i):
            msg.mark(i, _extend(msg, i))


# "Minna tässä", "Täällä Minna", "Anders här", "Sara here": how a chat opens with the
# writer's name. The name is the first or second word of a sentence, the place word beside it.
_HERE = frozenset("tässä täällä här here".split())
_HERE_BEFORE = frozenset({"täällä"})


def self_introduction(msg: Message) -> None:
    """A capitalised or listed name beside "tässä" / "here" at the start of a sentence."""
    words = msg.words
    for h, (_, _, here) in enumerate(words):
        low = here.casefold()
        if low not in _HERE:
            continue
        candidates = [h - 1] if h else []
        if low in _HERE_BEFORE:
            candidates.append(h + 1)
        for i in candidates:
            if not 0 <= i < len(words) or i in msg.marked:
                continue
            first = min(i, h)
            if first and msg.mid_sentence(first):
                continue
            if not (msg.adjacent(i, h) or msg.adjacent(h, i)):
                continue
            word = words[i][2]
            ev = evidence(word)
            if is_not_name(word) or ev.place:
                continue
            listed = plain_level(word) >= NameLevel.CONTEXT
            # An unlisted word counts when capitalised and no word ("Apua tässä asiassa").
            unknown = not (ev.common_word or ev.common_inflected or max(ev.frequency) >= 3)
            if listed or (msg.cap(i) and unknown):
                start = i
                if i < h and i and msg.adjacent(i - 1, i) and plain_level(words[i - 1][2]):
                    start = i - 1  # "Minna Virtanen tässä"
                msg.mark(start, i if i < h else _extend(msg, i))
            break


# A word alone this strongly listed is a name even when it is a dictionary word as well
# ("Virtanen", "Nurminen"); names listed as everyday words ("Tuuli", "Mäki") are not.
_ALONE_LEVEL = NameLevel.SURNAME
_MOST_WORDS_ALONE = 3
_COMMONEST = 5  # the top frequency bucket of the population register's name lists


def _only_a_name(msg: Message, text: str) -> None:
    """The whole message is one to three listed name words (initials between them)."""
    words = msg.words
    if not 1 <= len(words) <= _MOST_WORDS_ALONE or msg.marked:
        return
    if len(text.strip()) != words[-1][1] - words[0][0] or any(c.isdigit() for c in text):
        return
    names = 0
    for i, (_, _, word) in enumerate(words):
        if i and not msg.adjacent(i - 1, i):
            return
        if len(word) == 1 and word.isupper():
            continue  # an initial
        if not (msg.cap(i) or msg.lower_mode) or is_not_name(word):
            return
        ev = evidence(word)
        if plain_level(word) < _ALONE_LEVEL or ev.place:
            return  # "Salla", "Kemi" alone may as well answer "where do you live?"
        if len(words) == 1 and ev.common_word:
            # A dictionary word alone ("Kangas", "ruotsalainen") is a name only when it is
            # one of the commonest names and written with its capital ("Virtanen").
            if msg.lower_mode or max(ev.first, ev.surname) < _COMMONEST:
                return
        names += 1
    if names:
        msg.mark(0, len(words) - 1)


def signature(msg: Message) -> None:
    """A closing name: the last one to three words after the last line or sentence break."""
    text = msg.text.rstrip().rstrip(".!")
    tail = _TAIL_REVERSED.match(text[::-1])
    tail_start = len(text) - (tail.end() if tail else 0)
    if tail_start == 0:
        # One sentence with no break: a name in it needs a cue, not a position, unless the
        # message is nothing but a listed name ("Minna", "Virtanen", "Anna Salomaa"): the
        # answer to "what is your name?" or a name sent on its own.
        _only_a_name(msg, text)
        return
    i = bisect_left(msg.starts, tail_start)
    n_words = len(msg.words) - i
    if not 1 <= n_words <= 3 or i in msg.marked:
        return
    if any(c.isdigit() for c in text[tail_start:]):
        return
    word = msg.words[i][2]
    if not (msg.cap(i) or msg.lower_mode) or is_not_name(word):
        return
    if name_level(word) >= NameLevel.CUE_ONLY and not _PLACE_CASE.search(word.casefold()):
        msg.mark(i, _extend(msg, i))
