"""Spots messages that suggest suicide, self-harm, violence, trafficking or acute danger.

A safety net that raises priority: never decides anything about the resident, never logs the text.
"""

from __future__ import annotations

import functools
import importlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "texts" / "crisis"

# Arabic is written with or without short vowels, tatweel and hamza seats; folding both the
# message and the phrase lists to bare letters makes the spelling variant not matter.
_ARABIC_FOLDS = str.maketrans(
    {
        **{chr(code): None for code in range(0x064B, 0x0660)},  # harakat, shadda, sukun
        "\u0670": None,  # superscript alef
        "\u0640": None,  # tatweel
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
    }
)
# Ukrainian "б'ють" arrives with any of these in place of the apostrophe.
_APOSTROPHES = re.compile("[’‘ʼʹ`´′]")
_ARABIC = re.compile("[\u0600-\u06ff]")
# Residents type without the dots or with a Russian keyboard, so a letter in a phrase list also
# matches its plain twin. Finnish keeps ä/ö in the text (no stripping): only the lists widen.
_PLAIN_TWINS = {"ä": "a", "ö": "o", "å": "a", "ё": "е", "ґ": "г", "ї": "і"}
_NOT_WORDLIKE = re.compile(r"[^\w\s']+")
# A leading "and"/"so" is written joined to the next Arabic word.
_ARABIC_PROCLITIC = "[وف]?"


def normalise_for_crisis(text: str) -> str:
    """Casefold and simplify a message the same way the phrase lists are written."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _APOSTROPHES.sub("'", folded)
    if _ARABIC.search(folded):  # str.translate costs ~0.1 us a character: only when needed
        folded = folded.translate(_ARABIC_FOLDS)
    # Punctuation and emoji become spaces so that "self-harm", "tapan itseni!!" and
    # "want to die..." all look like plain words; the apostrophe belongs to words.
    return " ".join(_NOT_WORDLIKE.sub(" ", folded).split())


def _widen(pattern: str) -> str:
    """Let ä match a, ё match е and the apostrophe be left out, inside and outside [...]."""
    out: list[str] = []
    in_class = False
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
            out.append(ch)
            continue
        if in_class:
            if ch == "]":
                in_class = False
            out.append(ch + _PLAIN_TWINS.get(ch, ""))
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
        elif ch in _PLAIN_TWINS:
            out.append(f"[{ch}{_PLAIN_TWINS[ch]}]")
        elif ch == "'":
            out.append("'?")
        else:
            out.append(ch)
    return "".join(out)


def _phrase_lines(path: Path) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line and not line.startswith("#"):
            yield number, line


def load_patterns(directory: Path) -> list[str]:
    """Read every <lang>.txt into regex alternatives, failing loudly on a broken line."""
    alternatives: list[str] = []
    for path in sorted(directory.glob("*.txt")):
        prefix = _ARABIC_PROCLITIC if path.stem == "ar" else ""
        for number, line in _phrase_lines(path):
            pattern = prefix + _widen(unicodedata.normalize("NFKC", line).translate(_ARABIC_FOLDS))
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"{path.name}:{number}: bad pattern: {error}") from error
            alternatives.append(f"(?:{pattern})")
    if not alternatives:
        raise ValueError(f"no crisis phrases found in {directory}")
    return alternatives


def _first_characters(pattern: str) -> frozenset[str] | None:
    """Characters a match of pattern can start with, or None when that cannot be told.

    Uses the stdlib's regex parser (a private module): if it changes, every line simply goes
    to the slow path, so correctness never depends on it.
    """
    try:
        parser = importlib.import_module("re._parser")
        parsed: object = parser.parse(pattern)
        found, can_be_empty = _first_of(list(cast("Iterable[_Item]", parsed)))
    except Exception:  # any surprise from a private module: fall back, never fail
        return None
    return None if found is None or can_be_empty else frozenset(found)


_Item = tuple[object, Any]


def _first_of(items: list[_Item]) -> tuple[set[str] | None, bool]:
    """(possible first characters, whether the sequence can match the empty string)."""
    constants = importlib.import_module("re._constants")
    found: set[str] = set()
    for op, argument in items:
        if op is constants.LITERAL:
            found.add(chr(argument))
            return found, False
        if op is constants.IN:
            for member_op, member in argument:
                if member_op is constants.LITERAL:
                    found.add(chr(member))
                elif member_op is constants.RANGE and member[1] - member[0] < 256:
                    found.update(chr(code) for code in range(member[0], member[1] + 1))
                else:
                    return None, False
            return found, False
        if op in (constants.ASSERT, constants.ASSERT_NOT, constants.AT):
            continue  # zero-width: look at what follows
        if op is constants.SUBPATTERN:
            branches, minimum = [list(argument[-1])], 1
        elif op is constants.BRANCH:
            branches, minimum = [list(branch) for branch in argument[1]], 1
        elif op in (constants.MAX_REPEAT, constants.MIN_REPEAT):
            branches, minimum = [list(argument[2])], argument[0]
        else:
            return None, False
        optional = minimum == 0
        for branch in branches:
            branch_found, branch_empty = _first_of(branch)
            if branch_found is None:
                return None, False
            found |= branch_found
            optional = optional or branch_empty
        if not optional:
            return found, False
    return found, True


def _dispatching_regex(alternatives: list[str]) -> str:
    """One alternation, arranged as a tree over first characters.

    A flat alternation of ~200 lines tries every line at every word start (~50 us for a short
    message); behind a binary tree of one-character lookaheads a word start tries a handful of
    character sets and then only the lines that can start with its letter (~20 us, measured in
    docs/crisis-phrases.md). Lines whose first character cannot be told are tried everywhere.
    """
    by_first: dict[str, list[str]] = {}
    anywhere: list[str] = []
    for alternative in alternatives:
        first = _first_characters(alternative)
        if first is None:
            anywhere.append(alternative)
            continue
        for character in first:
            by_first.setdefault(character, []).append(alternative)
    branches = [_lookahead_tree(sorted(by_first.items()))] if by_first else []
    return r"(?<!\w)(?:" + "|".join(branches + anywhere) + r")(?!\w)"


def _lookahead_tree(groups: list[tuple[str, list[str]]]) -> str:
    if len(groups) == 1:
        character, lines = groups[0]
        return f"(?={re.escape(character)})(?:{'|'.join(lines)})"
    middle = len(groups) // 2
    halves = (groups[:middle], groups[middle:])
    return "|".join(
        f"(?=[{''.join(re.escape(character) for character, _ in half)}])(?:{_lookahead_tree(half)})"
        for half in halves
    )


class CrisisDetector:
    """All phrase lists compiled once into one regex; matching is a single search."""

    def __init__(self, directory: Path | None = None) -> None:
        alternatives = load_patterns(directory or DEFAULT_DIRECTORY)
        # Whole words only: "tappava" must not match a "tap..." line through a word's middle.
        self._pattern = re.compile(_dispatching_regex(alternatives))

    def matches(self, text: str) -> bool:
        return self._pattern.search(normalise_for_crisis(text)) is not None


@functools.cache
def _default_detector() -> CrisisDetector:
    return CrisisDetector()


def is_crisis(text: str) -> bool:
    """True when a message in any supported language contains a crisis phrase."""
    return _default_detector().matches(text)
