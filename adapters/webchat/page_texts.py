"""The web-chat page's own labels (buttons, headings, status lines) in the six languages.

Read from the gettext catalogs (`webchat_*` keys in bot/texts/*/somesossu.po); never shows a
resident an untranslated key (a test checks every key is in every catalog).
"""

from __future__ import annotations

from typing import Protocol


class TextCatalog(Protocol):
    """What the adapter needs of `bot.texts.Texts` (structural, so adapters stay core-free)."""

    def text(self, lang: str, key: str, **params: object) -> str: ...

    def language_name(self, lang: str) -> str: ...

    def keys(self) -> frozenset[str]: ...


PAGE_KEYS: tuple[str, ...] = (
    "webchat_title",
    "webchat_transcript_label",
    "webchat_input_label",
    "webchat_send",
    "webchat_leave",
    "webchat_remember_device",
    "webchat_remember_device_hint",
    "webchat_forget",
    "webchat_forget_confirm",
    "webchat_forgotten",
    "webchat_you",
    "webchat_service",
    "webchat_counsellor",
    "webchat_talking_with",
    "webchat_status_ended",
    "webchat_connecting",
    "webchat_reconnecting",
    "webchat_sending",
    "webchat_choices_label",
    "webchat_change_language",
    "webchat_too_many_connections",
    "webchat_attach",
    "webchat_attach_hint",
    "webchat_file_sent",
    "webchat_download",
    "webchat_record",
    "webchat_recording",
    "webchat_record_send",
    "webchat_record_cancel",
    "webchat_record_discarded",
    "webchat_record_denied",
)


def page_text(catalog: TextCatalog, lang: str, key: str, **params: object) -> str:
    """A page label in the resident's language (English where a catalog lacks it)."""
    return catalog.text(lang, key, **params)


def page_texts(catalog: TextCatalog, lang: str) -> dict[str, str]:
    """Every page label in one language; `{name}` stays a placeholder for the script."""
    return {key: page_text(catalog, lang, key, name="{name}") for key in PAGE_KEYS}
