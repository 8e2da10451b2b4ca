"""The Finnish word-form filter: ordinary word forms in, names out, and its file format."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from privacy.redaction.word_forms import BloomFilter, is_finnish_word_form


@pytest.mark.parametrize(
    "word",
    [
        "jumituin",  # a verb form the headword list lacks
        "seuraavalla",
        "kauneimman",
        "juoksisimme",
        "olisikohan",  # clitics after the form
        "talossaankin",
        "kirjeessään",  # possessive suffixes
        "lähtiessäni",
    ],
)
def test_finnish_word_forms_are_known(word: str) -> None:
    assert is_finnish_word_form(word)


@pytest.mark.parametrize(
    "word", ["zorbakhan", "hypatialle", "medvedev", "tšerepanovin", "virtaselle", "ahmedille"]
)
def test_names_and_foreign_words_are_not_finnish_word_forms(word: str) -> None:
    assert not is_finnish_word_form(word)


def test_a_filter_holds_what_it_was_given_and_little_else() -> None:
    rng = random.Random(5)
    given = ["".join(rng.choices(string.ascii_lowercase, k=9)) for _ in range(5000)]
    others = ["".join(rng.choices(string.ascii_lowercase, k=10)) for _ in range(5000)]
    bloom = BloomFilter.from_bytes(BloomFilter.build(given, len(given), 8.75, 6).to_bytes())
    assert all(word in bloom for word in given)
    false_yes = sum(word in bloom for word in others) / len(others)
    assert false_yes < 0.03


def test_a_file_of_another_format_is_refused() -> None:
    raw = BloomFilter.build(["talo"], 1, 8.75, 6).to_bytes()
    with pytest.raises(ValueError, match="format"):
        BloomFilter.from_bytes(b"NOTBLOOM" + raw[8:])
    with pytest.raises(ValueError, match="format"):
        BloomFilter.from_bytes(raw[:-1])


def test_every_shipped_list_has_its_licence_and_source_beside_it() -> None:
    data = Path(__file__).resolve().parents[3] / "privacy" / "redaction" / "data"
    folders = [*sorted((data / "lexicons").iterdir()), data / "streets"]
    for folder in (f for f in folders if f.is_dir()):
        names = [entry.name for entry in folder.iterdir()]
        assert "SOURCE.md" in names, folder.name
        assert any(name.upper().startswith("LICEN") for name in names), folder.name
