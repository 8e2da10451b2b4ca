from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.commands import Command, command_word, parse_command
from bot.texts import DEFAULT_LANGUAGE, LANGUAGES, RTL_LANGUAGES, Texts

CATALOG_DIR = Path(__file__).resolve().parents[2] / "bot" / "texts"
REQUIRED_KEYS = {
    "privacy_notice", "choose_language", "choose_topic", "numbered_hint", "queued",
    "queue_position", "queue_next", "closed_now", "message_saved_closed", "emergency_numbers",
    "crisis", "counsellor_joined", "transferred", "chat_ended", "ended_by_resident",
    "feedback_rating", "feedback_helped", "feedback_thanks", "yes", "no", "skip", "help",
    "language_changed", "deleted", "reference_code", "blocked", "idle_reminder", "idle_closed",
    "media_unsupported", "too_long", "rate_limited", "unknown_command", "not_understood_choice",
    "error_try_again", "counsellor_left", "pii_hidden_notice", "topic_housing", "topic_money",
    "topic_work", "topic_health", "topic_immigration", "topic_other",
}  # fmt: skip
# Words shown in quotes in any of the languages' quotation styles.
QUOTED = re.compile(r'"([^"]+)"|”([^”]+)”|«([^»]+)»|“([^”]+)”')
HOTLINE = "09 2525 0111"


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts()


def _po(lang: str) -> Path:
    return CATALOG_DIR / lang / "LC_MESSAGES" / "somesossu.po"


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _all_params() -> dict[str, object]:
    return {
        "days": 30, "position": 3, "minutes": 15, "when": "WHEN", "name": "Aino",
        "language": "Suomi", "code": "K7P-3QX", "max": 4000, "help_word": "help",
        "agenda": "AGENDA", "join_word": "liity", "leave_word": "poistu", "news_word": "uutiset",
        "stop_word": "lopeta uutiset", "nickname": "Sininen haikara", "placeholders": "[PHONE]",
        "text": "TEXT", "title": "TITLE", "topics": "TOPICS", "topic": "TOPIC",
    }  # fmt: skip


def test_english_catalog_has_every_key_the_core_uses(texts: Texts) -> None:
    assert REQUIRED_KEYS <= texts.keys()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalog_translates_every_english_key(texts: Texts, lang: str) -> None:
    assert texts.catalog_keys(lang) == texts.keys()
    for key in texts.keys():
        assert texts.text(lang, key, **_all_params()).strip()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_identical_to_english(lang: str) -> None:
    with _po("en").open("rb") as english_file:
        english = {m.id: m.string for m in read_po(english_file) if m.id}
    with _po(lang).open("rb") as po_file:
        catalog = {m.id: m.string for m in read_po(po_file) if m.id}
    for key, source in english.items():
        assert _placeholders(catalog[key]) == _placeholders(source), (lang, key)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_catalog_parses_with_babel_and_carries_the_review_warning(lang: str) -> None:
    with _po(lang).open("rb") as po_file:
        catalog = read_po(po_file, locale=lang)
    assert str(catalog.locale) == lang
    assert "review by a native-speaking social worker" in (catalog.language_team or "")
    assert catalog.last_translator
    assert not any(message.fuzzy for message in catalog if message.id)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_emergency_texts_keep_the_exact_numbers(texts: Texts, lang: str) -> None:
    for key in ("emergency_numbers", "crisis"):
        rendered = texts.text(lang, key)
        assert "112" in rendered
        assert HOTLINE in rendered
    assert "112" in texts.text(lang, "privacy_notice", days=30)


def test_unknown_language_falls_back_to_finnish(texts: Texts) -> None:
    assert DEFAULT_LANGUAGE == "fi"
    assert texts.text("de", "yes") == texts.text("fi", "yes") == "Kyllä"


def test_key_missing_from_a_catalog_falls_back_to_english(tmp_path: Path) -> None:
    for lang in ("en", "fi"):
        target = tmp_path / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        (target / "somesossu.po").write_text(_po(lang).read_text(encoding="utf-8"))
    finnish = target / "somesossu.po"
    finnish.write_text(
        re.sub(r'msgstr "Jokin muu"', 'msgstr ""', finnish.read_text(encoding="utf-8"))
    )
    texts = Texts(tmp_path)
    assert texts.text("fi", "topic_other") == "Something else"
    assert texts.text("fi", "topic_housing") == "Asuminen"
    assert texts.text("sv", "topic_housing") == "Housing"  # no Swedish catalog at all


def test_key_missing_from_english_raises(texts: Texts) -> None:
    with pytest.raises(KeyError):
        texts.text("fi", "no_such_key")
    with pytest.raises(KeyError):
        texts.text("en", "no_such_key")


def test_parameters_are_substituted(texts: Texts) -> None:
    assert texts.text("en", "counsellor_joined", name="Aino") == "Aino has joined the chat."
    assert "4000" in texts.text("fi", "too_long", max=4000)


def test_compiled_mo_newer_than_po_is_used(tmp_path: Path) -> None:
    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    po_path = target / "somesossu.po"
    po_path.write_text(_po("en").read_text(encoding="utf-8"))
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale="en")
    catalog["yes"].string = "Yes (compiled)"
    with (target / "somesossu.mo").open("wb") as mo_file:
        write_mo(mo_file, catalog)
    assert Texts(tmp_path).text("en", "yes") == "Yes (compiled)"


def test_missing_english_catalog_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Texts(tmp_path)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_format_when_gives_weekday_date_and_helsinki_hour(texts: Texts, lang: str) -> None:
    moment = datetime(2025, 11, 24, 7, 0, tzinfo=UTC)  # 09:00 in Helsinki (UTC+2)
    rendered = texts.format_when(lang, moment)
    assert rendered.strip()
    assert "9" in rendered
    assert "24" in rendered
    assert "07" not in rendered


def test_format_when_examples(texts: Texts) -> None:
    moment = datetime(2025, 11, 24, 7, 0, tzinfo=UTC)
    assert texts.format_when("fi", moment) == "maanantaina 24.11. klo 9.00"
    assert texts.format_when("en", moment) == "Monday 24 November at 09:00"


def test_format_when_follows_summer_time_and_treats_naive_as_utc(texts: Texts) -> None:
    summer = datetime(2025, 6, 2, 6, 0)  # naive UTC; Helsinki is UTC+3 in June
    assert texts.format_when("en", summer) == "Monday 2 June at 09:00"


def test_only_arabic_is_right_to_left() -> None:
    assert frozenset({"ar"}) == RTL_LANGUAGES


def test_language_names_are_native(texts: Texts) -> None:
    names = [texts.language_name(lang) for lang in LANGUAGES]
    assert names == ["Suomi", "Svenska", "English", "Русский", "Українська", "العربية"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_help_word_in_unknown_command_text_parses_as_help(texts: Texts, lang: str) -> None:
    rendered = texts.text(lang, "unknown_command", help_word=command_word(lang, Command.HELP))
    quoted = [next(group for group in match if group) for match in QUOTED.findall(rendered)]
    assert quoted
    assert all(parse_command(word) is Command.HELP for word in quoted)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_help_text_lists_every_command_with_words_that_parse(texts: Texts, lang: str) -> None:
    rendered = texts.text(lang, "help")
    quoted = [next(group for group in match if group) for match in QUOTED.findall(rendered)]
    parsed = [parse_command(word) for word in quoted]
    assert parsed == [Command.HELP, Command.LANGUAGE, Command.END, Command.DELETE, Command.CODE]
    assert quoted == [
        command_word(lang, command)
        for command in (Command.HELP, Command.LANGUAGE, Command.END, Command.DELETE, Command.CODE)
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_privacy_notice_names_the_delete_word_of_its_language(texts: Texts, lang: str) -> None:
    rendered = texts.text(lang, "privacy_notice", days=30)
    quoted = [next(group for group in match if group) for match in QUOTED.findall(rendered)]
    assert quoted == [command_word(lang, Command.DELETE)]
    assert "30" in rendered


def test_choose_language_is_very_short_in_every_language(texts: Texts) -> None:
    for lang in LANGUAGES:
        assert len(texts.text(lang, "choose_language")) <= 25
