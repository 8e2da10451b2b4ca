"""Recognises the group commands a resident types or presses: join, leave, news, stop news.

A plain-word join needs a code that looks like one ("liity KAHVI7"), so an ordinary sentence is
never swallowed; slash forms ("/join KAHVI7") always count. Never decides anything itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from bot.commands import normalise_command_text, phrase_lookup


class GroupCommand(StrEnum):
    JOIN = "join"
    LEAVE = "leave"
    NEWS = "news"
    STOP_NEWS = "stop_news"
    FEEDBACK = "feedback"


@dataclass(frozen=True, slots=True)
class GroupRequest:
    command: GroupCommand
    argument: str = ""
    """The join code, the news choice ("<topic>:<language>" or a number), the feedback token."""
    answer: str = ""


# The first word of each tuple is the one shown in texts.
_WORDS: dict[str, dict[GroupCommand, tuple[str, ...]]] = {
    "fi": {
        GroupCommand.JOIN: ("liity", "liity ryhmään"),
        GroupCommand.LEAVE: ("poistu ryhmästä", "lähde ryhmästä"),
        GroupCommand.NEWS: ("tilaa uutiset", "ryhmäuutiset"),
        GroupCommand.STOP_NEWS: ("lopeta uutiset", "peru uutiset"),
    },
    "sv": {
        GroupCommand.JOIN: ("gå med", "gå med i gruppen"),
        GroupCommand.LEAVE: ("lämna gruppen",),
        GroupCommand.NEWS: ("beställ nyheter", "gruppnyheter"),
        GroupCommand.STOP_NEWS: ("stoppa nyheter", "avbeställ nyheter"),
    },
    "en": {
        GroupCommand.JOIN: ("join", "join group"),
        GroupCommand.LEAVE: ("leave group", "leave the group"),
        GroupCommand.NEWS: ("get news", "group news"),
        GroupCommand.STOP_NEWS: ("stop news", "no more news"),
    },
    "ru": {
        GroupCommand.JOIN: ("войти", "войти в группу"),
        GroupCommand.LEAVE: ("выйти из группы",),
        GroupCommand.NEWS: ("подписаться на новости", "новости групп"),
        GroupCommand.STOP_NEWS: ("отписаться от новостей",),
    },
    "uk": {
        GroupCommand.JOIN: ("увійти", "увійти до групи"),
        GroupCommand.LEAVE: ("вийти з групи",),
        GroupCommand.NEWS: ("підписатися на новини", "новини груп"),
        GroupCommand.STOP_NEWS: ("відписатися від новин",),
    },
    "ar": {
        GroupCommand.JOIN: ("انضم", "انضم إلى المجموعة"),
        GroupCommand.LEAVE: ("غادر المجموعة",),
        GroupCommand.NEWS: ("اشترك في الأخبار", "أخبار المجموعات"),
        GroupCommand.STOP_NEWS: ("أوقف الأخبار", "إلغاء الأخبار"),
    },
}
_SLASH: dict[str, GroupCommand] = {
    "join": GroupCommand.JOIN,
    "liity": GroupCommand.JOIN,
    "leave": GroupCommand.LEAVE,
    "poistu": GroupCommand.LEAVE,
    "lamna": GroupCommand.LEAVE,
    "news": GroupCommand.NEWS,
    "uutiset": GroupCommand.NEWS,
    "nyheter": GroupCommand.NEWS,
    "stopnews": GroupCommand.STOP_NEWS,
    "stop_news": GroupCommand.STOP_NEWS,
    "lopetauutiset": GroupCommand.STOP_NEWS,
    "stoppanyheter": GroupCommand.STOP_NEWS,
}
# Codes are a short word and one or two digits ("KAHVI7"): an ordinary word never matches.
CODE = re.compile(r"[^\W\d_]{3,10}\d{1,2}")
_SLASH_FORM = re.compile(r"/(?P<name>[^\s@/]+)(?:@\w+)?(?:\s+(?P<rest>.*))?", re.DOTALL)
_CHOICE_PREFIXES = ("group:", "news:")


_PLAIN = phrase_lookup(_WORDS)
_JOIN_WORDS = tuple(sorted((k for k, c in _PLAIN.items() if c is GroupCommand.JOIN), key=len))
_NEWS_WORDS = tuple(k for k, c in _PLAIN.items() if c is GroupCommand.NEWS)


def normalise_code(code: str) -> str:
    return unicodedata.normalize("NFKC", code).strip().upper()


def parse_group_text(text: str) -> GroupRequest | None:
    """The group command a typed message is, or None for an ordinary message."""
    stripped = unicodedata.normalize("NFKC", text).strip()
    if stripped.startswith("/"):
        slash = _SLASH_FORM.fullmatch(stripped)
        if slash is None:
            return None
        command = _SLASH.get(normalise_command_text(slash.group("name")))
        if command is None:
            return None
        rest = (slash.group("rest") or "").strip()
        return GroupRequest(command, normalise_code(rest) if command is GroupCommand.JOIN else rest)
    folded = normalise_command_text(stripped)
    exact = _PLAIN.get(folded)
    if exact is not None and exact is not GroupCommand.JOIN:
        return GroupRequest(exact)
    # "liity KAHVI7": a join word, then something shaped like a code, and nothing else.
    for word in reversed(_JOIN_WORDS):
        if folded.startswith(word + " "):
            code = stripped.split()[-1].strip("\"'“”«».,!?")
            if CODE.fullmatch(code) and len(folded.split()) == len(word.split()) + 1:
                return GroupRequest(GroupCommand.JOIN, normalise_code(code))
    for word in _NEWS_WORDS:
        if folded.startswith(word + " ") and folded[len(word) + 1 :].isdigit():
            return GroupRequest(GroupCommand.NEWS, folded[len(word) + 1 :])
    return None


def parse_group_choice(value: str) -> GroupRequest | None:
    """The group request behind a button value, or None when the button is not ours."""
    if not value.startswith(_CHOICE_PREFIXES):
        return None
    parts = value.split(":")
    if parts[0] == "news":
        if parts[1:] == ["stop"]:
            return GroupRequest(GroupCommand.STOP_NEWS)
        if len(parts) == 3:
            return GroupRequest(GroupCommand.NEWS, f"{parts[1]}:{parts[2]}")
        return None
    if parts[1:2] == ["join"] and len(parts) == 3:
        return GroupRequest(GroupCommand.JOIN, normalise_code(parts[2]))
    if parts[1:] == ["leave"]:
        return GroupRequest(GroupCommand.LEAVE)
    if parts[1:2] == ["fb"] and len(parts) == 5:
        return GroupRequest(GroupCommand.FEEDBACK, f"{parts[2]}:{parts[3]}", parts[4])
    return None


def group_word(language: str, command: GroupCommand) -> str:
    """The word to show residents of a language for a group command."""
    words = _WORDS.get(language, _WORDS["en"])
    return words[command][0]
