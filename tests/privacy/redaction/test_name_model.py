"""The shipped name model, its training command and the features both share.

Never prints corpus text: the training tests use two sentences written here.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from privacy.redaction import train
from privacy.redaction.lexicon import evidence
from privacy.redaction.name_model import (
    ModelMismatch,
    NameModel,
    feature_fingerprint,
    load_model,
    read_model_document,
)
from privacy.redaction.tokens import tokenise

TINY_CORPUS = """\
-DOCSTART-\tO

Eilen\tO
Kaarina\tB-PER
Lindqvist\tI-PER
soitti\tO
Lahteen\tB-LOC
.\tO

Myös\tO
Elmeri\tB-PER
kertoi\tO
Nokian\tB-ORG
tuloksesta\tO
.\tO
"""
TINY_SWEDISH = "Anders\tPER\nHolm\tPER\nbor\t0\ni\t0\nLund\tLOC\n.\t0\n"


def test_shipped_model_was_trained_with_these_features_and_lexicons() -> None:
    document = read_model_document()
    assert document["fingerprint"] == feature_fingerprint(), (
        "privacy/redaction/data/name_model.json.gz is stale: the feature code or a lexicon "
        "changed since it was trained; run `python -m privacy.redaction.train`"
    )


def test_shipped_model_gives_the_scores_recorded_when_it_was_trained() -> None:
    # The fingerprint covers the files; this covers how they are read (e.g. a changed
    # library default or a lexicon loaded differently at run time).
    document = read_model_document()
    assert document["checks"] == train.check_scores(NameModel.from_json(document))


def test_loading_with_a_stale_fingerprint_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "privacy.redaction.name_model.feature_fingerprint", lambda: "another feature set"
    )
    with pytest.raises(ModelMismatch, match=r"python -m privacy\.redaction\.train"):
        load_model(check_fingerprint=True)


def test_unknown_model_format_is_refused() -> None:
    with pytest.raises(ModelMismatch):
        NameModel.from_json({"format": 99, "weights": {}, "threshold": 0})


def test_model_scores_only_candidate_words_and_finds_a_name_in_a_sentence() -> None:
    model = load_model()
    tokens = tokenise("Myöhemmin Kaarina Lindqvist kertoi asiasta.")
    scores = model.scores(tokens, False, evidence)
    by_word = {t.text: s for t, s in zip(tokens, scores, strict=True)}
    assert by_word["kertoi"] is None  # lower case in a cased message: never scored
    assert by_word["."] is None
    assert (by_word["Lindqvist"] or 0) > model.threshold


def _write_tiny_corpora(folder: Path) -> None:
    (folder / "fi-turku-train.tsv").write_text(TINY_CORPUS, encoding="utf-8")
    (folder / "sv-webbnyheter-train.txt").write_text(TINY_SWEDISH, encoding="utf-8")


def test_training_twice_with_the_same_seed_writes_identical_files(tmp_path: Path) -> None:
    _write_tiny_corpora(tmp_path)
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / f"model-{run}.json.gz"
        assert train.main(["--corpora", str(tmp_path), "--out", str(out), "--epochs", "3"]) == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    document = json.loads(gzip.decompress(outputs[0]))
    assert document["weights"], "a model that learnt nothing"
    assert document["fingerprint"] == feature_fingerprint()


def test_training_reports_missing_corpora_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "privacy.redaction.train", "--corpora", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 2
    assert "fi-turku-train.tsv" in result.stderr
    assert "Traceback" not in result.stderr


def test_corpus_reader_maps_iob_and_plain_tags_to_names(tmp_path: Path) -> None:
    _write_tiny_corpora(tmp_path)
    finnish = list(train.read_corpus(tmp_path / "fi-turku-train.tsv"))
    swedish = list(train.read_corpus(tmp_path / "sv-webbnyheter-train.txt"))
    assert [w for w, is_name in finnish[0] if is_name] == ["Kaarina", "Lindqvist"]
    assert [w for w, is_name in swedish[0] if is_name] == ["Anders", "Holm"]


def test_alignment_labels_our_tokens_by_the_corpus_word_they_fall_in() -> None:
    sentence = train.align([("(Obama", True), ("sanoi", False), (".", False)])
    assert [
        (t.text, label) for t, label in zip(sentence.tokens, sentence.is_name, strict=True)
    ] == [
        ("(", True),
        ("Obama", True),
        ("sanoi", False),
        (".", False),
    ]
