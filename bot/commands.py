"""Recognises the commands a resident can type (help, language, end, delete, code) in six languages.

Must never swallow an ordinary reply: a plain message is a command only if all of it is a command.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

C = TypeVar("C", bound=StrEnum)


class Command(StrEnum):
    START = "start"
    HELP = "help"
    LANGUAGE = "language"
    END = "end"
    DELETE = "delete"
    CODE = "code"
    REMEMBER = "remember"
    FORGET = "forget"
    END_CONSULT = "end_consult"
    """The resident sends an invited consultant away (bot/conversation_consult.py)."""
    UNKNOWN = "unknown"


# The first word of each tuple is the one shown in help texts, so it must be the plainest one.
# Deliberately left out, because residents send them as ordinary replies to a counsellor:
# "ok", "yes"/"no", "kiitos", "stop", "quit", "loppu", "конец"/"кінець" ("it is over" can be
# despair, which must reach the counsellor, not close the chat), a bare "code"/"koodi".
# START is not typed as a word: Telegram sends "/start" and the web chat opens with it.
_WORDS: dict[str, dict[Command, tuple[str, ...]]] = {
    "fi": {
        Command.HELP: ("apua", "ohje", "ohjeet"),
        Command.LANGUAGE: ("kieli", "vaihda kieli", "vaihda kieltä"),
        Command.END: ("lopeta", "lopeta keskustelu", "lopeta chat"),
        Command.DELETE: ("poista", "poista tietoni", "poista viestini"),
        Command.CODE: ("koodini", "viitekoodi", "oma koodi"),
        Command.REMEMBER: ("muista minut", "muista aiemmat"),
        Command.FORGET: ("unohda minut", "älä muista minua"),
        Command.END_CONSULT: ("poista asiantuntija", "asiantuntija pois"),
    },
    "sv": {
        Command.HELP: ("hjälp",),
        Command.LANGUAGE: ("språk", "byt språk", "ändra språk"),
        Command.END: ("avsluta", "avsluta chatten"),
        Command.DELETE: ("radera", "radera mina uppgifter", "radera mina meddelanden"),
        Command.CODE: ("min kod", "referenskod"),
        Command.REMEMBER: ("kom ihåg mig",),
        Command.FORGET: ("glöm mig",),
        Command.END_CONSULT: ("ta bort experten",),
    },
    "en": {
        Command.HELP: ("help",),
        Command.LANGUAGE: ("language", "change language"),
        Command.END: ("end", "end chat", "end the chat"),
        Command.DELETE: ("delete", "delete my data", "delete my messages"),
        Command.CODE: ("my code", "reference code"),
        Command.REMEMBER: ("remember me",),
        Command.FORGET: ("forget me",),
        Command.END_CONSULT: ("remove expert", "remove the expert"),
    },
    "ru": {
        Command.HELP: ("помощь",),
        Command.LANGUAGE: ("язык", "сменить язык"),
        Command.END: ("завершить", "завершить чат", "закончить чат"),
        Command.DELETE: ("удалить", "удалить мои данные", "удалить сообщения"),
        Command.CODE: ("мой код", "код обращения"),
        Command.REMEMBER: ("запомни меня",),
        Command.FORGET: ("забудь меня",),
        Command.END_CONSULT: ("убрать специалиста",),
    },
    "uk": {
        Command.HELP: ("допомога",),
        Command.LANGUAGE: ("мова", "змінити мову"),
        Command.END: ("завершити", "завершити чат"),
        Command.DELETE: ("видалити", "видалити мої дані", "видалити повідомлення"),
        Command.CODE: ("мій код", "код звернення"),
        Command.REMEMBER: ("запам'ятай мене", "запамʼятай мене", "запам’ятай мене"),
        Command.FORGET: ("забудь мене",),
        Command.END_CONSULT: ("прибрати фахівця",),
    },
    "ar": {
        Command.HELP: ("مساعدة",),
        Command.LANGUAGE: ("لغة", "تغيير اللغة"),
        Command.END: ("إنهاء", "إنهاء المحادثة"),
        Command.DELETE: ("احذف", "احذف بياناتي", "حذف"),
        Command.CODE: ("رمزي", "الرمز المرجعي"),
        Command.REMEMBER: ("تذكرني",),
        Command.FORGET: ("انسني",),
        Command.END_CONSULT: ("أزل الخبير",),
    },
}

COMMAND_WORDS: Mapping[str, Mapping[Command, tuple[str, ...]]] = MappingProxyType(
    {lang: MappingProxyType(dict(words)) for lang, words in _WORDS.items()}
)

# Slash forms that are not simply a command word: the canonical English names (Telegram's
# command menu) and short Finnish aliases. Every one-word command word is also a slash alias,
# and multi-word ones with "_" for the spaces ("/poista_tietoni").
_SLASH_EXTRA: dict[str, Command] = {
    "start": Command.START,
    "aloita": Command.START,
    "help": Command.HELP,
    "language": Command.LANGUAGE,
    "lang": Command.LANGUAGE,
    "end": Command.END,
    "delete": Command.DELETE,
    "code": Command.CODE,
    "koodi": Command.CODE,
    "kod": Command.CODE,
}

# Residents copy the word from the help text, quotes and all, and end sentences with marks.
_EDGE_PUNCTUATION = "\"'“”„«»‘’`.,!?;:…¡¿؟،؛。！？ \t\r\n"
_ARABIC_LETTER_FOLDS = str.maketrans({"ة": "ه", "ى": "ي", "ـ": None})
_SLASH = re.compile(r"/(?P<name>[^\s@/]+)(?:@(?P<bot>\w+))?(?:\s.*)?", re.DOTALL)


def normalise_command_text(text: str) -> str:
    """Fold a message so that case, accents, Arabic hamza forms and spacing do not matter."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    # Dropping combining marks folds "hjalp" onto "hjälp" and Arabic hamza/harakat variants
    # onto the bare letters; it is applied to both sides, so no two command words collide.
    decomposed = unicodedata.normalize("NFD", folded)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.translate(_ARABIC_LETTER_FOLDS)
    return " ".join(bare.split()).strip(_EDGE_PUNCTUATION)


def phrase_lookup(table: Mapping[str, Mapping[C, tuple[str, ...]]]) -> dict[str, C]:
    """Every language's phrases, normalised, to their command; a phrase meaning two commands
    in any two languages is refused, since a resident's language is not known beforehand."""
    lookup: dict[str, C] = {}
    for words in table.values():
        for command, phrases in words.items():
            for phrase in phrases:
                key = normalise_command_text(phrase)
                if lookup.setdefault(key, command) is not command:
                    raise ValueError(f"command word {phrase!r} means two commands")
    return lookup


def _build_slash_lookup(plain: Mapping[str, Command]) -> dict[str, Command]:
    lookup = {phrase.replace(" ", "_"): command for phrase, command in plain.items()}
    lookup.update(_SLASH_EXTRA)
    return lookup


_PLAIN = phrase_lookup(_WORDS)
_SLASH_NAMES = _build_slash_lookup(_PLAIN)


def parse_command(text: str) -> Command | None:
    """Return the command a message is, or None when it is an ordinary message."""
    stripped = unicodedata.normalize("NFKC", text).strip()
    if stripped.startswith("/"):
        slash = _SLASH.fullmatch(stripped)
        # "/" alone, "/ hello" or a path like "/home/x" is text, not an attempt at a command.
        if slash is not None:
            name = normalise_command_text(slash.group("name"))
            return _SLASH_NAMES.get(name, Command.UNKNOWN)
    return _PLAIN.get(normalise_command_text(text))


def command_word(lang: str, command: Command) -> str:
    """The word to show residents of that language for a command (English if lang is unknown)."""
    if command is Command.START:
        return "/start"
    words = COMMAND_WORDS.get(lang, COMMAND_WORDS["en"])
    if command not in words:
        raise ValueError(f"{command} has no command word")
    return words[command][0]
