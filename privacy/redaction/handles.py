"""Handles and profile links: the name a person goes by online ("@liisa_v88",
"facebook.com/matti.virtanen.1", "snap: jenni.k99").

A handle names its person as surely as a name does, and residents type them to be found
("laita viestiä instaan"). Masked as a person's name. Pure functions of the text.
"""

from __future__ import annotations

import re

from privacy.redaction.lexicon import evidence, long_compound
from privacy.redaction.word_forms import is_finnish_word_form

# "@liisa_v88": an at sign that starts a word (an e-mail address has letters before it), with
# a letter in it ("@15" is a time).
_MENTION = re.compile(
    r"(?<![\w@.+-])@(?=[A-Za-z0-9_.]*[A-Za-z])[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,38}[A-Za-z0-9_])?"
)
# A profile link of a network residents use; the path is the handle.
_PROFILE = re.compile(
    r"(?i)(?<![\w.])(?:https?://)?(?:www\.|m\.)?"
    r"(?:facebook\.com|fb\.com|instagram\.com|t\.me|vk\.com|ok\.ru|tiktok\.com|twitter\.com"
    r"|x\.com|linkedin\.com/in|snapchat\.com/add|threads\.net)"
    r"/@?[A-Za-z0-9_.\-]{2,60}"
)
# A handle after the name of a network or app: "snap: jenni.k99", "Skypessä olen anna.k5",
# "my insta is liisa_v", "insta on liisavirtanen". Only a word shaped like a handle (a digit,
# an underscore or a dot inside it) or no word of any language here, so "instassa olen
# aktiivinen" stays readable.
_AFTER_NETWORK = re.compile(
    # the network's name, a long one with a Finnish case ending ("Skypessä", "instassa")
    r"(?i)(?<!\w)(?:(?:insta(?:gram)?|snap(?:chat)?|telegram|skype|tiktok|facebook|discord"
    r"|twitter|wechat|viber|signal)[a-zåäö]{0,6}|(?:ig|tg|fb|vk|kik)(?!\w))"
    # then ":", "=", a spaced dash or "on" / "is" / "olen" ... ("Twitter-bannit" is no handle)
    r"(?:[ \t]*[:=][ \t]*|[ \t]+-[ \t]+|[ \t]+)(?:(?:on|is|är|olen|i'm|im|nimellä|as)[ \t]+)?"
    r"(?P<handle>[A-Za-z0-9_.]{3,40})(?![\w-])"
)
_HANDLE_SHAPE = re.compile(r"[A-Za-z0-9_]*(?:_|\d|[A-Za-z0-9]\.[A-Za-z0-9])[A-Za-z0-9_.]*")


def _no_word(handle: str) -> bool:
    """A handle of letters alone that no language here writes, or a first name and a surname
    run together ("liisavirtanen"), where a word would tell of the account ("instassa olen
    aktiivinen", "snap on yksityinen")."""
    low = handle.casefold()
    if len(low) < 5 or any(evidence(low).frequency) or evidence(low).common_word:
        return False
    return not (is_finnish_word_form(low) or long_compound(low)) or any(
        evidence(low[:k]).first >= 3 and evidence(low[k:]).surname >= 3
        for k in range(3, len(low) - 2)
    )


def find_handles(text: str) -> list[tuple[int, int]]:
    """Spans of handles and profile links, in order, not overlapping."""
    spans = [m.span() for m in _MENTION.finditer(text)] if "@" in text else []
    if "/" in text:
        spans += [m.span() for m in _PROFILE.finditer(text)]
    for m in _AFTER_NETWORK.finditer(text):
        handle = m.group("handle").rstrip(".")
        if _HANDLE_SHAPE.fullmatch(handle) or _no_word(handle):
            spans.append((m.start("handle"), m.start("handle") + len(handle)))
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out
