"""Whether a word is a form of an ordinary Finnish word, from a Bloom filter of 3.4 million forms.

The Kotus list holds headwords only and de-inflection there undoes case endings of nouns; verb
forms, comparatives and the like ("Jumituin", "Kauneimman", "Seuraavalla") were unknown words to
the name model, so an unknown word opening a sentence looked like one of those rather than like
a name ("Hypatia saisi ..."). A set of the forms would cost some 300 MB in memory; the filter
costs 3.8 MB and answers wrongly "a word form" for about 1.5 % of other strings (never the other
way round). Never stores or logs the words it is asked about.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib.resources import files

FILE = ("data", "lexicons", "wordforms", "forms-fi.bloom")
MAGIC = b"SSBLOOM1"
_HEADER = struct.Struct(">8sQB")  # magic, number of bits, number of hash functions
_PERSON = b"somesossu-wf"


def _positions(form: str, bits: int, hashes: int) -> Iterable[int]:
    digest = hashlib.blake2b(form.encode("utf-8"), digest_size=16, person=_PERSON).digest()
    first, step = struct.unpack(">QQ", digest)
    step |= 1  # odd, so the probes never repeat one position
    return ((first + k * step) % bits for k in range(hashes))


class BloomFilter:
    """A set of strings that may answer "yes" for a string it was not given, never "no" for one
    it was."""

    __slots__ = ("_array", "_bits", "_hashes")

    def __init__(self, array: bytes | bytearray, bits: int, hashes: int) -> None:
        self._array = array
        self._bits = bits
        self._hashes = hashes

    def __repr__(self) -> str:
        return f"BloomFilter(bits={self._bits}, hashes={self._hashes})"

    def __contains__(self, form: str) -> bool:
        array = self._array
        return all(array[p >> 3] >> (p & 7) & 1 for p in _positions(form, self._bits, self._hashes))

    @classmethod
    def build(
        cls, forms: Iterable[str], count: int, bits_per_form: float, hashes: int
    ) -> BloomFilter:
        bits = max(64, int(count * bits_per_form))
        array = bytearray((bits + 7) // 8)
        for form in forms:
            for p in _positions(form, bits, hashes):
                array[p >> 3] |= 1 << (p & 7)
        return cls(array, bits, hashes)

    def to_bytes(self) -> bytes:
        return _HEADER.pack(MAGIC, self._bits, self._hashes) + bytes(self._array)

    @classmethod
    def from_bytes(cls, raw: bytes) -> BloomFilter:
        magic, bits, hashes = _HEADER.unpack_from(raw)
        array = raw[_HEADER.size :]
        if magic != MAGIC or len(array) != (bits + 7) // 8 or not hashes:
            raise ValueError("not a word-form filter of this format")
        return cls(array, bits, hashes)


@cache
def _finnish_forms() -> BloomFilter | None:
    entry = files("privacy.redaction").joinpath(*FILE)
    if not entry.is_file():
        return None
    return BloomFilter.from_bytes(entry.read_bytes())


# The inflection tables list case and verb forms but not what Finnish adds after them: clitics
# ("olikohan", "sekin") and possessive suffixes ("artikkelissaan", "joutuneensa", "kotini").
_CLITICS = ("kaan", "kään", "kin", "han", "hän", "ko", "kö", "pa", "pä")
_POSSESSIVES = ("nsa", "nsä", "mme", "nne", "ni", "si")
_LONG_VOWEL_POSSESSIVE = ("aan", "ään", "een", "iin", "oon", "uun", "yyn", "öön")
_SHORTEST_STEM = 3


def _without_clitics(low: str) -> list[str]:
    out = [low]
    for _ in range(2):  # "oli|ko|han"
        word = out[-1]
        for clitic in _CLITICS:
            if word.endswith(clitic) and len(word) - len(clitic) >= _SHORTEST_STEM:
                out.append(word[: -len(clitic)])
                break
        else:
            break
    return out


def _without_possessive(low: str) -> list[str]:
    out = []
    for ending in _POSSESSIVES:
        if low.endswith(ending) and len(low) - len(ending) >= _SHORTEST_STEM:
            stem = low[: -len(ending)]
            out.append(stem)
            if ending in ("nsa", "nsä"):
                out.append(stem[:-1] + "n" if stem.endswith(("e", "i")) else stem)
    if low.endswith(_LONG_VOWEL_POSSESSIVE) and len(low) - 2 >= _SHORTEST_STEM:
        out.append(low[:-2])  # "artikkelissa|an", "huomaamatta|an"
    return out


@lru_cache(maxsize=65536)
def is_finnish_word_form(low: str) -> bool:
    """Whether the lower-case `low` is (very probably) a form of an ordinary Finnish word,
    possibly with clitics and a possessive suffix after it."""
    forms = _finnish_forms()
    if forms is None:
        return False
    for word in _without_clitics(low):
        if word in forms or any(stem in forms for stem in _without_possessive(word)):
            return True
    return False
