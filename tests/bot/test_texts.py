from __future__ import annotations

import gettext
import re
import string
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.commands import Command, command_word, parse_command
from bot.texts import (
    COUNTED_TEXTS,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    PLURAL_CATEGORIES,
    RTL_LANGUAGES,
    Texts,
)

HELSINKI = ZoneInfo("Europe/Helsinki")

CATALOG_DIR = Path(__file__).resolve().parents[2] / "bot" / "texts"
REQUIRED_KEYS = {
    "privacy_notice", "choose_language", "choose_topic", "numbered_hint", "queued",
    "queue_position", "queue_next", "closed_now", "message_saved_closed", "emergency_numbers",
    "crisis", "counsellor_joined", "transferred", "chat_ended", "ended_by_resident",
    "feedback_rating", "feedback_helped", "feedback_thanks", "yes", "no", "skip", "help",
    "language_changed", "deleted", "reference_code", "blocked", "idle_reminder", "idle_closed",
    "media_unsupported", "too_long", "rate_limited", "unknown_command", "not_understood_choice",
    "error_try_again", "counsellor_left", "pii_hidden_notice", "topic_housing", "topic_money",
    "topic_work", "topic_health", "topic_immigration", "topic_other", "resident_choice",
    "returning_question", "returning_agreed", "returning_declined",
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
        "text": "TEXT", "title": "TITLE", "topics": "TOPICS", "topic": "TOPIC", "choice": "CHOICE",
        "organisation": "ORGANISATION", "purpose": "PURPOSE",
    }  # fmt: skip


def test_english_catalog_has_every_key_the_core_uses(texts: Texts) -> None:
    assert REQUIRED_KEYS <= texts.keys()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalog_translates_every_english_key(texts: Texts, lang: str) -> None:
    assert texts.catalog_keys(lang) == texts.keys()
    for key in texts.keys():
        assert texts.text(lang, key, **_all_params()).strip()


def _catalog(lang: str) -> Catalog:
    with _po(lang).open("rb") as po_file:
        return read_po(po_file, locale=lang)


def _forms(message_string: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """A catalog entry's texts: one for a plain entry, one per plural form for a counted one."""
    if isinstance(message_string, str):
        return (message_string,)
    return tuple(message_string)


def _entries(lang: str) -> dict[str, tuple[str, ...]]:
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): _forms(m.string)
        for m in _catalog(lang)
        if m.id
    }


def _single_number_categories(lang: str) -> set[str]:
    """Categories that hold exactly one whole number (Arabic "one" and "two", "zero"): their
    form may say the number in words ("يومين", two days) instead of the digit."""
    rule = Locale.parse(lang).plural_form
    members: dict[str, int] = {}
    for n in range(0, 1000):
        members[rule(n)] = members.get(rule(n), 0) + 1
    return {category for category, size in members.items() if size == 1}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_identical_to_english(lang: str) -> None:
    english = _entries("en")
    catalog = _entries(lang)
    single = _single_number_categories(lang)
    for key, sources in english.items():
        expected = _placeholders(sources[0])
        assert all(_placeholders(source) == expected for source in sources), ("en", key)
        for category, form in zip(PLURAL_CATEGORIES[lang], catalog[key], strict=False):
            found = _placeholders(form)
            if key in COUNTED_TEXTS and category in single:
                found |= {COUNTED_TEXTS[key]}
            assert found == expected, (lang, key, category)


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
    rendered = texts.format_when(lang, moment, zone=HELSINKI)
    assert rendered.strip()
    assert "9" in rendered
    assert "24" in rendered
    assert "07" not in rendered


def test_format_when_examples(texts: Texts) -> None:
    moment = datetime(2025, 11, 24, 7, 0, tzinfo=UTC)
    assert texts.format_when("fi", moment, zone=HELSINKI) == "maanantaina 24.11. klo 9.00"
    assert texts.format_when("en", moment, zone=HELSINKI) == "Monday 24 November at 09:00"


def test_format_when_follows_summer_time_and_treats_naive_as_utc(texts: Texts) -> None:
    summer = datetime(2025, 6, 2, 6, 0)  # naive UTC; Helsinki is UTC+3 in June
    assert texts.format_when("en", summer, zone=HELSINKI) == "Monday 2 June at 09:00"


def test_format_when_shows_the_zone_it_is_given(texts: Texts) -> None:
    moment = datetime(2025, 11, 24, 7, 0, tzinfo=UTC)
    assert texts.format_when("en", moment, zone=ZoneInfo("UTC")) == "Monday 24 November at 07:00"
    stockholm = ZoneInfo("Europe/Stockholm")
    assert texts.format_when("en", moment, zone=stockholm) == "Monday 24 November at 08:00"


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
    listed = (
        Command.HELP,
        Command.LANGUAGE,
        Command.END,
        Command.DELETE,
        Command.CODE,
        Command.REMEMBER,
        Command.FORGET,
    )
    assert parsed == list(listed)
    assert quoted == [command_word(lang, command) for command in listed]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_returning_answers_name_the_words_that_undo_them(texts: Texts, lang: str) -> None:
    def commands_quoted(key: str) -> list[Command | None]:
        rendered = texts.text(lang, key)
        quoted = [next(group for group in match if group) for match in QUOTED.findall(rendered)]
        return [parse_command(word) for word in quoted]

    assert commands_quoted("returning_agreed") == [Command.FORGET]
    assert commands_quoted("returning_declined") == [Command.REMEMBER, Command.DELETE]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_consultants_arrival_names_the_phrase_and_button_that_send_them_away(
    texts: Texts, lang: str
) -> None:
    rendered = texts.text(lang, "consult_agreed")
    quoted = [next(group for group in match if group) for match in QUOTED.findall(rendered)]
    assert [parse_command(word) for word in quoted] == [Command.END_CONSULT]
    assert parse_command(texts.text(lang, "consult_end_button")) is Command.END_CONSULT


@pytest.mark.parametrize("lang", LANGUAGES)
def test_privacy_notice_names_the_delete_word_of_its_language(texts: Texts, lang: str) -> None:
    rendered = texts.text(lang, "privacy_notice", days=30)
    quoted = [next(group for group in match if group) for match in QUOTED.findall(rendered)]
    assert quoted == [command_word(lang, Command.DELETE)]
    assert "30" in rendered


def test_choose_language_is_very_short_in_every_language(texts: Texts) -> None:
    for lang in LANGUAGES:
        assert len(texts.text(lang, "choose_language")) <= 25


# Plural rules (CLDR through gettext ngettext). Counts the issue names, plus 21 and 102 where
# Russian/Ukrainian and Arabic turn back to an earlier form.
COUNTS = (0, 1, 2, 3, 5, 11, 21, 100, 102)
# Placeholder names that hold a number of something: a text using one must be counted.
COUNT_NAMES = {"days", "hours", "minutes", "seconds", "weeks", "months", "max", "count"}


def _counted_params(key: str, n: int) -> dict[str, object]:
    return {**_all_params(), COUNTED_TEXTS[key]: n}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_categories_follow_cldr_and_the_catalogs_plural_forms_rule(lang: str) -> None:
    catalog = _catalog(lang)
    assert catalog.num_plurals == len(PLURAL_CATEGORIES[lang])
    choose_form = gettext.c2py(catalog.plural_expr)
    rule = Locale.parse(lang).plural_form
    for n in range(0, 1000):
        category = rule(n)
        assert category in PLURAL_CATEGORIES[lang], (lang, n, category)
        assert choose_form(n) == PLURAL_CATEGORIES[lang].index(category), (lang, n, category)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_counted_text_has_every_plural_form_of_the_language(lang: str) -> None:
    catalog = _catalog(lang)
    plural_keys = {m.id[0] for m in catalog if m.id and isinstance(m.id, tuple)}
    assert plural_keys == set(COUNTED_TEXTS), lang
    for key, placeholder in COUNTED_TEXTS.items():
        forms = _forms(catalog[key].string)
        assert len(forms) == len(PLURAL_CATEGORIES[lang]), (lang, key)
        assert all(form.strip() for form in forms), (lang, key)
        if lang == "en":
            assert all(placeholder in _placeholders(form) for form in forms), key


def test_every_text_with_a_number_of_something_is_counted() -> None:
    for key, sources in _entries("en").items():
        numbers = _placeholders(sources[0]) & COUNT_NAMES
        if numbers:
            assert COUNTED_TEXTS.get(key) in numbers, key


@pytest.mark.parametrize("n", COUNTS)
@pytest.mark.parametrize("key", sorted(COUNTED_TEXTS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_counted_text_takes_the_form_of_the_cldr_category_of_its_count(
    texts: Texts, lang: str, key: str, n: int
) -> None:
    forms = _forms(_catalog(lang)[key].string)
    category = Locale.parse(lang).plural_form(n)
    expected = forms[PLURAL_CATEGORIES[lang].index(category)]
    params = _counted_params(key, n)
    assert texts.text(lang, key, **params) == expected.format(**params)
    assert texts.text(lang, key, count=n, **params) == expected.format(**params)


@pytest.mark.parametrize(
    ("n", "word"),
    [(0, "0 دقيقة"), (1, "دقيقة واحدة"), (2, "دقيقتين"), (3, "3 دقائق"), (10, "10 دقائق"),
     (11, "11 دقيقة"), (99, "99 دقيقة"), (100, "100 دقيقة"), (103, "103 دقائق")],
)  # fmt: skip
def test_arabic_minutes_agree_with_the_number(texts: Texts, n: int, word: str) -> None:
    rendered = texts.text("ar", "queued", position=2, minutes=n)
    assert rendered.endswith(f"حوالي {word}.")
    assert texts.text("ar", "idle_reminder", minutes=n) == (
        f"هل ما زلت هنا؟ ستنتهي المحادثة بعد {word} إذا لم ترد."
    )


@pytest.mark.parametrize(
    ("n", "word"),
    [(1, "1 минута"), (2, "2 минуты"), (5, "5 минут"), (11, "11 минут"), (21, "21 минута"),
     (22, "22 минуты"), (0, "0 минут"), (100, "100 минут")],
)  # fmt: skip
def test_russian_minutes_agree_with_the_number(texts: Texts, n: int, word: str) -> None:
    assert texts.text("ru", "queued", position=2, minutes=n).endswith(f"ожидания: {word}.")


def test_russian_and_ukrainian_days_and_english_minutes(texts: Texts) -> None:
    assert "через 1 день после" in texts.text("ru", "privacy_notice", days=1)
    assert "через 3 дня после" in texts.text("ru", "privacy_notice", days=3)
    assert "через 30 дней после" in texts.text("ru", "privacy_notice", days=30)
    assert "через 2 дні після" in texts.text("uk", "privacy_notice", days=2)
    assert "через 30 днів після" in texts.text("uk", "privacy_notice", days=30)
    assert texts.text("en", "idle_reminder", minutes=1).startswith(
        "Are you still there? The chat will end in 1 minute if"
    )
    assert "in 5 minutes if" in texts.text("en", "idle_reminder", minutes=5)
    assert "noin 1 minuutti." in texts.text("fi", "queued", position=1, minutes=1)
    assert "noin 4 minuuttia." in texts.text("fi", "queued", position=1, minutes=4)


def test_explicit_count_chooses_the_form_and_is_refused_on_a_plain_text(texts: Texts) -> None:
    assert "ожидания: 2 минуты." in texts.text("ru", "queued", count=2, position=1, minutes=2)
    with pytest.raises(ValueError):
        texts.text("en", "yes", count=2)
    with pytest.raises(TypeError):
        texts.text("en", "queued", position=1, minutes="5")


def test_counted_text_missing_a_plural_form_falls_back_to_english(tmp_path: Path) -> None:
    for lang in ("en", "ar"):
        target = tmp_path / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        (target / "somesossu.po").write_text(_po(lang).read_text(encoding="utf-8"))
    arabic = tmp_path / "ar" / "LC_MESSAGES" / "somesossu.po"
    source = arabic.read_text(encoding="utf-8")
    # Drop the "many" form (11-99) of one counted text.
    start = source.index('msgid "idle_reminder"')
    many = source.index("msgstr[4] ", start)
    line_end = source.index("\n", many)
    arabic.write_text(source[:many] + source[line_end + 1 :])
    texts = Texts(tmp_path)
    assert "idle_reminder" not in texts.catalog_keys("ar")
    assert texts.text("ar", "idle_reminder", minutes=11) == texts.text(
        "en", "idle_reminder", minutes=11
    )
    assert "دقيقتين" in texts.text("ar", "queued", position=1, minutes=2)
