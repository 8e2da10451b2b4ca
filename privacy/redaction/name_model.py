"""The trained person-name model: a linear scorer over word features, decoded left to right.

Never logs or keeps the words it scores; the weights ship as `data/name_model.json.gz`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from importlib.resources import files
from typing import Any

from privacy.errors import PrivacyError
from privacy.redaction.name_features import EvidenceOf, features, is_candidate
from privacy.redaction.tokens import Token

MODEL_FILE = "name_model.json.gz"
FORMAT = 1
# The files whose contents decide which features a word gets: a model trained before any of
# them changed would be read with other features than it learnt, so it must be retrained.
_FEATURE_SOURCES = ("tokens.py", "name_features.py", "lexicon.py")


class ModelMismatch(PrivacyError):
    """The shipped name model was trained with other feature code or lexicons than these."""


def feature_fingerprint() -> str:
    """A digest of the feature code and every lexicon file it reads (by path inside the
    package, so a checkout in another folder gets the same digest; licence texts excluded)."""
    package = files("privacy.redaction")
    digest = hashlib.sha256()
    for name in _FEATURE_SOURCES:
        digest.update(name.encode())
        digest.update(package.joinpath(name).read_bytes())
    for relative, entry in sorted(_lexicon_files(package.joinpath("data"), "")):
        digest.update(relative.encode())
        digest.update(entry.read_bytes())
    return digest.hexdigest()


def _is_lexicon(relative: str) -> bool:
    name = relative.rsplit("/", 1)[-1]
    if relative.count("/") == 0:  # the hand-made lists beside the model
        return name.endswith(".txt")
    return relative.startswith("lexicons/") and (
        name.endswith((".tsv", ".tsv.gz")) or name.startswith(("words", "places"))
    )


def _lexicon_files(folder: Any, prefix: str) -> list[tuple[str, Any]]:
    """(path inside data/, entry) of every list the lexicons read, recursively."""
    found = []
    for entry in folder.iterdir():
        relative = prefix + entry.name
        if entry.is_dir():
            found.extend(_lexicon_files(entry, relative + "/"))
        elif _is_lexicon(relative):
            found.append((relative, entry))
    return found


class NameModel:
    """Scores candidate words; a word scoring above `threshold` is (part of) a person name."""

    __slots__ = ("_weights", "threshold")

    def __init__(self, weights: Mapping[str, float], threshold: float) -> None:
        self._weights = dict(weights)
        self.threshold = threshold

    def __repr__(self) -> str:
        return f"NameModel(features={len(self._weights)}, threshold={self.threshold})"

    def score(self, feature_list: Sequence[str]) -> float:
        get = self._weights.get
        total = 0.0
        for feature in feature_list:
            total += get(feature, 0.0)
        return total

    def scores(
        self,
        tokens: Sequence[Token],
        lower: bool,
        evidence_of: EvidenceOf,
        decided: Callable[[int], bool] | None = None,
    ) -> list[float | None]:
        """Each token's score, or None for a token that is not a candidate; left to right,
        each decision feeding the next word's features (names run over several words).

        `decided(i)` may say that the caller's verdict on candidate i is fixed whatever its
        score; it is then skipped (None) when the next token is no candidate, so no later
        decision could depend on it.
        """
        out: list[float | None] = []
        previous = False
        count = len(tokens)
        for i in range(count):
            if not is_candidate(tokens, i, lower, evidence_of) or (
                decided is not None
                and decided(i)
                and not (i + 1 < count and is_candidate(tokens, i + 1, lower, evidence_of))
            ):
                out.append(None)
                previous = False
                continue
            value = self.score(features(tokens, i, lower, previous, evidence_of))
            out.append(value)
            previous = value > self.threshold
        return out

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> NameModel:
        if document.get("format") != FORMAT:
            raise ModelMismatch("name model file has an unknown format")
        return cls(document["weights"], float(document["threshold"]))


def read_model_document() -> dict[str, Any]:
    raw = files("privacy.redaction").joinpath("data", MODEL_FILE).read_bytes()
    document: dict[str, Any] = json.loads(gzip.decompress(raw))
    return document


def load_model(check_fingerprint: bool = False) -> NameModel:
    """The shipped model. With `check_fingerprint`, refuse one trained on other features."""
    document = read_model_document()
    if check_fingerprint and document.get("fingerprint") != feature_fingerprint():
        raise ModelMismatch(
            "the name model was trained with other feature code or lexicons: "
            "run `python -m privacy.redaction.train`"
        )
    return NameModel.from_json(document)
