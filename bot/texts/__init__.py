"""Every resident-facing sentence, looked up by key from gettext catalogs in six languages.

Never builds resident-facing text from English literals in code, and never needs a build step.
A text that carries a count is a gettext plural entry, one form per CLDR plural category of the
language (`PLURAL_CATEGORIES`), chosen by `ngettext` with the catalog's `Plural-Forms` rule.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.catalog import Message
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("fi", "sv", "en", "ru", "uk", "ar")
DEFAULT_LANGUAGE = "fi"
RTL_LANGUAGES = frozenset({"ar"})
DOMAIN = "somesossu"
FALLBACK_LANGUAGE = "en"

# The CLDR plural categories an integer count can fall in, in the order of the catalog's
# `msgstr[i]` forms (the order its `Plural-Forms` expression numbers them). Russian and
# Ukrainian "other" is for fractions only; counts here are whole numbers. A test checks each
# order against babel's CLDR rules and each catalog's Plural-Forms expression.
PLURAL_CATEGORIES: Mapping[str, tuple[str, ...]] = {
    "fi": ("one", "other"),
    "sv": ("one", "other"),
    "en": ("one", "other"),
    "ru": ("one", "few", "many"),
    "uk": ("one", "few", "many"),
    "ar": ("zero", "one", "two", "few", "many", "other"),
}

# The texts that carry a count, and the placeholder that holds it: the form is chosen by that
# number unless the caller passes `count=` itself. Each is a plural entry in every catalog (a
# test fails on a counted text without every form, or a number placeholder not listed here).
COUNTED_TEXTS: Mapping[str, str] = {
    "privacy_notice": "days",
    "queued": "minutes",
    "queue_position": "minutes",
    "idle_reminder": "minutes",
    "too_long": "max",
    "news_consent": "days",
    "news_opted_in": "days",
}

_LANGUAGE_NAMES = {
    "fi": "Suomi",
    "sv": "Svenska",
    "en": "English",
    "ru": "Русский",
    "uk": "Українська",
    "ar": "العربية",
}
# Babel locale and a pattern a resident reads naturally after "We open again": weekday, date
# and time. Finnish CLDR gives the weekday in the essive ("maanantaina"), which fits the
# sentence; the others are written so that the nominative weekday reads well after a colon.
_WHEN_FORMATS = {
    "fi": ("fi_FI", "EEEE d.M. 'klo' H.mm"),
    "sv": ("sv_FI", "EEEE d MMMM 'kl.' HH.mm"),
    "en": ("en_GB", "EEEE d MMMM 'at' HH:mm"),
    "ru": ("ru_RU", "EEEE, d MMMM, HH:mm"),
    "uk": ("uk_UA", "EEEE, d MMMM, HH:mm"),
    # Western digits: they are what Arabic speakers in Finland see on every clock and phone.
    "ar": ("ar", "EEEE d MMMM، HH:mm"),
}


def _key(message_id: str | tuple[str, ...] | list[str]) -> str:
    """The text key of a catalog entry (a plural entry's id is (singular, plural))."""
    return message_id if isinstance(message_id, str) else message_id[0]


def _complete(message: Message) -> bool:
    """Translated, not fuzzy, and for a plural entry every form written."""
    if message.fuzzy:
        return False
    forms = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    return bool(forms) and all(forms)


class _MissingKey(gettext.NullTranslations):
    """End of the fallback chain: a key even English lacks is a bug, not a blank message."""

    def gettext(self, message: str) -> NoReturn:
        raise KeyError(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> NoReturn:
        raise KeyError(msgid1)


class Texts:
    """Catalogs for all languages, chained so that a missing translation falls back to English."""

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory or Path(__file__).resolve().parent
        self._keys: dict[str, frozenset[str]] = {}
        translations: dict[str, gettext.GNUTranslations] = {}
        for lang in LANGUAGES:
            loaded = self._load(lang)
            if loaded is not None:
                translations[lang] = loaded
        if FALLBACK_LANGUAGE not in translations:
            raise FileNotFoundError(f"no {FALLBACK_LANGUAGE} catalog under {self._directory}")
        english = translations[FALLBACK_LANGUAGE]
        english.add_fallback(_MissingKey())
        for lang, catalog in translations.items():
            if lang != FALLBACK_LANGUAGE:
                catalog.add_fallback(english)
        self._translations = translations

    def _load(self, lang: str) -> gettext.GNUTranslations | None:
        messages = self._directory / lang / "LC_MESSAGES"
        po_path = messages / f"{DOMAIN}.po"
        mo_path = messages / f"{DOMAIN}.mo"
        if mo_path.exists() and (
            not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
        ):
            compiled = mo_path.read_bytes()
            catalog = read_mo(io.BytesIO(compiled))
        elif po_path.exists():
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=lang, domain=DOMAIN)
            for message in list(catalog):
                if message.id and not _complete(message):
                    catalog.delete(message.id, message.context)
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            compiled = buffer.getvalue()
        else:
            return None
        # Untranslated and fuzzy entries are left out of the compiled catalog, so they fall
        # back to English instead of showing an empty message; so is a counted text that lacks
        # one of its plural forms (no count may read as a blank message).
        self._keys[lang] = frozenset(
            _key(message.id) for message in catalog if message.id and _complete(message)
        )
        return gettext.GNUTranslations(io.BytesIO(compiled))

    def text(self, lang: str, key: str, **params: object) -> str:
        """The text for key in lang (unknown lang: Finnish; missing key: English).

        A counted text (`COUNTED_TEXTS`) takes the plural form of the language for the whole
        number in `count=`, or without it, in its counted placeholder (e.g. `minutes`). `count`
        travels with the other parameters so that every caller and adapter protocol that
        passes `**params` keeps working.
        """
        if lang not in LANGUAGES:
            lang = DEFAULT_LANGUAGE
        # A supported language whose catalog file is absent reads English, like a missing key.
        catalog = self._translations.get(lang, self._translations[FALLBACK_LANGUAGE])
        counted = COUNTED_TEXTS.get(key)
        if counted is None:
            if "count" in params:
                raise ValueError(f"text {key!r} has no plural forms")
            return catalog.gettext(key).format(**params)
        number = params["count"] if "count" in params else params.get(counted)
        if not isinstance(number, int) or isinstance(number, bool):
            raise TypeError(f"text {key!r} needs a whole number in {{{counted}}} or count=")
        return catalog.ngettext(key, key, number).format(**params)

    def language_name(self, lang: str) -> str:
        """The language's own name for itself, as shown on the language buttons."""
        return _LANGUAGE_NAMES.get(lang, _LANGUAGE_NAMES[DEFAULT_LANGUAGE])

    def format_when(self, lang: str, moment: datetime, *, zone: ZoneInfo) -> str:
        """Weekday, date and time in `zone`, e.g. "maanantaina 24.11. klo 9.00".

        The zone is the service's (`Settings.zone`), passed by the caller: the catalogs know
        no settings.
        """
        locale, pattern = _WHEN_FORMATS.get(lang, _WHEN_FORMATS[DEFAULT_LANGUAGE])
        # The core keeps naive datetimes only in UTC; never guess a local offset.
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return str(format_datetime(aware, pattern, tzinfo=zone, locale=locale))

    def keys(self) -> frozenset[str]:
        """The keys of the English catalog: the full set every language should have."""
        return self._keys[FALLBACK_LANGUAGE]

    def catalog_keys(self, lang: str) -> frozenset[str]:
        """The keys translated in one language's catalog (for completeness checks)."""
        return self._keys.get(lang, frozenset())
