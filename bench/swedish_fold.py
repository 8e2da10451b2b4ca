"""The redactor on Swedish news sentences its name model never saw.

The Swedish corpus (Webbnyheter 2012, Språkbanken, CC BY 4.0) has no document marks and no
development split. This bench holds out every fifth block of 50 sentences, trains the name
model on the rest plus the whole Turku training split exactly as `python -m
privacy.redaction.train` does, and scores the whole redactor on the held-out sentences with the
shared scorer (persons only: the corpus tags other names too, which count as not personal
data here). The shipped model is not touched. Prints only counts and rates.

The corpus was annotated semi-manually, and some persons it leaves untagged ("Anton
Gaddefors", "Cristina Kirchner") are masked here and count against precision.

usage: python bench/swedish_fold.py [--corpora ../shared/data/ner] [--scorer ...]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from turku_folds import SCORER, TRAINING_SEED, _labelled, score_with  # noqa: E402

from privacy.redaction import train  # noqa: E402
from privacy.redaction.name_model import NameModel  # noqa: E402

BLOCK = 50  # sentences held out together, so a story's next sentence is not in training
EVERY = 5


def _message(sentence: str) -> dict[str, Any]:
    """A sentence of "word<TAB>tag" lines as the scorer's message, persons as spans."""
    tagged: list[tuple[str, str]] = []
    for line in sentence.splitlines():
        word, _, tag = line.rpartition("\t")
        if not word.strip():
            continue
        person = tag.strip() == "PER"
        inside = person and bool(tagged) and tagged[-1][1] != "O"
        tagged.append((word.strip(), ("I-PER" if inside else "B-PER") if person else "O"))
    return _labelled(tagged)


def run(corpora: Path, scorer: Path, work: Path) -> dict[str, Any]:
    swedish = (corpora / train.TRAIN_FILES[1]).read_text(encoding="utf-8")
    sentences = [s for s in swedish.split("\n\n") if s.strip()]
    held = [s for k, s in enumerate(sentences) if (k // BLOCK) % EVERY == 0]
    kept = [s for k, s in enumerate(sentences) if (k // BLOCK) % EVERY != 0]
    shutil.copy(corpora / train.TRAIN_FILES[0], work / train.TRAIN_FILES[0])
    (work / train.TRAIN_FILES[1]).write_text("\n\n".join(kept) + "\n", encoding="utf-8")
    model = NameModel(train.train(work, 8, TRAINING_SEED), 0.0)
    return score_with(model, [_message(s) for s in held], work, scorer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=REPO.parent / "shared" / "data" / "ner")
    parser.add_argument("--scorer", type=Path, default=SCORER)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        f = run(args.corpora, args.scorer, Path(tmp))
    print(
        f"swedish held-out: {f['sentences']} sentences, {f['names']} names | "
        f"name recall {f['name_recall']:.3f}  char precision {f['char_precision']:.3f}  "
        f"clean touched {f['clean_messages_touched']:.3f}  leaking {f['messages_leaking']:.3f}"
    )


if __name__ == "__main__":
    main()
