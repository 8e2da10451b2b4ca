"""Every resident-facing sentence, looked up by key from gettext catalogs in six languages.

Never builds resident-facing text from English literals in code, and never needs a build step.
"""

from __future__ import annotations

import gettext
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("fi", "sv", "en", "ru", "uk", "ar")
DEFAULT_LANGUAGE = "fi"
RTL_LANGUAGES = frozenset({"ar"})
DOMAIN = "somesossu"
FALLBACK_LANGUAGE = "en"
HELSINKI = ZoneInfo("Europe/Helsinki")

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


class _MissingKey(gettext.NullTranslations):
    """End of the fallback chain: a key even English lacks is a bug, not a blank message."""

    def gettext(self, message: str) -> NoReturn:
        raise KeyError(message)


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
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            compiled = buffer.getvalue()
        else:
            return None
        # Untranslated and fuzzy entries are left out of the compiled catalog, so they fall
        # back to English instead of showing an empty message.
        self._keys[lang] = frozenset(
            str(message.id)
            for message in catalog
            if message.id and message.string and not message.fuzzy
        )
        return gettext.GNUTranslations(io.BytesIO(compiled))

    def text(self, lang: str, key: str, **params: object) -> str:
        """The text for key in lang (unknown lang: Finnish; missing key: English)."""
        if lang not in LANGUAGES:
            lang = DEFAULT_LANGUAGE
        # A supported language whose catalog file is absent reads English, like a missing key.
        catalog = self._translations.get(lang, self._translations[FALLBACK_LANGUAGE])
        return catalog.gettext(key).format(**params)

    def language_name(self, lang: str) -> str:
        """The language's own name for itself, as shown on the language buttons."""
        return _LANGUAGE_NAMES.get(lang, _LANGUAGE_NAMES[DEFAULT_LANGUAGE])

    def format_when(self, lang: str, moment: datetime) -> str:
        """Weekday, date and time in Helsinki, e.g. "maanantaina 24.11. klo 9.00"."""
        locale, pattern = _WHEN_FORMATS.get(lang, _WHEN_FORMATS[DEFAULT_LANGUAGE])
        # The core keeps naive datetimes only in UTC; never guess a local offset.
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return str(format_datetime(aware, pattern, tzinfo=HELSINKI, locale=locale))

    def keys(self) -> frozenset[str]:
        """The keys of the English catalog: the full set every language should have."""
        return self._keys[FALLBACK_LANGUAGE]

    def catalog_keys(self, lang: str) -> frozenset[str]:
        """The keys translated in one language's catalog (for completeness checks)."""
        return self._keys.get(lang, frozenset())
