"""Finds person names by cues ("nimeni on", "my son", "terveisin"), the trained name model and
name lists. Never takes a cue word, a code glued to digits or a plain sentence opener for a name.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache

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
from privacy.redaction.name_features import Evidence
from privacy.redaction.name_model import NameModel, load_model
from privacy.redaction.tokens import Token, tokenise

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")

# Cue classes. STRONG: the next word is the name whatever its case ("nimeni on matti").
# RELATIVE / TITLE: a capitalised or listed word next is a name ("poikani Eetu", "rouva Laine").
# WEAK: only a listed name in its plain form counts ("olen Leena", not "olen väsynyt").
# SIGNOFF: a capitalised or listed word after a closing ("terveisin", "mvh").
# GREETING: only a listed name in its plain form ("hei Leena").
# Each kind lists phrases separated by "|"; "sana*" matches any word that starts with "sana";
# a final ":" demands a colon or dash after the cue, a final "." a dot ("t. Sanna").
_CUE_PHRASES = {
    "strong": """
        nimeni on | minun nimeni on | mun nimeni on | mun nimi on | minun nimi on | nimemme on
        | nimeni: | nimi: | nimi on | nimeltä | nimeltäni | nimeltään | nimensä on
        | hänen nimensä on | hänen nimi on | lapsen nimi on | pojan nimi on | tytön nimi on
        | jag heter | mitt namn är | han heter | hon heter
        | hen heter | namn: | my name is | my name's | his name is | her name is
        | their name is | name: | меня зовут | его зовут | её зовут
        | ее зовут | моё имя | мое имя | имя: | мене звати | його звати | її звати | моє ім'я
        | моє ім’я | ім'я: | ім’я: | اسمي | إسمي | اسمه | اسمها | الاسم | اسم من | نام من
        | yhteystietoni on | yhteystietoni: | yhteystiedot: | yhteyshenkilö: | yhteyshenkilö on
        | yhteyshenkilöni on | kontaktperson: | mina kontaktuppgifter är | contact person:
        | contact: | my contact details are | minu nimi on | magacaygu waa | magacayga waa
        | benim adım | adım | me llamo
        | mi nombre es | je m'appelle | je m’appelle | nazywam się | mam na imię
    """,
    "relative": """
        kutsu minua | kutsukaa minua | kalla mig | call me | named
        | mun poika | mun tyttö | mun tytär | mun äiti | mun isä | mun mies | mun vaimo
        | mun sisko | mun veli | mun lapsi | mun kaveri | mun ystävä | mun naapuri | mun mummo
        | mun ukki | mun poikaystävä | mun tyttöystävä | mun puoliso | mun exä
        | min son | min dotter | min mamma | min mor | min pappa | min far | min man | min fru
        | min sambo | min partner | min bror | min syster | min vän | min väninna | min kompis
        | min granne | min pojkvän | min flickvän | min mormor | min farmor | min morfar
        | min farfar | min moster | min faster | min morbror | min farbror | min kusin
        | mitt barn | mitt barnbarn | min handledare | min läkare | min lärare
        | min socialarbetare | min chef | min kollega | min hyresvärd | min exman | min exfru
        | hans son | hans dotter | hans fru | hennes son | hennes dotter | hennes man
        | my son | my daughter | my mother | my mom | my mum | my father | my dad | my husband
        | my wife | my partner | my boyfriend | my girlfriend | my brother | my sister
        | my friend | my neighbour | my neighbor | my child | my kid | my grandmother
        | my grandma | my grandfather | my grandpa | my granny | my aunt | my uncle | my cousin
        | my ex | my ex-husband | my ex-wife | my boss | my colleague | my landlord
        | my social worker | my caseworker | my case worker | my doctor | my teacher
        | my counsellor | my counselor | my nephew | my niece | my grandson | my granddaughter
        | my stepson | my stepdaughter | my stepfather | my stepmother | my roommate
        | my flatmate | my fiancé | my fiancée | my spouse | my baby | my little brother
        | my little sister | his son | his daughter | his wife | his mother | her son
        | her daughter | her husband | her mother | our son | our daughter | our child
        | their son | their daughter
        | мой сын* | мой муж* | мой пап* | мой отец* | мой брат* | мой друг* | мой сосед*
        | мой ребен* | мой ребён* | мой дедушк* | мой внук* | моя доч* | моя мам* | моя мать*
        | моя жена* | моя сестр* | моя подруг* | моя соседк* | моя бабушк* | моя внучк*
        | моего сын* | моей доч* | моему сын* | моей мам* | наш сын* | наша доч*
        | мій син* | мій чолов* | мій тат* | мій батьк* | мій брат* | мій друг* | мій сусід*
        | мій онук* | моя донь* | моя доч* | моя мам* | моя дружин* | моя сестр*
        | моя подруг* | моя бабус* | моя онучк* | мого син* | моєї донь* | наш син*
        | наша донь* | ابني | ابنتي | بنتي | زوجي | زوجتي | أمي | امي | والدتي | أبي | ابي
        | والدي | أخي | اخي | أختي | اختي | صديقي | صديقتي | جاري | جارتي
    """,
    "title": """
        rouva | herra | neiti | tohtori | sosiaalityöntekijä | mr | mrs | ms | miss | dr | fru
        | herr | fröken | господин | госпожа | пан | пані
    """,
    "weak": """
        olen | oon | mä oon | mä olen | minä olen | täällä on | täällä | tässä on | tässä
        | jag är | här är | det är | i'm | i’m | im | i am | this is | it's | я | это | це
        | أنا | انا
    """,
    "signoff": """
        terveisin | ystävällisin terveisin | parhain terveisin | lämpimin terveisin | terv.
        | yst. terv. | t. | hälsningar | med vänliga hälsningar | vänliga hälsningar
        | bästa hälsningar | mvh | vh | regards | best regards | kind regards | warm regards
        | br | sincerely | cheers | yours | с уважением | з повагою | مع تحياتي | تحياتي
    """,
    "greeting": """
        hei | moi | moikka | terve | hej | hejsan | hi | hello | hey | dear | hyvä | bästa | kära
        | привет | здравствуйте | вітаю | привіт | مرحبا
    """,
}
# Cue tables: first word -> (later words, kind, what must follow), longest phrases first.
_Phrase = tuple[tuple[str, ...], str, str]


def _build_cue_table() -> dict[str, tuple[_Phrase, ...]]:
    table: dict[str, list[_Phrase]] = {}
    for kind, phrases in _CUE_PHRASES.items():
        for phrase in phrases.split("|"):
            words = phrase.split()
            if not words:
                continue
            need = ""
            if words[-1][-1] in ":." and len(words[-1]) > 1:
                need, words[-1] = words[-1][-1], words[-1][:-1]
            words = [w.rstrip(".") for w in words]
            table.setdefault(words[0], []).append((tuple(words[1:]), kind, need))
    return {
        first: tuple(sorted(options, key=lambda o: -len(o[0]))) for first, options in table.items()
    }


_CUE_TABLE = _build_cue_table()
# Words that are a whole cue by themselves ("olen", "I'm", "hej", "terveisin"): never a name.
# The first word of a longer cue may be one ("Hans" of "hans son").
_CUE_WORDS = frozenset(
    first for first, options in _CUE_TABLE.items() if any(not rest for rest, _, _ in options)
)
_FI_RELATIVE = re.compile(
    r"(?:poi|poj|tyttär|tytär|äiti|äidi|isä|vaimo|miehe|puoliso|avopuoliso|sisko|sisare|velje"
    r"|lapse|mummo|mummi|ukki|pappa|isoäiti|isoäidi|isoisä|täti|tädi|setä|sedä|eno|serkku|serku"
    r"|ystävä|kaveri|naapuri|poikaystävä|tyttöystävä|kumppani|exä|anopi|anoppi|miniä|vävy"
    r"|työkaveri|pomo|esimiehe|esihenkilö|sosiaalityöntekijä|ohjaaja|opettaja|lääkäri|hoitaja"
    r"|vuokranantaja|isännöitsijä|kämppikse|tuttava|esikoise|kuopukse|lapsenlapse|veljenpoja"
    r"|siskonpoja|siskontyttäre|veljentyttäre)"
    r"[a-zåäö]{0,6}?(?:ni|mme|nne|nsa|nsä)"
)
_POSSESSIVE = ("ni", "mme", "nne", "nsa", "nsä")
_PHRASE_GAP = re.compile(r"[ \t]+|\.[ \t]*")
# What may stand between a cue and the name it introduces.
_GAP_INLINE = re.compile(r"[ \t]*[:\-–—,]?[ \t]*[\"“”«]?")
_GAP_SIGNOFF = re.compile(r"[ \t]*[.,:\-–—!]?\s*")

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
_HOUSE_NUMBER_NEXT = re.compile(r"[ \t]+[1-9]")
_INITIAL = re.compile(r" [A-ZÅÄÖ]\.(?!\w)")
_SENTENCE_BREAK = frozenset('.!?:;\n"“”«»(•*')
# Matched against the reversed text: the run of characters after the last break.
_TAIL_REVERSED = re.compile(r"[^\n.!?,;:—–\-]*")


def _is_cap(word: str) -> bool:
    return word[0].isupper() and not (len(word) > 1 and word.isupper())


def _is_arabic(word: str) -> bool:
    return _ARABIC.match(word) is not None


class _Message:
    """The words of one message and the names marked in it so far."""

    __slots__ = ("lower_mode", "marked", "spans", "starts", "text", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.words: list[tuple[int, int, str]] = [
            (m.start(), m.end(), m.group()) for m in _WORD.finditer(text)
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


def _continues_name(msg: _Message, j: int) -> bool:
    """Whether word j, right after a name, is a further part of it (a surname)."""
    word = msg.words[j][2]
    if len(word) == 1:  # an initial ("Johanna K.") but not the pronoun ("Leena I think")
        end = msg.words[j][1]
        return word.isupper() and msg.text[end : end + 1] == "."
    if _HOUSE_NUMBER_NEXT.match(msg.text, msg.words[j][1]) and ends_like_street(word):
        return False  # "Leena Virtanen Hämeentie 5": a street, not a second surname
    if is_known_surname(word):
        return True
    if _is_arabic(word):
        return word not in _ARABIC_STOP and not word.startswith("و")
    if not msg.cap(j):
        return msg.lower_mode and name_level(word) >= NameLevel.SURNAME
    if is_not_name(word) or _PLACE_CASE.search(word):
        return name_level(word) >= NameLevel.SURNAME
    return True


def _extend(msg: _Message, i: int, limit: int = 2) -> int:
    """The last word index of the name that starts at word i."""
    last = i
    while limit and msg.adjacent(last, last + 1) and _continues_name(msg, last + 1):
        last += 1
        limit -= 1
    return last


def _accept_after_cue(msg: _Message, kind: str, i: int) -> bool:
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
        # "my doctor said", "poikani on": a lower-case word must be a plainly listed name.
        return name_level(word) >= NameLevel.SURNAME
    return name_level(word) >= NameLevel.CUE_ONLY or _PLACE_CASE.search(word) is None


def _cue_at(msg: _Message, i: int, low: str) -> tuple[str, int] | None:
    """The kind of cue that starts at word i (`low` casefolded) and its last word, if any."""
    words, text = msg.words, msg.text
    for rest, kind, need in _CUE_TABLE.get(low, ()):
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
    if low.endswith(_POSSESSIVE) and _FI_RELATIVE.fullmatch(low):
        return "relative", i
    return None


def _by_cues(msg: _Message) -> None:
    text = msg.text
    words = msg.words
    for c, (start, _, word) in enumerate(words):
        low = word.casefold()
        if (low not in _CUE_TABLE and not low.endswith(_POSSESSIVE)) or c in msg.marked:
            continue
        if start and text[start - 1].isdigit():
            continue  # the letters of "308T." or "12B" are no cue ("t." is a sign-off)
        cue = _cue_at(msg, c, low)
        if cue is None:
            continue
        kind, last = cue
        gap = (_GAP_SIGNOFF if kind == "signoff" else _GAP_INLINE).match(text, words[last][1])
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


def _signature(msg: _Message) -> None:
    """A closing name: the last one to three words after the last line or sentence break."""
    text = msg.text.rstrip().rstrip(".!")
    tail = _TAIL_REVERSED.match(text[::-1])
    tail_start = len(text) - (tail.end() if tail else 0)
    if tail_start == 0:
        return  # one sentence with no break: a name in it needs a cue, not a position
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


@cache
def _model() -> NameModel:
    """The shipped model, read on the first message with a capital, not at import."""
    return load_model()


def preload_names() -> None:
    """Read the lexicons and the model now instead of on the first message that needs them."""
    evidence("Preload")  # the first look-up reads every list
    _model()


# Lower-case words that belong inside a name between two of its parts ("Ludwig van Beethoven",
# "Ahmed bin Salem", "Maija S. Peltola").
# How far below the threshold a listed name may score and still count (see below).
_DOUBT = 12.0
# How sure the model must be to keep a name that opens a sentence and is also a dictionary
# word: "Maija oli kipeä" (the model is sure). Names listed as everyday words too ("Onni oli
# matkassa", "Laine on korkea") need a name beside them whatever the model says.
_CONFIDENT_OPENING = 20.0
# How well listed a word must be to complete a name next to it (lexicon buckets run 0-5).
_PAIR_LEVEL = 3
_PARTICLES = frozenset("van von de der den da di du la le al el bin ibn ben bint abu af av".split())


def _joins_names(token: Token, text: str) -> bool:
    """A particle or an initial that may stand between two parts of one name."""
    word = token.text
    if word.casefold() in _PARTICLES or word == ".":
        return True
    return len(word) == 1 and word.isupper() and text[token.end : token.end + 1] == "."


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
            elif not _joins_names(tokens[j], text):
                break
            j += 1
        spans.append((tokens[i].start, tokens[last].end))
        i = last + 1
    return spans


# A word form this common in Finnish, Swedish or English text ("Asumistuen", "Kysyisin") and
# listed as no name is an ordinary word when it opens a sentence.
_FREQUENT = 3


def _frequent_word(ev: Evidence) -> bool:
    return not ev.any_name and (ev.common_inflected or max(ev.frequency) >= _FREQUENT)


def _plain_word(ev: Evidence) -> bool:
    """A dictionary, frequent or place word, or one listed as no name: at a sentence start
    its capital says nothing."""
    return ev.common_word or ev.also_word or ev.not_name or ev.place or _frequent_word(ev)


def _plain_word_opening(tokens: list[Token], i: int, is_name: list[bool]) -> bool:
    """A dictionary word that opens a sentence with no name beside it: "Mäki oli jyrkkä",
    "Onni oli matkassa". A capital there says nothing, so such a word is left readable;
    "Räisänen sanoo" (no dictionary word) and "Onni Laaksonen tuli" still count."""
    token = tokens[i]
    if not token.sentence_start:
        return False
    if not _plain_word(evidence(token.text)):
        return False
    return not (i + 1 < len(tokens) and is_name[i + 1])


def _listed_name_the_model_doubts(token: Token, score: float) -> bool:
    """A listed name the corpora taught the model too little about: capitalised in
    mid-sentence ("Soitin eilen Mattille", "Puhuin Tuulin kanssa"), where Finnish and Swedish
    capitalise no common noun, or a common first name inflected at a sentence start
    ("Ainon kanssa puhuttiin"). Not when the model is sure it is no name, nor for a word that
    is common in Swedish or English ("Jag är Svensk")."""
    if not token.capitalised or token.text.isupper() or score < _model().threshold - _DOUBT:
        return False
    ev = evidence(token.text)
    if ev.place or ev.not_name or max(ev.frequency[1], ev.frequency[2]) >= 4:
        return False
    if token.sentence_start:
        # "Ainon kanssa", and a surname that is no word: "Granlund asuu jo Helsingissä".
        if not ev.first and not ev.common_word and ev.first_inflected >= 4:
            return True
        return ev.surname >= 3 and not (ev.common_word or ev.also_word or ev.common_inflected)
    return max(ev.first, ev.first_inflected, ev.surname, ev.surname_inflected) >= 3


# Lower-case words that end like a title or a role put a person's name after them
# ("tallipäällikkö Yamashina", "kansanedustaja Räty", "kuvanveistäjä Pygmalion").
_TITLE_HEAD = re.compile(
    r"(?:johtaja|päällikkö|professori|ministeri|edustaja|presidentti|puhemies|kuningas"
    r"|kuningatar|prinssi|prinsessa|keisari|toimittaja|valmentaja|pelaaja|laulaja|näyttelijä"
    r"|kirjailija|taiteilija|tutkija|lääkäri|opettaja|asiantuntija|työntekijä|ohjaaja"
    r"|kapteeni|kuvanveistäjä|piispa|pappi|rehtori|tuomari|asianajaja|poliisi|komisario"
    r"|kirjoittaja|säveltäjä|muusikko|kitaristi|rumpali|kuljettaja|yrittäjä|neuvos|sihteeri"
    r"|isäntä|emäntä|vastaava|vetäjä|hoitaja|kätilö|terapeutti|psykologi|ohjaaja|neuvoja"
    r"|direktör|chef|professor|minister|ordförande|författare|läkare|lärare|kung|drottning"
    r"|president|director|manager|officer|professor|minister|senator|governor|mayor|judge"
    r"|coach|captain|nurse|doctor|lawyer|singer|actor|author|writer)$"
)
# Verbs of saying: a capitalised word right before or after one is the one who spoke
# ("Granlund kertoi", "ihmetteli Saarikangas.").
_SAYS = frozenset(
    """sanoi sanoo kertoi kertoo totesi toteaa muistutti muistuttaa arvioi arvioivat huomautti
    huomauttaa painotti painottaa korosti korostaa kommentoi vastasi vastaa kysyi kysyy
    ihmetteli ihmettelee myönsi myöntää uskoo uskoi toivoo toivoi kiitti kiittää vakuutti
    vakuuttaa selitti selittää sade sa säger berättar berättade said says told asked
    added""".split()
)


def _context_says_person(text: str, tokens: list[Token], i: int, score: float) -> bool:
    """A title or role word before a capitalised word, or a verb of saying beside it, unless
    the model is sure it is no name and no lexicon lists it as one."""
    token = tokens[i]
    if not token.capitalised or token.text.isupper():
        return False
    ev = evidence(token.text)
    if ev.place or ev.not_name or token.text.casefold() in _CUE_WORDS:
        return False
    listed = max(ev.first, ev.surname, ev.first_inflected, ev.surname_inflected)
    doubted = score < _model().threshold - _DOUBT and listed < _PAIR_LEVEL
    if i > 0 and not doubted and tokens[i - 1].is_word and _adjacent(text, tokens[i - 1], token):
        before = tokens[i - 1].text.casefold()
        if _TITLE_HEAD.search(before):
            return True
        if before in _SAYS and (i + 1 == len(tokens) or not tokens[i + 1].is_word):
            return True
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if following is None or following.text.casefold() not in _SAYS:
        return False
    if not _adjacent(text, token, following):
        return False
    # A well-listed surname speaks even if it is a word too ("Nurminen kertoi"); an unlisted
    # word that is no dictionary word does too ("Yamashina kertoi").
    if doubted:
        return not _plain_or_known(ev)
    return max(ev.surname, ev.surname_inflected) >= 4 or not (
        ev.common_word or ev.common_inflected or _frequent_word(ev)
    )


def _capital_follows(tokens: list[Token], i: int) -> bool:
    return i + 1 < len(tokens) and tokens[i + 1].is_word and tokens[i + 1].capitalised


def _adjacent(text: str, left: Token, right: Token) -> bool:
    return text[left.end : right.start] == " "


def _introduces_a_name(token: Token) -> bool:
    """A cue word or a single letter: "I'm", "Benim", "Hej", "I" stand beside names."""
    return len(token.text) == 1 or token.text.casefold() in _CUE_WORDS


def _plain_or_known(ev: Evidence) -> bool:
    """A dictionary word, a word seen in Finnish or English text, or a listed name: an
    unlisted word that is none of these beside a name is that name's other half."""
    return (
        ev.common_word
        or ev.common_inflected
        or ev.any_name
        or bool(ev.frequency[0] or ev.frequency[2])
    )


def _listed_pairs(text: str, tokens: list[Token], is_name: list[bool]) -> None:
    """A capitalised listed first name and a listed surname side by side are a name though
    the model took neither ("Max Kautto", "Helen Peura"), unless both are everyday words or
    the second is listed as no name ("Päivikki Suomi" stays a country)."""
    for i in range(len(tokens) - 1):
        left, right = tokens[i], tokens[i + 1]
        if is_name[i] or is_name[i + 1] or not (left.capitalised and right.capitalised):
            continue
        if not (left.is_word and right.is_word and _adjacent(text, left, right)):
            continue
        if left.text.isupper() or _introduces_a_name(left) or _introduces_a_name(right):
            continue
        first, last = evidence(left.text), evidence(right.text)
        if first.first < _PAIR_LEVEL or last.surname < _PAIR_LEVEL or last.not_name:
            continue
        if first.common_word and last.common_word:
            continue
        is_name[i] = is_name[i + 1] = True


def _complete_pairs(text: str, tokens: list[Token], is_name: list[bool], lower: bool) -> None:
    """A listed first name right before a found name, or a listed surname right after one,
    is part of that name: "Meri Rekola", "Per Lindgren", "Taito Aalto". Alone, "Meri" and
    "Aalto" are words; next to a name they are its other half. A listed first name and a
    listed surname side by side are a name even when one is also a place ("Aura Huhtala",
    "Salla Kolari"). An unlisted word on either side is the other half too ("Tadashi
    Yamashina", "Anjali Rao"), unless it opens a sentence on the left ("Menkäähän Peltonen").
    In a message written without capitals, only the listed pair counts ("irmeli pietiläinen")."""
    if not lower:
        _listed_pairs(text, tokens, is_name)
    changed = True
    while changed:
        changed = _complete_coordination(text, tokens, is_name, lower)
        for i in range(len(tokens) - 1):
            left, right = tokens[i], tokens[i + 1]
            if is_name[i] == is_name[i + 1] or not _adjacent(text, left, right):
                continue
            if not (left.is_word and right.is_word):
                continue
            if left.text.isupper() or _introduces_a_name(left) or _introduces_a_name(right):
                continue
            capitalised = left.capitalised and right.capitalised
            if not (capitalised or lower):
                continue
            first, last = evidence(left.text), evidence(right.text)
            listed_pair = (
                first.first >= _PAIR_LEVEL
                and max(last.surname, last.surname_inflected) >= _PAIR_LEVEL
            )
            other = i if is_name[i + 1] else i + 1
            ev = first if other == i else last
            if listed_pair:
                fits = True
            elif not capitalised:
                fits = False  # without capitals only two listed halves make a name
            elif ev.place or ev.not_name:
                fits = False
            elif other == i:
                fits = not (_plain_or_known(ev) or left.sentence_start)
            else:
                # The model's own score is no guide here: it read this word as following a
                # non-name, since it decided the left one before a rule overturned that.
                fits = not _plain_or_known(ev)
            if fits:
                is_name[other] = True
                changed = True


_AND = frozenset("ja sekä tai och eller and or и или і та й або و".split())


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
        if not (_adjacent(text, left, conj) and _adjacent(text, conj, right)):
            continue
        index = i if not is_name[i] else i + 2
        other = tokens[index]
        ev = evidence(other.text)
        if ev.place or ev.not_name or not other.is_word:
            continue
        if (other.capitalised and ev.first >= _PAIR_LEVEL) or (
            lower and max(ev.first, ev.first_inflected) > _PAIR_LEVEL
        ):
            is_name[index] = True
            changed = True
    return changed


def _needs_model(msg: _Message, i: int) -> bool:
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
    ev = evidence(word)
    # A listed name opening a sentence may yet be kept when the model is sure of it.
    return not (
        word.casefold() in _CUE_WORDS or (_plain_word(ev) and (ev.also_word or not ev.any_name))
    )


def _by_model(msg: _Message) -> None:
    """Words the trained model scores as names, unless a cue or an address took them first."""
    text = msg.text
    if not msg.lower_mode and not any(_needs_model(msg, i) for i in range(len(msg.words))):
        return
    tokens = tokenise(text)
    no_names = [False] * len(tokens)

    def vetoed(i: int) -> bool:  # not a name whatever the model says (see the checks below)
        token = tokens[i]
        if token.text.casefold() in _CUE_WORDS:
            return True
        # A listed name, or a word before another capital, may yet be kept (see below).
        ev = evidence(token.text)
        return (
            _plain_word_opening(tokens, i, no_names)
            and (ev.also_word or not ev.any_name)
            and not _capital_follows(tokens, i)
        )

    model = _model()
    scores = model.scores(tokens, msg.lower_mode, evidence, vetoed)
    threshold = model.threshold
    is_name = []
    for i, (token, score) in enumerate(zip(tokens, scores, strict=True)):
        found = score is not None and score > threshold
        if found and _introduces_a_name(token):
            found = False
        if found and token.start and text[token.start - 1].isdigit():
            found = False  # letters glued to digits ("308T", "12B") are codes, not names
        if found and _HOUSE_NUMBER_NEXT.match(text, token.end) and ends_like_street(token.text):
            found = False  # "Inkoonkatu 3": the address detector takes the street
        if not found and score is not None:
            found = _listed_name_the_model_doubts(token, score) or _context_says_person(
                text, tokens, i, score
            )
        is_name.append(found)
    for i, score in enumerate(scores):
        if is_name[i] and _plain_word_opening(tokens, i, is_name):
            is_name[i] = (
                score is not None
                and score > _CONFIDENT_OPENING
                and not evidence(tokens[i].text).also_word
            )
    _complete_pairs(text, tokens, is_name, msg.lower_mode)
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
    for word in _WORD.findall(text):
        if lower_mode:
            if name_level(word) or word in _CUE_TABLE or evidence(word).any_name:
                return True
        elif word[0].isupper() or word in _CUE_TABLE or word.endswith(_POSSESSIVE):
            return True
    return False


def find_names(text: str) -> list[tuple[int, int]]:
    """Return [start, end) spans of person names in `text`."""
    if not _may_hold_a_name(text, text == text.lower()):
        return []
    msg = _Message(text)
    _by_cues(msg)
    _by_model(msg)
    _signature(msg)
    return sorted(msg.spans)
