"""Every word the console shows comes from the console catalogs, in Finnish, Swedish and English.

Fails on a hard-coded text added to a template or to `console.js`, on a key used but missing
from the English catalog, and on a key English has that Finnish or Swedish lacks.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.console.texts import (
    CONSOLE_LANGUAGES,
    ConsoleTexts,
    language_choice,
    language_name,
)

CONSOLE = Path(__file__).resolve().parents[3] / "bot" / "console"
TEMPLATES = sorted((CONSOLE / "templates").glob("*.html"))
SCRIPT = CONSOLE / "static" / "console.js"
# Words that are the same in every language: the product's name.
SAME_IN_EVERY_LANGUAGE = frozenset({"somesossu"})
# Attributes a person reads (or hears through a screen reader).
READ_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt", "label"})
# HTTP header names the script sends and its strict-mode directive: code, not words for people.
PROTOCOL_STRINGS = frozenset({"Content-Type", "Accept", "X-CSRF-Token", "use strict"})
_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_LETTER = re.compile(r"[^\W\d_]")


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name, value in attrs:
            if value and name in READ_ATTRIBUTES and _LETTER.search(value):
                self.found.append(f"<{tag} {name}={value!r}>")
        submit = tag == "input" and values.get("type") in ("submit", "button", "reset")
        value = values.get("value")
        if submit and value and _LETTER.search(value):
            self.found.append(f"<{tag} value={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        text = data.strip()
        if self._skip or not _LETTER.search(text) or text in SAME_IN_EVERY_LANGUAGE:
            return
        self.found.append(text)


def hard_coded_in_template(source: str) -> list[str]:
    finder = _TextFinder()
    finder.feed(_JINJA.sub(" ", source))
    finder.close()
    return finder.found


def _string_literals(source: str) -> list[str]:
    """The static parts of the script's string literals (comments skipped)."""
    found: list[str] = []
    i = 0
    while i < len(source):
        char = source[i]
        if source.startswith("//", i):
            i = source.find("\n", i)
            i = len(source) if i < 0 else i
            continue
        if source.startswith("/*", i):
            i = source.index("*/", i) + 2
            continue
        if char in "\"'`":
            j = i + 1
            part: list[str] = []
            while j < len(source) and source[j] != char:
                if source[j] == "\\":
                    part.append(source[j : j + 2])
                    j += 2
                    continue
                if char == "`" and source.startswith("${", j):
                    found.append("".join(part))
                    part = []
                    j = source.index("}", j) + 1
                    continue
                part.append(source[j])
                j += 1
            found.append("".join(part))
            i = j + 1
            continue
        i += 1
    return found


def hard_coded_in_script(source: str) -> list[str]:
    """Literals that read as words for people: words with a space between them, or a
    capitalised word ("Claim"); keys ("board.claim"), ids, paths and selectors do not."""
    out = []
    for literal in _string_literals(source):
        if literal in PROTOCOL_STRINGS or not _LETTER.search(literal):
            continue
        words_apart = re.search(r"[^\W\d_][^\S\n]+\S|\S[^\S\n]+[^\W\d_]", literal)
        capitalised = re.match(r"\s*[A-ZÅÄÖ][a-zåäö]", literal)
        if words_apart or capitalised:
            out.append(literal)
    return out


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_templates_hold_no_hard_coded_text(template: Path) -> None:
    assert hard_coded_in_template(template.read_text(encoding="utf-8")) == []


def test_script_holds_no_hard_coded_text() -> None:
    assert hard_coded_in_script(SCRIPT.read_text(encoding="utf-8")) == []


def test_the_checks_find_what_they_look_for() -> None:
    assert hard_coded_in_template("<p>{{ t('a.b') }}</p><p>Claim</p>") == ["Claim"]
    assert hard_coded_in_template('<input type="submit" value="Save">') == ["<input value='Save'>"]
    assert hard_coded_in_template('<button aria-label="Close it">x</button>') == [
        "<button aria-label='Close it'>",
        "x",
    ]
    assert hard_coded_in_template("{% block title %}{{ t('x') }}{% endblock %} somesossu") == []
    script = 'el("td", { text: "Nobody is waiting." }); t("board.none"); // "A comment"\n'
    assert hard_coded_in_script(script) == ["Nobody is waiting."]
    assert hard_coded_in_script('x = `Claimed ${n}`; y = "aria-label"; z = "/api/x"') == [
        "Claimed "
    ]


_TEMPLATE_KEY = re.compile(r"""\b(n?t)\(\s*["']([\w.]+)["']""")
_SCRIPT_KEY = re.compile(r"""\bt\(\s*"([\w.]+)"\s*[,)]""")


def test_every_key_used_is_in_the_english_catalogs() -> None:
    texts = ConsoleTexts()
    page_keys = texts.keys("en", "console")
    for template in TEMPLATES:
        for _, key in _TEMPLATE_KEY.findall(template.read_text(encoding="utf-8")):
            assert key in page_keys, f"{template.name}: {key}"
    python_keys = set()
    for module in CONSOLE.glob("*.py"):
        python_keys.update(re.findall(r'"((?:nav|profile)\.(?!html)[a-z_]+)"', module.read_text()))
    assert python_keys <= page_keys
    script_keys = texts.keys("en", "console_js")
    used = set(_SCRIPT_KEY.findall(SCRIPT.read_text(encoding="utf-8")))
    assert used, "the script looks up its texts with t()"
    assert used <= script_keys, sorted(used - script_keys)


@pytest.mark.parametrize("domain", ["console", "console_js", "console_errors"])
@pytest.mark.parametrize("lang", [lang for lang in CONSOLE_LANGUAGES if lang != "en"])
def test_finnish_and_swedish_translate_every_english_key(domain: str, lang: str) -> None:
    texts = ConsoleTexts()
    assert texts.keys("en", domain) - texts.keys(lang, domain) == set()


def test_placeholders_survive_translation() -> None:
    texts = ConsoleTexts()
    for domain in ("console", "console_js"):
        english = texts.script_texts("en") if domain == "console_js" else None
        for lang in ("fi", "sv"):
            for key in texts.keys("en", domain):
                if english is not None:
                    mine = texts.script_texts(lang)[key]
                    theirs = english[key]
                else:
                    mine, theirs = _page_text(texts, lang, key), _page_text(texts, "en", key)
                assert _placeholders(mine) == _placeholders(theirs), f"{lang} {key}"


def _page_text(texts: ConsoleTexts, lang: str, key: str) -> str | dict[str, str]:
    try:
        return texts.text(lang, key)
    except (KeyError, IndexError):
        return texts.ntext(lang, key, 2)


def _placeholders(text: str | dict[str, str]) -> set[str]:
    forms = text.values() if isinstance(text, dict) else [text]
    found: set[str] = set()
    for form in forms:
        found.update(re.findall(r"\{(\w+)\}", form))
    found.discard("count")
    return found


def test_language_is_the_saved_one_then_the_browsers_then_english() -> None:
    assert language_choice("sv", "fi-FI,fi;q=0.9") == "sv"
    assert language_choice("", "fi-FI,fi;q=0.9,en;q=0.8") == "fi"
    assert language_choice("", "de-DE,de;q=0.9,sv;q=0.5,en;q=0.7") == "en"
    assert language_choice("", "sv-FI") == "sv"
    assert language_choice("", "nb-NO") == "sv"
    assert language_choice("", "de-DE") == "en"
    assert language_choice("", "") == "en"
    assert language_choice("xx", "fi;q=0, sv;q=0.2") == "sv"
    assert language_choice("", "fi;q=banana, sv") == "sv"


def test_language_codes_read_as_names_in_the_console_language() -> None:
    assert language_name("ru", "fi") == "Venäjä"
    assert language_name("ru", "sv") == "Ryska"
    assert language_name("ar", "en") == "Arabic"
    assert language_name("fi", "fi") == "Suomi"


def test_counts_take_the_languages_plural_form(tmp_path: Path) -> None:
    for lang, forms in {
        "en": ("{count} minute", "{count} minutes"),
        "fi": ("{count} minuutti", "{count} minuuttia"),
        "sv": ("{count} minut", "{count} minuter"),
    }.items():
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "console.po").write_text(
            'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
            f'msgid "wait"\nmsgid_plural "wait"\nmsgstr[0] "{forms[0]}"\nmsgstr[1] "{forms[1]}"\n',
            encoding="utf-8",
        )
    texts = ConsoleTexts(tmp_path)
    counts = (0, 1, 2, 3, 5, 11, 100)
    assert [texts.ntext("fi", "wait", n) for n in counts] == [
        "0 minuuttia",
        "1 minuutti",
        "2 minuuttia",
        "3 minuuttia",
        "5 minuuttia",
        "11 minuuttia",
        "100 minuuttia",
    ]
    assert texts.ntext("sv", "wait", 1) == "1 minut"
    assert texts.ntext("en", "wait", 11) == "11 minutes"
    assert texts.ntext("de", "wait", 1) == "1 minute"  # no German console: English


def test_a_missing_translation_reads_english_and_a_missing_key_fails(tmp_path: Path) -> None:
    for lang, body in {"en": 'msgid "a"\nmsgstr "Hello"\n', "fi": 'msgid "a"\nmsgstr ""\n'}.items():
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "console.po").write_text(body, encoding="utf-8")
    texts = ConsoleTexts(tmp_path)
    assert texts.text("fi", "a") == "Hello"
    with pytest.raises(KeyError):
        texts.text("fi", "never.written")
    assert texts.error_text("fi", "no such user") == "no such user"


_REFUSALS = ("Error", "Refused", "WeakPassword")
_NOT_SHOWN_TO_STAFF = frozenset({"ValueError", "TypeError", "KeyError", "RuntimeError"})


def _run_time_refusals() -> list[str]:
    """Refusal messages built with an f-string, each value replaced by a sample."""
    import ast

    root = CONSOLE.parent
    files = [*root.glob("actions/*.py"), *root.glob("console/*.py"), *root.glob("groups/*.py")]
    files.append(root / "passwords.py")
    samples = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            name = node.func.id
            if not name.endswith(_REFUSALS) or name in _NOT_SHOWN_TO_STAFF:
                continue
            for argument in node.args:
                if isinstance(argument, ast.JoinedStr):
                    samples.append(
                        "".join(
                            str(part.value) if isinstance(part, ast.Constant) else "7"
                            for part in argument.values
                        )
                    )
    return samples


def test_refusals_built_at_run_time_are_translated_too() -> None:
    texts = ConsoleTexts()
    samples = _run_time_refusals()
    assert len(samples) >= 15, samples
    for sample in samples:
        for lang in ("fi", "sv"):
            assert texts.error_text(lang, sample) != sample, f"{lang}: {sample}"
        assert texts.error_text("en", sample) == sample


def test_a_pattern_carries_the_values_into_the_translation() -> None:
    texts = ConsoleTexts()
    assert texts.error_text("fi", "a reply is 1-4000 characters") == (
        "Vastauksessa on oltava 1–4000 merkkiä."
    )
    assert texts.error_text("sv", "text is at most 200 characters") == (
        "Fältet text får ha högst 200 tecken."
    )
    assert texts.error_text("fi", "text is required") == "Kenttä text puuttuu."
    assert texts.error_text("fi", "something nobody wrote") == "something nobody wrote"
