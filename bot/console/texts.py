"""The console's words in the staff member's language: Finnish, Swedish or English.

Read from gettext catalogs beside the resident texts (`bot/texts/<lang>/LC_MESSAGES/`), in
three domains: `console` (pages, keyed like the resident texts), `console_js` (the page
script's texts, handed to it as JSON) and `console_errors` (the actions' refusal messages,
keyed by their English text, so a message the catalog lacks still reads in English). A key
missing in Finnish or Swedish falls back to English; a key English lacks is a bug (KeyError).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime as babel_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot.texts import PLURAL_CATEGORIES

CONSOLE_LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")
FALLBACK = "en"
DOMAINS = ("console", "console_js", "console_errors")
_TEXTS_DIR = Path(__file__).resolve().parent.parent / "texts"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Babel locales: Swedish as written in Finland, British English (day before month).
_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}


@dataclass(slots=True)
class _Catalog:
    singular: dict[str, str] = field(default_factory=dict)
    plural: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _read(path: Path, lang: str) -> _Catalog:
    catalog = _Catalog()
    if not path.exists():
        return catalog
    with path.open("rb") as po_file:
        messages = read_po(po_file, locale=lang)
    for message in messages:
        if not message.id or message.fuzzy:
            continue
        string = message.string
        if isinstance(message.id, (list, tuple)):
            forms = tuple(string) if isinstance(string, (list, tuple)) else ()
            if forms and all(forms):
                catalog.plural[message.id[0]] = forms
        elif isinstance(string, str) and string:
            catalog.singular[message.id] = string
    return catalog


def language_choice(saved: str, accept_language: str) -> str:
    """The console language: the one saved in the profile, else the first of the browser's
    languages the console has, else English (a browser asking for none of them)."""
    if saved in CONSOLE_LANGUAGES:
        return saved
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        primary = tag.strip().split("-")[0].casefold()
        if primary in ("nb", "nn", "no"):
            primary = "sv"  # Scandinavian readers read Swedish more easily than English
        if primary in CONSOLE_LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else FALLBACK


class ConsoleTexts:
    """All console catalogs, read once per process."""

    def __init__(self, directory: Path | None = None) -> None:
        root = directory or _TEXTS_DIR
        self._patterns: list[tuple[re.Pattern[str], str]] | None = None
        self._catalogs = {
            (lang, domain): _read(root / lang / "LC_MESSAGES" / f"{domain}.po", lang)
            for lang in CONSOLE_LANGUAGES
            for domain in DOMAINS
        }

    def _catalog(self, lang: str, domain: str) -> _Catalog:
        return self._catalogs[(lang if lang in CONSOLE_LANGUAGES else FALLBACK, domain)]

    def text(self, lang: str, key: str, **params: object) -> str:
        """A page text; `{placeholders}` filled from `params`."""
        found = self._catalog(lang, "console").singular.get(key)
        if found is None:
            found = self._catalog(FALLBACK, "console").singular[key]
        return found.format(**params) if params else found

    def ntext(self, lang: str, key: str, count: int, **params: object) -> str:
        """A counted page text in the plural form the language's CLDR rules give `count`."""
        language = lang if lang in CONSOLE_LANGUAGES else FALLBACK
        forms = self._catalog(language, "console").plural.get(key)
        if forms is None:
            language = FALLBACK
            forms = self._catalog(FALLBACK, "console").plural[key]
        return _plural_form(language, forms, count).format(count=count, **params)

    def error_text(self, lang: str, message: str) -> str:
        """An action's refusal in the console language; English as it came when not listed.

        A catalog entry with {placeholders} is a pattern for messages built at run time
        ("a reply is 1-{max} characters"): the values read from the English message are put
        into the translation as they are.
        """
        catalog = self._catalog(lang, "console_errors")
        found = catalog.singular.get(message)
        if found is not None:
            return found
        for pattern, key in self._error_patterns():
            match = pattern.fullmatch(message)
            if match is not None and key in catalog.singular:
                return catalog.singular[key].format(**match.groupdict())
        return message

    def _error_patterns(self) -> list[tuple[re.Pattern[str], str]]:
        if self._patterns is None:
            patterns = []
            for key in self._catalog(FALLBACK, "console_errors").singular:
                if "{" not in key:
                    continue
                parts = _PLACEHOLDER.split(key)
                regex = "".join(
                    f"(?P<{part}>.+?)" if odd else re.escape(part)
                    for odd, part in ((i % 2 == 1, part) for i, part in enumerate(parts))
                )
                patterns.append((re.compile(regex, re.DOTALL), key))
            # The most literal text first: "{name} is required" must not take what a longer
            # pattern describes better.
            patterns.sort(key=lambda item: -len(_PLACEHOLDER.sub("", item[1])))
            self._patterns = patterns
        return self._patterns

    def script_texts(self, lang: str) -> dict[str, str | dict[str, str]]:
        """The page script's texts: English overlaid with the language's own. A counted text is
        {CLDR category: form}, which the script picks with `Intl.PluralRules`."""
        out: dict[str, str | dict[str, str]] = {}
        for language in dict.fromkeys((FALLBACK, lang if lang in CONSOLE_LANGUAGES else FALLBACK)):
            catalog = self._catalog(language, "console_js")
            out.update(catalog.singular)
            categories = PLURAL_CATEGORIES[language]
            for key, forms in catalog.plural.items():
                out[key] = dict(zip(categories, forms, strict=False))
        return out

    def keys(self, lang: str, domain: str) -> frozenset[str]:
        """The keys one catalog translates (for completeness checks)."""
        catalog = self._catalog(lang, domain)
        return frozenset(catalog.singular) | frozenset(catalog.plural)


def _plural_form(lang: str, forms: tuple[str, ...], count: int) -> str:
    category = Locale.parse(_LOCALES[lang]).plural_form(abs(count))
    categories = PLURAL_CATEGORIES[lang]
    index = categories.index(category) if category in categories else len(categories) - 1
    return forms[min(index, len(forms) - 1)]


@cache
def console_texts() -> ConsoleTexts:
    return ConsoleTexts()


def language_name(code: str, lang: str) -> str:
    """A language's name in the console language ("venäjä", "ryska", "Russian")."""
    try:
        name = Locale.parse(code).get_display_name(_LOCALES.get(lang, _LOCALES[FALLBACK]))
    except (ValueError, TypeError):
        return code
    return (name[:1].upper() + name[1:]) if name else code


def format_moment(moment: datetime, lang: str, zone: ZoneInfo, *, with_date: bool = True) -> str:
    """A date and time (or a time alone) as the language writes them, in the service's zone."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return str(
        babel_datetime(
            aware,
            "short" if with_date else "HH:mm",
            tzinfo=zone,
            locale=_LOCALES.get(lang, _LOCALES[FALLBACK]),
        )
    )


def format_number(value: float | int, lang: str) -> str:
    return str(format_decimal(value, locale=_LOCALES.get(lang, _LOCALES[FALLBACK])))


def locale_of(lang: str) -> str:
    """The BCP 47 tag the page script formats with (`Intl`): fi-FI, sv-FI, en-GB."""
    return _LOCALES.get(lang, _LOCALES[FALLBACK]).replace("_", "-")


__all__ = [
    "CONSOLE_LANGUAGES",
    "ConsoleTexts",
    "console_texts",
    "format_moment",
    "format_number",
    "language_choice",
    "language_name",
    "locale_of",
]
