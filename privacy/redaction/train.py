"""Trains the name model on the Finnish and Swedish NER corpora and writes it as package data.

Deterministic for a given seed, corpora and code; never prints corpus text, only counts and rates.

usage: python -m privacy.redaction.train [--corpora DIR] [--out FILE] [--epochs N] [--seed S]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from privacy.redaction.lexicon import evidence
from privacy.redaction.name_features import features, is_candidate
from privacy.redaction.name_model import FORMAT, MODEL_FILE, NameModel, feature_fingerprint
from privacy.redaction.tokens import Token, tokenise

# The corpora (see ../shared/data/ner/README.md): the Turku NER corpus (CC BY-SA 4.0) and
# Swedish news NER (CC BY 4.0). The model trained on them is shared under CC BY-SA 4.0.
TRAIN_FILES = ("fi-turku-train.tsv", "sv-webbnyheter-train.txt")
DEV_FILE = "fi-turku-dev.tsv"
DEFAULT_CORPORA = Path("../shared/data/ner")
DEFAULT_OUT = Path(__file__).parent / "data" / MODEL_FILE
# Residents often write without capitals: a lower-cased copy of this share of the sentences
# teaches the model to find names from the lexicons and the context alone.
LOWER_SHARE = 0.25
# Weights this small change no decision worth keeping and only grow the file.
PRUNE_BELOW = 0.02
MIN_COUNT = 2
# Sentences whose scores are stored in the model file: a test recomputes them, so a model
# that does not match the code reading it fails loudly instead of quietly scoring worse.
CHECK_SENTENCES = (
    "Myöhemmin Kaarina Lindqvist kertoi asiasta Virtaselle.",
    "olen matti ja asun helsingissä",
    "Igår träffade jag Anders Holm på stationen.",
)


@dataclass(frozen=True, slots=True)
class Sentence:
    tokens: list[Token]
    is_name: list[bool]
    lower: bool


def read_corpus(path: Path) -> Iterator[list[tuple[str, bool]]]:
    """Sentences of a token-per-line corpus as (word, is part of a person name) pairs.

    Handles IOB2 tags (Turku: "B-PER") and plain tags (Swedish: "PER", "0" for none), tab or
    space separated; "-DOCSTART-" lines and blank lines end a sentence.
    """
    sentence: list[tuple[str, bool]] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("-DOCSTART-"):
                if sentence:
                    yield sentence
                sentence = []
                continue
            word, _, tag = line.rpartition("\t") if "\t" in line else line.rpartition(" ")
            sentence.append((word.strip(), tag.strip().endswith("PER")))
    if sentence:
        yield sentence


def align(words: Sequence[tuple[str, bool]], lower: bool = False) -> Sentence:
    """Our tokens of a corpus sentence, each labelled by the corpus word it falls in."""
    text = " ".join(word for word, _ in words)
    if lower:
        text = text.lower()
    tokens = tokenise(text)
    labels: list[bool] = []
    ends: list[int] = []
    position = 0
    for word, _ in words:
        position += len(word)
        ends.append(position)
        position += 1
    k = 0
    for token in tokens:
        while ends[k] <= token.start:
            k += 1
        labels.append(words[k][1])
    return Sentence(tokens, labels, lower)


def training_sentences(corpora: Path, seed: int) -> list[Sentence]:
    rng = random.Random(seed)  # noqa: S311 - a reproducible shuffle, not a secret
    out: list[Sentence] = []
    for name in TRAIN_FILES:
        for words in read_corpus(corpora / name):
            out.append(align(words))
            if rng.random() < LOWER_SHARE:
                out.append(align(words, lower=True))
    return out


class _Perceptron:
    """A binary averaged perceptron over string features (the lazy-update formulation).

    Only features seen in at least MIN_COUNT candidate words are learnt: a weight learnt from
    one or two examples (a rare letter triple, one surname) mostly memorises the corpus.
    """

    def __init__(self, known: frozenset[str]) -> None:
        self.known = known
        self.weights: dict[str, float] = {}
        self._totals: dict[str, float] = {}
        self._stamps: dict[str, int] = {}
        self._step = 0

    def score(self, feature_list: list[str]) -> float:
        get = self.weights.get
        return sum(get(f, 0.0) for f in feature_list)

    def learn(self, feature_list: list[str], target: float) -> None:
        self._step += 1
        for f in feature_list:
            if f not in self.known:
                continue
            weight = self.weights.get(f, 0.0)
            self._totals[f] = (
                self._totals.get(f, 0.0) + (self._step - self._stamps.get(f, 0)) * weight
            )
            self._stamps[f] = self._step
            self.weights[f] = weight + target

    def averaged(self) -> dict[str, float]:
        out = {}
        for f, weight in self.weights.items():
            total = self._totals.get(f, 0.0) + (self._step - self._stamps.get(f, 0)) * weight
            average = round(total / max(self._step, 1), 4)
            if abs(average) >= PRUNE_BELOW:
                out[f] = average
        return out


def _train_pass(model: _Perceptron, sentence: Sentence) -> None:
    previous = False
    for i in range(len(sentence.tokens)):
        if not is_candidate(sentence.tokens, i, sentence.lower, evidence):
            previous = False
            continue
        feature_list = features(sentence.tokens, i, sentence.lower, previous, evidence)
        value = model.score(feature_list)
        truth = sentence.is_name[i]
        if (value > 0) != truth:
            model.learn(feature_list, 1.0 if truth else -1.0)
        previous = value > 0


def known_features(sentences: list[Sentence]) -> frozenset[str]:
    """Features of the candidate words (with the true previous decision) seen often enough."""
    counts: dict[str, int] = {}
    for sentence in sentences:
        previous = False
        for i in range(len(sentence.tokens)):
            if is_candidate(sentence.tokens, i, sentence.lower, evidence):
                for f in features(sentence.tokens, i, sentence.lower, previous, evidence):
                    counts[f] = counts.get(f, 0) + 1
            previous = sentence.is_name[i]
    return frozenset(f for f, n in counts.items() if n >= MIN_COUNT)


def train(corpora: Path, epochs: int, seed: int) -> dict[str, float]:
    sentences = training_sentences(corpora, seed)
    rng = random.Random(seed)  # noqa: S311 - a reproducible shuffle, not a secret
    model = _Perceptron(known_features(sentences))
    for epoch in range(epochs):
        rng.shuffle(sentences)
        for sentence in sentences:
            _train_pass(model, sentence)
        print(f"epoch {epoch + 1}/{epochs}: {len(model.weights)} features", file=sys.stderr)
    return model.averaged()


@dataclass(frozen=True, slots=True)
class DevFigures:
    precision: float
    recall: float
    name_recall: float  # whole names with every word found

    def as_json(self) -> dict[str, float]:
        return {
            "token_precision": round(self.precision, 4),
            "token_recall": round(self.recall, 4),
            "name_recall": round(self.name_recall, 4),
        }


def evaluate(model: NameModel, sentences: list[Sentence]) -> DevFigures:
    hits = false_alarms = misses = names = names_found = 0
    for sentence in sentences:
        scores = model.scores(sentence.tokens, sentence.lower, evidence)
        found = [s is not None and s > model.threshold for s in scores]
        for guess, truth in zip(found, sentence.is_name, strict=True):
            hits += guess and truth
            false_alarms += guess and not truth
            misses += truth and not guess
        i = 0
        while i < len(found):
            if not sentence.is_name[i]:
                i += 1
                continue
            j = i
            while j < len(found) and sentence.is_name[j]:
                j += 1
            names += 1
            words = [k for k in range(i, j) if sentence.tokens[k].is_word]
            names_found += all(found[k] for k in words)
            i = j
    return DevFigures(
        hits / max(hits + false_alarms, 1),
        hits / max(hits + misses, 1),
        names_found / max(names, 1),
    )


def check_scores(model: NameModel) -> list[list[float | None]]:
    out = []
    for text in CHECK_SENTENCES:
        tokens = tokenise(text)
        scores = model.scores(tokens, text == text.lower(), evidence)
        out.append([None if s is None else round(s, 4) for s in scores])
    return out


def write_model(document: dict[str, object], out: Path) -> None:
    payload = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    out.write_bytes(gzip.compress(payload.encode("utf-8"), compresslevel=9, mtime=0))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m privacy.redaction.train", description=__doc__)
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA, help="NER corpus folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="model file to write")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument(
        "--threshold", type=float, default=0.0, help="score above which a word is a name"
    )
    args = parser.parse_args(argv)
    missing = [name for name in TRAIN_FILES if not (args.corpora / name).is_file()]
    if missing:
        print(f"corpus files missing under {args.corpora}: {', '.join(missing)}", file=sys.stderr)
        return 2
    weights = train(args.corpora, args.epochs, args.seed)
    model = NameModel(weights, args.threshold)
    document: dict[str, object] = {
        "format": FORMAT,
        "fingerprint": feature_fingerprint(),
        "threshold": args.threshold,
        "epochs": args.epochs,
        "seed": args.seed,
        "trained_on": list(TRAIN_FILES),
        "licence": "CC BY-SA 4.0 (trained on the Turku NER corpus, CC BY-SA 4.0, and "
        "Swedish news NER, Webbnyheter 2012 / Språkbanken, CC BY 4.0)",
        "checks": check_scores(model),
        "weights": weights,
    }
    dev_path = args.corpora / DEV_FILE
    if dev_path.is_file():
        dev = [align(words) for words in read_corpus(dev_path)]
        figures = evaluate(model, dev)
        lower = evaluate(model, [align(words, lower=True) for words in read_corpus(dev_path)])
        document["dev"] = {"cased": figures.as_json(), "lower_case": lower.as_json()}
        print(f"dev: {json.dumps(document['dev'])}", file=sys.stderr)
    write_model(document, args.out)
    print(f"wrote {args.out} ({len(weights)} weights)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
