from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands import COMMAND_WORDS, Command, command_word, parse_command
from bot.texts import LANGUAGES

PLAIN_COMMANDS = (Command.HELP, Command.LANGUAGE, Command.END, Command.DELETE, Command.CODE)

EXAMPLES = {
    "fi": {
        Command.HELP: ("apua", "Ohje"),
        Command.LANGUAGE: ("kieli", "vaihda kieli"),
        Command.END: ("lopeta", "Lopeta keskustelu"),
        Command.DELETE: ("poista", "poista tietoni"),
        Command.CODE: ("koodini", "viitekoodi"),
    },
    "sv": {
        Command.HELP: ("hjälp",),
        Command.LANGUAGE: ("språk",),
        Command.END: ("avsluta",),
        Command.DELETE: ("radera", "radera mina uppgifter"),
        Command.CODE: ("min kod",),
    },
    "en": {
        Command.HELP: ("help",),
        Command.LANGUAGE: ("language",),
        Command.END: ("end", "end chat"),
        Command.DELETE: ("delete", "delete my data"),
        Command.CODE: ("my code", "reference code"),
    },
    "ru": {
        Command.HELP: ("помощь",),
        Command.LANGUAGE: ("язык",),
        Command.END: ("завершить",),
        Command.DELETE: ("удалить", "удалить мои данные"),
        Command.CODE: ("мой код",),
    },
    "uk": {
        Command.HELP: ("допомога",),
        Command.LANGUAGE: ("мова",),
        Command.END: ("завершити",),
        Command.DELETE: ("видалити", "видалити мої дані"),
        Command.CODE: ("мій код",),
    },
    "ar": {
        Command.HELP: ("مساعدة",),
        Command.LANGUAGE: ("لغة",),
        Command.END: ("إنهاء",),
        Command.DELETE: ("احذف", "احذف بياناتي"),
        Command.CODE: ("رمزي",),
    },
}


@pytest.mark.parametrize(
    ("text", "command"),
    [
        (text, command)
        for words in EXAMPLES.values()
        for command, texts in words.items()
        for text in texts
    ],
)
def test_each_command_word_of_each_language_parses(text: str, command: Command) -> None:
    assert parse_command(text) is command


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_a_word_for_every_plain_command(lang: str) -> None:
    for command in PLAIN_COMMANDS:
        word = command_word(lang, command)
        assert word == COMMAND_WORDS[lang][command][0]
        assert parse_command(word) is command


def test_every_listed_word_parses_to_its_own_command() -> None:
    for words in COMMAND_WORDS.values():
        for command, phrases in words.items():
            for phrase in phrases:
                assert parse_command(phrase) is command, phrase


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("/start", Command.START),
        ("/help", Command.HELP),
        ("/language", Command.LANGUAGE),
        ("/end", Command.END),
        ("/delete", Command.DELETE),
        ("/code", Command.CODE),
        ("/apua", Command.HELP),
        ("/kieli", Command.LANGUAGE),
        ("/lopeta", Command.END),
        ("/poista", Command.DELETE),
        ("/koodi", Command.CODE),
        ("/hjälp", Command.HELP),
        ("/удалить", Command.DELETE),
        ("/poista_tietoni", Command.DELETE),
        ("/my_code", Command.CODE),
        ("/HELP", Command.HELP),
    ],
)
def test_slash_commands_and_localised_slash_aliases(text: str, command: Command) -> None:
    assert parse_command(text) is command


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("/help@helsinki_bot", Command.HELP),
        ("/start@HelsinkiSossuBot", Command.START),
        ("/poista@helsinki_bot", Command.DELETE),
        ("/start abc123", Command.START),
        ("/start@helsinki_bot deep-link-payload", Command.START),
    ],
)
def test_slash_commands_accept_a_telegram_bot_suffix_and_arguments(
    text: str, command: Command
) -> None:
    assert parse_command(text) is command


@pytest.mark.parametrize("text", ["/foo", "/settings", "/ok@helsinki_bot", "/kiitos"])
def test_unknown_slash_command_is_unknown(text: str) -> None:
    assert parse_command(text) is Command.UNKNOWN


@pytest.mark.parametrize("text", ["/", "/ hello", "/home/user/file.txt", "//help"])
def test_slash_that_is_not_a_command_shape_is_an_ordinary_message(text: str) -> None:
    assert parse_command(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "I want to end my contract",
        "voitko auttaa, tarvitsen apua asunnon kanssa",
        "I need help with rent",
        "please delete the old address from my application",
        "what is my code for the door",
        "ok",
        "yes",
        "no",
        "kiitos",
        "stop",
        "loppu",
        "конец",
        "кінець",
        "code",
        "",
        "   ",
        "apua apua",
        "kieli on vaikea",
        "помощь нужна срочно",
        "أحتاج مساعدة في السكن",
    ],
)
def test_ordinary_replies_and_sentences_are_not_commands(text: str) -> None:
    assert parse_command(text) is None


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("  HELP  ", Command.HELP),
        ("Help!", Command.HELP),
        ("help?!", Command.HELP),
        ("Apua!!!", Command.HELP),
        ("poista   tietoni.", Command.DELETE),
        ("Lopeta\tkeskustelu", Command.END),
        ('"delete"', Command.DELETE),
        ("”poista”", Command.DELETE),
        ("«удалить»", Command.DELETE),
        ("hjalp", Command.HELP),
        ("ＨＥＬＰ", Command.HELP),
        ("МОЙ КОД", Command.CODE),
        ("مساعدة؟", Command.HELP),
        ("انهاء", Command.END),
        ("لغه", Command.LANGUAGE),
    ],
)
def test_case_punctuation_quotes_width_and_spacing_do_not_matter(
    text: str, command: Command
) -> None:
    assert parse_command(text) is command


def test_residents_may_mix_languages() -> None:
    assert parse_command("delete") is Command.DELETE
    assert parse_command("poista") is Command.DELETE
    assert parse_command("видалити") is Command.DELETE


def test_start_is_only_a_slash_command() -> None:
    assert parse_command("start") is None
    assert command_word("fi", Command.START) == "/start"


def test_unknown_language_falls_back_to_english_words() -> None:
    assert command_word("xx", Command.HELP) == "help"


def test_unknown_has_no_command_word() -> None:
    with pytest.raises(ValueError, match="no command word"):
        command_word("fi", Command.UNKNOWN)


@given(st.text(max_size=200))
def test_parser_never_raises_and_only_slash_text_can_be_unknown(text: str) -> None:
    result = parse_command(text)
    if result is Command.UNKNOWN:
        assert text.strip().startswith("/") or text.strip().startswith("／")


@given(st.text(alphabet=st.characters(categories=("L", "Zs")), min_size=1, max_size=40))
def test_a_command_word_inside_a_longer_sentence_is_never_a_command(prefix: str) -> None:
    sentence = f"{prefix.strip() or 'x'} zz {command_word('en', Command.END)} zz"
    assert parse_command(sentence) is None
