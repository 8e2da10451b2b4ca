"""The redactor on the City of Helsinki anonymiser's own evaluation sentences (not shipped here).

Reads the sentence lists of a checkout of github.com/City-of-Helsinki/text-anonymizer (MIT) at
run time, as data (Python literals parsed with `ast`, never executed), and prints how many of
its labelled values the redactor masks, by label, and how many of its "no entity" sentences it
touches. Never prints a sentence unless asked (`--show`); the sentences are the city's own
invented examples.

usage: python bench/helsinki_sentences.py PATH [--show]
  PATH: a checkout (work tree) or a bare git directory of City-of-Helsinki/text-anonymizer

Labels there: PERSON (names), LOC (streets named without a number, in passing), GPE (city
districts), none. This redactor masks persons; streets only with a house number or after an
address cue, districts never (docs/redaction.md, "What stays readable").
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from privacy.redaction import Redactor

TRAINING_DATA = "train_custom_spacy_model/training_data.py"
COVERED = 0.9  # as ../shared/tools/pii_score.py: a value counts when 90 % of it is masked


def read_source(repo: Path, relative: str) -> str:
    if (repo / relative).is_file():
        return (repo / relative).read_text(encoding="utf-8")
    shown = subprocess.run(
        ["git", "--git-dir", str(repo), "show", f"HEAD:{relative}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return shown.stdout


def literal_lists(source: str, names: set[str]) -> dict[str, list[object]]:
    """The top-level `NAME = [...]` lists of a module whose items are literals or names."""
    out: dict[str, list[object]] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if not isinstance(target, ast.Name) or target.id not in names:
            continue
        if not isinstance(node.value, ast.List):
            continue
        items: list[object] = []
        for element in node.value.elts:
            if isinstance(element, ast.Constant):
                items.append(element.value)
            elif isinstance(element, ast.Name):
                items.append(element.id)  # a label constant: NAME_ENTITY, STREET_ENTITY ...
        out[target.id] = items
    return out


def masked_share(redactor: Redactor, text: str, start: int, end: int) -> float:
    mask = [False] * len(text)
    for finding in redactor.redact(text).findings:
        for i in range(finding.start, finding.end):
            mask[i] = True
    chars = [i for i in range(start, end) if not text[i].isspace()]
    return sum(mask[i] for i in chars) / len(chars) if chars else 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--show", action="store_true", help="print the misses and touches")
    args = parser.parse_args(argv)
    wanted = {"EVALUATION_SENTENCES", "EVALUATION_VALUES", "EVALUATION_LABELS", "FALSE_POSITIVES"}
    lists = literal_lists(read_source(args.repo, TRAINING_DATA), wanted)
    labels_of = {"NAME_ENTITY": "PERSON", "STREET_ENTITY": "LOC", "AREA_ENTITY": "GPE"}
    redactor = Redactor()
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    triples = zip(
        lists["EVALUATION_SENTENCES"],
        lists["EVALUATION_VALUES"],
        lists["EVALUATION_LABELS"],
        strict=True,
    )
    for template, value, label in triples:
        if not isinstance(template, str) or not isinstance(value, str):
            continue  # the sentences without an entity
        text = template.replace("{s}", value, 1)
        start = template.index("{s}")
        name = labels_of.get(str(label), str(label))
        total[name] += 1
        hit = masked_share(redactor, text, start, start + len(value)) >= COVERED
        found[name] += hit
        if args.show and not hit:
            print(f"  missed {name}: {value}")
    for name in sorted(total):
        print(f"{name:7} {found[name]:3d} of {total[name]:3d} masked")
    clean = [t for t in lists["FALSE_POSITIVES"] if isinstance(t, str)]
    touched = [t for t in clean if redactor.redact(t).findings]
    print(f"no-entity sentences touched: {len(touched)} of {len(clean)}")
    if args.show:
        for text in touched:
            print(f"  touched: {redactor.redact(text).text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
