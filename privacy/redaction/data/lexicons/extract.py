"""Rebuilds the name, word and place lists in this folder from their fetched sources.

Run by hand when a source is refreshed; nothing imports this module at run time, and the
redactor never touches the network. Every source is read from a local git repository (a
bare git directory or a work tree) at a pinned commit, so the same inputs always give
byte-identical outputs: entries are NFC-normalised, filtered, de-duplicated and sorted by
code point, and gzip files carry no time stamp or file name (like `gzip -n`).

usage:
    python extract.py OUT_DIR [--text-anonymizer GIT_DIR] [--faker GIT_DIR]
                      [--names-by-culture GIT_DIR] [--opencorpora]

    --text-anonymizer  City-of-Helsinki/text-anonymizer: writes dvv/, kotus/ and places/
    --faker            joke2k/faker: writes faker/
    --names-by-culture jgwoolley/Names-by-Culture (Wiktionary categories): writes wiktionary/
    --opencorpora      the installed pymorphy3-dicts-ru package (needs `pip install
                       pymorphy3==2.0.6 pymorphy3-dicts-ru==2.4.417150.4580142` in the
                       interpreter that runs this script): writes opencorpora/

Only the list files are written; LICENCE-*.txt and SOURCE.md are kept by hand. Each run
prints, per file, how many entries it holds and how many are in Latin, Cyrillic or Arabic
script, which is what SOURCE.md and README.md quote.
"""

from __future__ import annotations

import argparse
import ast
import csv
import gzip
import io
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

# Longer "names" in the sources are descriptions or several names glued together; a single
# letter is an initial whose dot was lost, and would match every "A" and "I" in a text.
MAX_LEN = 40
MIN_LEN = 2
# Characters a name may hold besides letters and combining marks. U+200C (zero-width
# non-joiner) is part of correct Persian spelling (e.g. between the parts of a compound
# name), so dropping names that contain it would drop real Persian names.
EXTRA_NAME_CHARS = frozenset("-' \u2019\u02bc\u200c")
# Letters that only ever abbreviate ("Mª" for María).
ABBREVIATION_CHARS = frozenset("ªº")

# Pinned source commits: the ones the committed files were built from.
TEXT_ANONYMIZER_COMMIT = "0835e6c64d2c0a31a93c78c32f970498a4299933"
FAKER_COMMIT = "8ad78a632a4116e6392e6d5743524c683a2e02a1"
NAMES_BY_CULTURE_COMMIT = "81e3c9d22a04b6c47d65e7a8d07f5e3b1d6e089b"

# Faker locales: the languages Helsinki residents write (Arabic, Persian, Russian, Ukrainian,
# Turkish, Estonian), Finland's own two, and the European and South Asian name stocks most
# often met in the city. Faker's fi_FI adds little to DVV's counts but costs nothing.
FAKER_LOCALES = (
    "ar_AA", "ar_DZ", "ar_PS", "ar_SA", "fa_IR", "en_PK",
    "ru_RU", "uk_UA", "tr_TR", "et_EE",
    "fi_FI", "sv_SE", "no_NO", "da_DK",
    "en_GB", "en_IE", "en_US", "de_DE", "nl_NL", "fr_FR", "es_ES", "pt_PT", "it_IT",
    "pl_PL", "ro_RO",
)  # fmt: skip

# Names-by-Culture folders (ISO 639-3) read for wiktionary/, and the Wiktionary category
# languages accepted from them. Historical stages (Old Persian, Ottoman Turkish, Old
# English...) and reconstructions are left out: nobody in Helsinki is named in them.
# Italian, Polish, Dutch and Portuguese are left to Faker: Wiktionary's long lists of rare
# surnames in those languages (12,600 Polish alone) would swamp this source.
WIKTIONARY_FOLDERS = (
    "amh", "ara", "dan", "deu", "eng", "est", "fas", "fin", "fra", "kur", "nor", "rus",
    "som", "spa", "swe", "tur", "ukr", "urd",
)  # fmt: skip
WIKTIONARY_LANGUAGES = (
    "Amharic", "Arabic", "Danish", "German", "English", "Estonian", "Persian", "Finnish",
    "French", "Northern Kurdish", "Central Kurdish", "Norwegian", "Norwegian Bokmål",
    "Russian", "Somali", "Spanish", "Swedish", "Turkish", "Ukrainian", "Urdu",
)  # fmt: skip
_LANGS = "|".join(re.escape(lang) for lang in WIKTIONARY_LANGUAGES)
_KIND = r"(?:(?:male|female|unisex) )?(?P<kind>given names|surnames)"
# "Category:Persian female given names", "Category:Russian surnames", and every English
# name category ("English surnames from Arabic", "English male given names from Russian",
# "English diminutives of female given names"): the English ones hold the Latin spellings
# English uses, which is how most residents type names from other scripts.
WIKTIONARY_CATEGORY = re.compile(
    rf"^Category:(?:(?:{_LANGS}) {_KIND}"
    r"|English (?:(?:male|female|unisex) )?(?P<ekind>given names|surnames)(?: from .+)?"
    r"|English diminutives of (?:male |female )?(?P<dkind>given names))$"
)


def git(repo: Path, *args: str) -> bytes:
    """Output of a read-only git command in a source repository.

    The arguments are this script's own constants and the paths its user passes, and
    git is looked up on PATH as a person running the script by hand expects.
    """
    return subprocess.run(  # noqa: S603
        ["git", "--git-dir", str(git_dir(repo)), *args],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout


def git_show(repo: Path, commit: str, path: str) -> bytes:
    """One file of a repository at a commit; works on bare and non-bare repositories."""
    return git(repo, "show", f"{commit}:{path}")


def git_dir(repo: Path) -> Path:
    # `fetch` gives either a bare directory or a checkout whose git directory is `.git`.
    return repo / ".git" if (repo / ".git").exists() else repo


def git_ls(repo: Path, commit: str, folder: str) -> list[str]:
    return git(repo, "ls-tree", "--name-only", f"{commit}:{folder}").decode("utf-8").split()


def clean_name(raw: str) -> str | None:
    """The name in NFC with single spaces, or None if it is junk.

    Junk: shorter than MIN_LEN or longer than MAX_LEN, any digit, no letter at all, or
    punctuation other than hyphen, apostrophe or space (a dot marks an initial or an
    abbreviation, a slash or parenthesis a note, a colon a wiki namespace).
    """
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not MIN_LEN <= len(name) <= MAX_LEN:
        return None
    has_letter = False
    for char in name:
        category = unicodedata.category(char)
        if char in ABBREVIATION_CHARS:
            return None
        if category[0] == "L":
            has_letter = True
        elif category[0] != "M" and char not in EXTRA_NAME_CHARS:
            return None
    if not has_letter or name[0] in "- " or name[-1] in "- ":
        return None
    return name


def script_of(name: str) -> str:
    """Latin, Cyrillic, Arabic, or other: from the Unicode names of the letters.

    Modifier letters (Lm: the Ukrainian apostrophe ʼ, the Hawaiian ʻokina, Arabic tatweel)
    belong to no one script, so they do not decide.
    """
    scripts = {
        unicodedata.name(char, "").split(" ")[0]
        for char in name
        if unicodedata.category(char) in ("Lu", "Ll", "Lt", "Lo")
    }
    if scripts <= {"LATIN"}:
        return "Latin"
    if scripts <= {"CYRILLIC"}:
        return "Cyrillic"
    if scripts <= {"ARABIC"}:
        return "Arabic"
    return "other"


def title_case(name: str) -> str:
    """Capitalises each part of a lower-case name, as names are written: "иванов-петров"."""
    return re.sub(r"(^|[- ])(\w)", lambda m: m.group(1) + m.group(2).upper(), name)


def write_list(path: Path, header: Iterable[str], names: Iterable[str]) -> None:
    entries = sorted(set(names))
    write_lines(path, header, entries)
    report(path, entries)


def write_counts(path: Path, header: Iterable[str], counts: dict[str, int]) -> None:
    entries = sorted(counts)
    write_lines(path, header, [f"{name}\t{counts[name]}" for name in entries])
    report(path, entries)


def write_lines(path: Path, header: Iterable[str], lines: list[str]) -> None:
    text = "".join(f"# {line}\n" for line in header) + "".join(f"{line}\n" for line in lines)
    data = text.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        # mtime=0 and no file name in the header: the same bytes on every run.
        data = gzip.compress(data, compresslevel=9, mtime=0)
    path.write_bytes(data)


def report(path: Path, entries: list[str]) -> None:
    by_script = Counter(script_of(entry) for entry in entries)
    detail = ", ".join(f"{script} {n}" for script, n in sorted(by_script.items()))
    print(f"{path}: {len(entries)} ({detail})")


# --- DVV, Kotus and place names, all from City-of-Helsinki/text-anonymizer -------------


def read_semicolon_csv(repo: Path, path: str) -> list[list[str]]:
    text = git_show(repo, TEXT_ANONYMIZER_COMMIT, path).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def dvv_counts(rows: list[list[str]]) -> tuple[dict[str, int], int]:
    """name -> bearers, from rows like ["Mohamed", "2 663"]; also the number dropped."""
    counts: dict[str, int] = {}
    dropped = 0
    for row in rows[1:]:
        name = clean_name(row[0]) if row else None
        # DVV prints thousands with a space (sometimes a no-break space).
        digits = re.sub(r"\s", "", row[1]) if len(row) > 1 else ""
        if name is None or not digits.isdigit():
            dropped += 1
            continue
        # Two source spellings can meet after NFC; they are the same name, so add up.
        counts[name] = counts.get(name, 0) + int(digits)
    return counts, dropped


def extract_text_anonymizer(repo: Path, out: Path) -> None:
    origin = f"City-of-Helsinki/text-anonymizer@{TEXT_ANONYMIZER_COMMIT[:12]}"
    for source, target, what in (
        ("test/data/etunimet.csv", "first_names.tsv", "first names (any given-name position)"),
        ("test/data/sukunimet.csv", "surnames.tsv", "surnames"),
    ):
        counts, dropped = dvv_counts(read_semicolon_csv(repo, source))
        write_counts(
            out / "dvv" / target,
            [
                f"DVV name statistics: {what} in the Finnish population register with their",
                "number of living bearers. name<TAB>count. CC BY 4.0, Digital and Population",
                f"Data Services Agency (DVV). From {origin}:{source};",
                f"{dropped} junk rows dropped.",
            ],
            counts,
        )

    kotus = git_show(repo, TEXT_ANONYMIZER_COMMIT, "test/data/nykysuomensanalista2022.csv")
    words = set()
    rows = list(csv.reader(io.StringIO(kotus.decode("utf-8-sig")), delimiter="\t"))
    for row in rows[1:]:
        word = clean_name(row[0].lower()) if row else None
        # Multi-word entries ("à la carte") are phrases, not words a name could collide with.
        if word is not None and " " not in word:
            words.add(word)
    write_list(
        out / "kotus" / "words.txt.gz",
        [
            "Kotus Nykysuomen sanalista 2022: single-word headwords, lower case, one per line.",
            "CC BY 4.0, Institute for the Languages of Finland (Kotus).",
            f"From {origin}:test/data/nykysuomensanalista2022.csv.",
        ],
        words,
    )

    places: set[str] = set()
    municipalities = read_semicolon_csv(
        repo, "text_anonymizer/data/kuntaluettelo-suppeat-tiedot-2021-01-01.csv"
    )
    for row in municipalities[1:]:
        # Columns: number; Finnish name; Swedish name; region number; region name.
        for cell in (row[1], row[2], row[4]):
            place = clean_name(cell)
            if place is not None:
                places.add(place)
    districts = git_show(repo, TEXT_ANONYMIZER_COMMIT, "test/data/helsinki_alueet.txt")
    for line in districts.decode("utf-8-sig").splitlines():
        place = clean_name(line)
        if place is not None:
            places.add(place)
    write_list(
        out / "places" / "places.txt",
        [
            "Place names that are not people: Finland's municipalities (Finnish and Swedish",
            "names) and regions, Statistics Finland 1 January 2021, CC BY 4.0; and Helsinki's",
            "districts and sub-districts (City of Helsinki, MIT). Many are also surnames.",
            f"From {origin}.",
        ],
        places,
    )


# --- Faker ---------------------------------------------------------------------------


def literal_strings(node: ast.expr) -> list[str]:
    """The strings a Faker name table holds, whatever container it is written as.

    Tables are tuples or lists of strings, dicts of name -> weight, or
    OrderedDict(((name, weight), ...)); anything else (a sum of other tables, a method
    call) is not a table of its own and yields nothing.
    """
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items: list[str] = []
        for element in node.elts:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                items.append(element.value)
            elif isinstance(element, (ast.Tuple, ast.List)) and element.elts:
                items.extend(literal_strings(ast.Tuple(elts=element.elts[:1])))
        return items
    if isinstance(node, ast.Dict):
        return [
            key.value
            for key in node.keys
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        ]
    if isinstance(node, ast.Call) and node.args:
        return literal_strings(node.args[0])
    return []


def faker_tables(source: str) -> Iterator[tuple[str, list[str]]]:
    """(attribute name, strings) for every class-level assignment in a provider module."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        for statement in node.body:
            if isinstance(statement, ast.Assign):
                targets = statement.targets
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                targets = [statement.target]
            else:
                continue
            for target in targets:
                if isinstance(target, ast.Name) and statement.value is not None:
                    yield target.id, literal_strings(statement.value)


def name_kind(attribute: str) -> str | None:
    """Which list a Faker table feeds, "first" or "last"; None for titles, patronymics."""
    if any(part in attribute for part in ("middle", "prefix", "suffix", "romanized")):
        return None
    if "first_name" in attribute:
        return "first"
    if "last_name" in attribute:
        return "last"
    return None


def extract_faker(repo: Path, out: Path) -> None:
    found: dict[str, set[str]] = {"first": set(), "last": set()}
    for locale in FAKER_LOCALES:
        path = f"faker/providers/person/{locale}/__init__.py"
        source = git_show(repo, FAKER_COMMIT, path).decode("utf-8")
        for attribute, strings in faker_tables(source):
            kind = name_kind(attribute)
            if kind is None:
                continue
            for raw in strings:
                name = clean_name(raw)
                if name is not None:
                    found[kind].add(name)
    origin = f"joke2k/faker@{FAKER_COMMIT[:12]} faker/providers/person/<locale>"
    locales = " ".join(FAKER_LOCALES)
    for kind, target in (("first", "first_names.tsv"), ("last", "surnames.tsv")):
        write_list(
            out / "faker" / target,
            [
                f"{'First names' if kind == 'first' else 'Surnames'} from the person providers "
                "of Faker (MIT), one per line, as written",
                f"(Latin, Cyrillic and Arabic script). Locales: {locales}.",
                f"From {origin}.",
            ],
            found[kind],
        )


# --- Wiktionary name categories, via jgwoolley/Names-by-Culture --------------------------


def extract_names_by_culture(repo: Path, out: Path) -> None:
    found: dict[str, set[str]] = {"given names": set(), "surnames": set()}
    present = set(git_ls(repo, NAMES_BY_CULTURE_COMMIT, "pages"))
    for folder in WIKTIONARY_FOLDERS:
        if folder not in present:
            continue
        files = git_ls(repo, NAMES_BY_CULTURE_COMMIT, f"pages/{folder}")
        for file in ("given_names.csv", "surnames.csv"):
            if file not in files:
                continue
            raw = git_show(repo, NAMES_BY_CULTURE_COMMIT, f"pages/{folder}/{file}")
            for row in csv.DictReader(io.StringIO(raw.decode("utf-8"))):
                match = WIKTIONARY_CATEGORY.match(row["parent_cmtitle"])
                if match is None:
                    continue
                kind = match.group("kind") or match.group("ekind") or match.group("dkind")
                name = clean_name(row["title"])
                if name is not None:
                    found[kind].add(name)
    origin = f"jgwoolley/Names-by-Culture@{NAMES_BY_CULTURE_COMMIT[:12]} pages/<lang>/"
    for kind, target in (("given names", "first_names.tsv"), ("surnames", "surnames.tsv")):
        write_list(
            out / "wiktionary" / target,
            [
                f"{kind.capitalize()}: titles of the English Wiktionary pages in the "
                f"'<language> {kind}' categories",
                "of the languages residents write and of common European languages, "
                "including the English",
                "spellings of names from those languages. Wiktionary contributors, CC BY-SA; "
                f"crawled by {origin}.",
            ],
            found[kind],
        )


# --- OpenCorpora, via the pymorphy3-dicts-ru package ----------------------------------


def extract_opencorpora(out: Path) -> None:
    import pymorphy3  # type: ignore[import-not-found]  # only this source needs it

    analyzer = pymorphy3.MorphAnalyzer(lang="ru")
    meta = dict(analyzer.dictionary.meta)
    first: set[str] = set()
    last: set[str] = set()
    for word, tag, _normal, _paradigm, _index in analyzer.dictionary.iter_known_words():
        # Nominative singular only: a list of names, not of their inflected forms. For
        # surnames this keeps both genders' forms (Иванов, Иванова) and indeclinable ones.
        if "nomn" not in tag or "sing" not in tag:
            continue
        if "Name" in tag:
            name = clean_name(title_case(word))
            if name is not None:
                first.add(name)
        elif "Surn" in tag:
            name = clean_name(title_case(word))
            if name is not None:
                last.add(name)
    source = (
        f"OpenCorpora dictionary revision {meta.get('source_revision')} "
        f"(pymorphy3-dicts-ru, compiled {meta.get('compiled_at', '')[:10]})"
    )
    for names, target, what in (
        (first, "first_names.tsv", "first names (grammeme Name)"),
        (last, "surnames.tsv", "surnames (grammeme Surn), masculine and feminine forms"),
    ):
        write_list(
            out / "opencorpora" / target,
            [
                f"Russian {what}, nominative singular, capitalised.",
                f"{source}. CC BY-SA 3.0, OpenCorpora.org.",
            ],
            names,
        )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the lexicons folder to write into")
    parser.add_argument("--text-anonymizer", type=Path, help="City-of-Helsinki/text-anonymizer")
    parser.add_argument("--faker", type=Path, help="joke2k/faker")
    parser.add_argument("--names-by-culture", type=Path, help="jgwoolley/Names-by-Culture")
    parser.add_argument(
        "--opencorpora", action="store_true", help="use the installed pymorphy3-dicts-ru"
    )
    args = parser.parse_args(argv)
    if args.text_anonymizer:
        extract_text_anonymizer(args.text_anonymizer, args.out)
    if args.faker:
        extract_faker(args.faker, args.out)
    if args.names_by_culture:
        extract_names_by_culture(args.names_by_culture, args.out)
    if args.opencorpora:
        extract_opencorpora(args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
