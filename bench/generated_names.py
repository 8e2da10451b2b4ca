"""Name, street and plain-word checks on generated sentences, in the manner of the City of
Helsinki anonymiser's own evaluation: random full names from the most common first names and
surnames in the population register, random Helsinki streets with house numbers, random
dictionary words. Never prints a generated sentence unless asked with --show.

usage: python bench/generated_names.py [--samples N] [--seed S] [--top K] [--show M]

A name counts as masked when at least 90 % of its letters are covered (as in
../shared/tools/pii_score.py); a plain word counts as touched when any finding covers it,
written in lower case or capitalised. The name lists and streets are the redactor's own data
files (privacy/redaction/data/), so this measures the cases the lexicons know; the Turku dev
split (see docs/redaction.md) measures names nobody listed.
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from privacy.redaction import Redactor  # noqa: E402

DATA = REPO / "privacy" / "redaction" / "data"

# {name} is the full name as written; {gen} its genitive, {all} its allative, built from
# the surname with the simplest Finnish endings (the inflection rules are tested elsewhere);
# the *_lower forms are one part of the name in lower case, as chats write them.
TEMPLATES = (
    "{name}",
    "Hei, yhteystietoni on: {name}.",
    "{name} soitti eilen ja pyysi soittoa takaisin.",
    "Tapasin {name} kirjastossa.",
    "Asiakas {name} ei tullut sovitulle ajalle.",
    "Kävin {gen} kanssa Kelassa.",
    "Lähetin viestin {all} eilen.",
    "Jag träffade {name} på biblioteket.",
    "I talked to {name} about the rent.",
    "terveisin {lower}",
    "sossu {surname_lower} ei vastaa puhelimeen",
    "mun poika {first_lower} on kipeä",
    "sain viestin {first_all_lower} eilen",
)


def _by_count(path: Path, top: int) -> list[str]:
    rows: list[tuple[int, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, count = line.partition("\t")
        rows.append((-int(count) if count.strip().isdigit() else 0, name.strip()))
    return [name for _, name in sorted(rows)[:top]]


def _inflect(surname: str, ending: str) -> str:
    """Genitive "n" or allative "lle" on a surname, for the common shapes only."""
    low = surname.casefold()
    if low.endswith("nen"):
        stem = surname[:-3] + "se"
    elif low[-1] in "aeiouyäö":
        stem = surname
    else:
        stem = surname + "i"
    return stem + ending


def _covered(redactor: Redactor, text: str, start: int, end: int) -> bool:
    mask = [False] * len(text)
    for finding in redactor.redact(text).findings:
        for i in range(finding.start, finding.end):
            mask[i] = True
    letters = [i for i in range(start, end) if not text[i].isspace()]
    return sum(mask[i] for i in letters) >= 0.9 * len(letters)


def _name_rate(
    redactor: Redactor,
    pick: Callable[[], tuple[str, str]],
    template: str,
    samples: int,
    shown: list[str],
    show: int,
) -> float:
    masked = 0
    for _ in range(samples):
        first, surname = pick()
        name = f"{first} {surname}"
        forms = {
            "name": name,
            "gen": f"{first} {_inflect(surname, 'n')}",
            "all": f"{first} {_inflect(surname, 'lle')}",
            "lower": name.lower(),
            "surname_lower": surname.lower(),
            "first_lower": first.lower(),
            "first_all_lower": _inflect(first, "lle").lower(),
        }
        key = next(k for k in forms if "{" + k + "}" in template)
        text = template.replace("{" + key + "}", forms[key])
        start = text.index(forms[key])
        if _covered(redactor, text, start, start + len(forms[key])):
            masked += 1
        elif len(shown) < show:
            shown.append(text)
    return masked / samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=1000, help="sentences per template")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--top", type=int, default=1000, help="most common names to draw from")
    parser.add_argument("--show", type=int, default=0, help="print up to M missed sentences")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    firsts = _by_count(DATA / "lexicons" / "dvv" / "first_names.tsv", args.top)
    surnames = _by_count(DATA / "lexicons" / "dvv" / "surnames.tsv", args.top)
    streets = [
        line.strip()
        for line in (DATA / "streets" / "helsinki_streets.lst").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    with gzip.open(DATA / "lexicons" / "kotus" / "words.txt.gz", "rt", encoding="utf-8") as f:
        words = [w.strip() for w in f if w.strip() and not w.startswith("#")]
    redactor = Redactor()
    shown: list[str] = []

    def pick() -> tuple[str, str]:
        return rng.choice(firsts), rng.choice(surnames)

    print(f"names: {args.samples} per template, top {args.top} first names x surnames (DVV)")
    for template in TEMPLATES:
        rate = _name_rate(redactor, pick, template, args.samples, shown, args.show)
        print(f"  {rate:6.3f}  {template}")

    masked = 0
    for _ in range(args.samples):
        street = rng.choice(streets[: args.top])
        street = street[:1].upper() + street[1:]
        address = f"{street} {rng.randint(1, 100)}"
        if rng.random() < 0.5:
            address += f" {rng.choice('ABCDEFGHJ')} {rng.randint(1, 50)}"
        text = f"Asun osoitteessa {address}, tule käymään."
        start = text.index(address)
        masked += _covered(redactor, text, start, start + len(address))
    print(f"streets: {masked / args.samples:6.3f} masked ({args.samples} addresses)")

    touched = 0
    for _ in range(args.samples * 5):
        word = rng.choice(words)
        touched += bool(redactor.redact(word).findings or redactor.redact(word.title()).findings)
    print(f"plain words: {touched / (args.samples * 5):6.4f} touched ({args.samples * 5} words)")
    for text in shown:
        print("  missed:", text)


if __name__ == "__main__":
    main()
