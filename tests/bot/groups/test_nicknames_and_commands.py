"""Nicknames (deterministic, unique, per language) and the group command parser."""

from __future__ import annotations

import pytest

from bot.groups.commands import GroupCommand, parse_group_choice, parse_group_text
from bot.groups.nicknames import candidates, nickname_for
from bot.texts import LANGUAGES

PEPPER = b"p" * 32


def test_nickname_is_stable_per_session_and_differs_between_sessions() -> None:
    first = nickname_for(PEPPER, "s1", "p_abc", "fi", ())
    assert nickname_for(PEPPER, "s1", "p_abc", "fi", ()) == first
    others = {nickname_for(PEPPER, f"s{n}", "p_abc", "fi", ()) for n in range(2, 12)}
    assert len(others - {first}) >= 5


def test_nicknames_are_unique_within_a_session_even_beyond_the_word_lists() -> None:
    taken: set[str] = set()
    for number in range(len(candidates("en")) + 5):
        taken.add(nickname_for(PEPPER, "s", f"p_{number}", "en", taken))
    assert len(taken) == len(candidates("en")) + 5


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_its_own_nicknames(language: str) -> None:
    names = candidates(language)
    assert len(set(names)) == len(names) >= 200


@pytest.mark.parametrize(
    ("text", "command", "argument"),
    [
        ("/join kahvi7", GroupCommand.JOIN, "KAHVI7"),
        ("liity KAHVI7", GroupCommand.JOIN, "KAHVI7"),
        ("gå med KAFFE12", GroupCommand.JOIN, "KAFFE12"),
        ("/leave", GroupCommand.LEAVE, ""),
        ("Poistu ryhmästä!", GroupCommand.LEAVE, ""),
        ("/news", GroupCommand.NEWS, ""),
        ("tilaa uutiset 3", GroupCommand.NEWS, "3"),
        ("/stopnews", GroupCommand.STOP_NEWS, ""),
        ("отписаться от новостей", GroupCommand.STOP_NEWS, ""),
    ],
)
def test_group_commands_are_recognised(text: str, command: GroupCommand, argument: str) -> None:
    parsed = parse_group_text(text)
    assert parsed is not None and (parsed.command, parsed.argument) == (command, argument)


@pytest.mark.parametrize(
    "text", ["join us", "liity", "I want to join KAHVI7 later", "leave", "news", "hei", "/start"]
)
def test_ordinary_sentences_are_never_group_commands(text: str) -> None:
    assert parse_group_text(text) is None


def test_button_values_map_to_requests_and_foreign_buttons_are_ignored() -> None:
    join = parse_group_choice("group:join:kahvi7")
    assert join is not None and join.argument == "KAHVI7"
    assert parse_group_choice("lang:fi") is None
    assert parse_group_choice("group:fb:s:t:yes") is not None
