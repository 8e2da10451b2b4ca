"""Splits a message into words, numbers and punctuation with their offsets, for the name model.

Never keeps or reports the text beyond the tokens handed back to the caller.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# A word may carry inner hyphens, apostrophes and a colon before a case ending ("Leena-Maija",
# "O'Brien", "EU:n", "Obama'n"); a number may carry a hyphenated word ("1990-luvulla").
_TOKEN = re.compile(r"\w+(?:[-'’:]\w+)*|[^\w\s]")
# What ends a sentence for the purpose of "this word starts one": a capital after these says
# nothing about a name.
SENTENCE_ENDS = frozenset('.!?:;"“”«»(•*…–—-')
# A dot after these ends no sentence: an initial ("Maija S. Peltola") or a title ("Dr. Ali").
_NO_END_BEFORE_DOT = frozenset("mr mrs ms dr prof tri hra rva nti st jr sr".split())


class Token(NamedTuple):
    """One token: its text, offsets, whether it starts a sentence, and what kind it is.

    A named tuple rather than a dataclass: a message makes a dozen, 10,000 times a second.
    """

    text: str
    start: int
    end: int
    sentence_start: bool

    @property
    def is_word(self) -> bool:
        """A word that starts with a letter ("Matti", "EU:n"), not a number or a sign."""
        return self.text[0].isalpha()

    @property
    def capitalised(self) -> bool:
        return self.text[0].isupper()

    def __repr__(self) -> str:  # offsets only: a token's text is message text
        return f"Token(start={self.start}, end={self.end})"


def tokenise(text: str) -> list[Token]:
    """The tokens of `text`; a token starts a sentence after a line break or a sentence end."""
    tokens: list[Token] = []
    starts_sentence = True
    last_end = 0
    for m in _TOKEN.finditer(text):
        piece = m.group()
        start = m.start()
        if start > last_end and text.find("\n", last_end, start) >= 0:
            starts_sentence = True
        previous = tokens[-1] if tokens else None
        tokens.append(Token(piece, start, m.end(), starts_sentence))
        starts_sentence = piece in SENTENCE_ENDS and not (
            piece == "." and previous is not None and _abbreviates(previous, start)
        )
        last_end = m.end()
    return tokens


def _abbreviates(before: Token, dot_start: int) -> bool:
    """Whether a dot right after `before` marks an initial or a title, not a sentence end."""
    if before.end != dot_start:
        return False
    word = before.text
    return (len(word) == 1 and word.isupper()) or word.casefold() in _NO_END_BEFORE_DOT


def tokens_from_words(words: list[str]) -> list[Token]:
    """Tokens of an already tokenised sentence (training corpora), joined by single spaces.

    A corpus token that our tokeniser would split further ("Helsinki-Vantaa:lla" stays whole,
    "(Obama" would not) is split the same way, so training sees what inference sees.
    """
    return tokenise(" ".join(words))
