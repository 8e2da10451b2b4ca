"""Builds `forms-fi.bloom`: every Finnish word form simplemma's dictionary lists under a
lower-case headword, as a Bloom filter (see privacy/redaction/word_forms.py).

usage: python extract_wordforms.py OUT_DIR   (needs simplemma==2.0.0 in that interpreter)
Deterministic: the same forms give the same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from privacy.redaction.word_forms import BloomFilter

BITS_PER_FORM = 8.75  # about 1.5 % false "yes" with 6 hash functions
HASHES = 6
MIN_LEN = 3


def finnish_forms() -> list[str]:
    from simplemma.strategies.dictionaries.dictionary_factory import (
        _load_dictionary_from_disk,
    )

    table = _load_dictionary_from_disk("fi")
    forms = set()
    for raw_form, raw_lemma in table.items():
        form, lemma = raw_form.decode("utf-8"), raw_lemma.decode("utf-8")
        # A capitalised headword is a name or a place ("Salla", "Virtanen"): not a word form.
        if lemma.islower() and len(form) >= MIN_LEN and form.replace("-", "").isalpha():
            forms.add(form.casefold())
    return sorted(forms)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent
    forms = finnish_forms()
    bloom = BloomFilter.build(forms, len(forms), BITS_PER_FORM, HASHES)
    (out / "forms-fi.bloom").write_bytes(bloom.to_bytes())
    print(f"{len(forms)} forms, {len(bloom.to_bytes())} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
