"""Writes the frequent words of Finnish, Swedish and English from the wordfreq package.

Run once by hand (needs `pip install wordfreq==3.1.1`); never imported at run time.
usage: python extract_wordfreq.py OUT_DIR
"""

from __future__ import annotations

import gzip
import sys
from importlib.metadata import version
from pathlib import Path

import wordfreq  # type: ignore[import-not-found]

LANGUAGES = ("fi", "sv", "en")
# Zipf 3.0 is one occurrence per million words: below it, lists fill with names and typos.
MIN_ZIPF = 3.0


def main(out_dir: Path) -> None:
    for language in LANGUAGES:
        rows = []
        for word in wordfreq.iter_wordlist(language, "best"):
            zipf = wordfreq.zipf_frequency(word, language)
            if zipf < MIN_ZIPF:
                break
            if word.isalpha():
                rows.append(f"{word}\t{round(zipf * 10)}")
        rows.sort()
        header = (
            f"# wordfreq {version('wordfreq')} '{language}' words with Zipf >= {MIN_ZIPF}:"
            " word, Zipf x 10\n"
        )
        payload = (header + "\n".join(rows) + "\n").encode("utf-8")
        (out_dir / f"{language}.tsv.gz").write_bytes(gzip.compress(payload, 9, mtime=0))
        print(language, len(rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
