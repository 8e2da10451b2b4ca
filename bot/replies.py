"""The bot's own words to a resident within one run: render a catalog text, store, queue.

A bot text is stored unredacted (it holds no resident data) and queued in the outbox; after
erasure it goes out as a system message, stored nowhere. Never renders resident text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .commands import Command, command_word
from .conversation import FlowConfig, Option, Say
from .core import Work
from .events import Author
from .inbound_text import CheckedText
from .messages import store_message
from .outbox_writer import queue_outbound, queue_system_message
from .store.tables import Conversation
from .texts import DEFAULT_LANGUAGE

# Bot texts that mark a moment a front end may show specially.
EVENT_OF_KEY = {
    "counsellor_joined": "joined",
    "chat_ended": "ended",
    "idle_closed": "ended",
    "ended_by_resident": "ended",
}


@dataclass
class Run:
    """One event's run: the conversation, its flow settings, and whether it was erased.

    `platform_ref` is the platform's id of the resident's message being run, if any. After
    erasure the conversation's key is gone: what is still said goes to
    `erased_reply_address`, the first such message carrying `withdraw`.
    """

    work: Work
    conversation: Conversation
    config: FlowConfig
    platform_ref: str | None = None
    checked: CheckedText | None = None
    erased: bool = False
    erased_reply_address: str | None = None
    withdraw: list[str] = field(default_factory=list)

    @property
    def language(self) -> str:
        return self.conversation.language or DEFAULT_LANGUAGE


def render(run: Run, effect: Say) -> tuple[str, list[tuple[str, str]]]:
    texts = run.work.core.texts
    language = run.language
    params: dict[str, Any] = {"help_word": command_word(language, Command.HELP), **effect.params}
    if effect.every_language:
        lines = []
        for code in run.config.languages:
            localised = {**params, "help_word": command_word(code, Command.HELP)}
            lines.append(texts.text(code, effect.key, **localised))
        text = "\n".join(dict.fromkeys(lines))
    else:
        text = texts.text(language, effect.key, **params)
    return text, [(option.value, option_label(run, option)) for option in effect.options]


def option_label(run: Run, option: Option) -> str:
    """An option's label as its button shows it, in the conversation's language."""
    if option.label is not None:
        return option.label
    if option.label_key is not None:
        return run.work.core.texts.text(run.language, option.label_key)
    return option.value


async def say(run: Run, effect: Say) -> None:
    text, choices = render(run, effect)
    if run.erased:
        assert run.erased_reply_address is not None
        withdraw, run.withdraw = run.withdraw, []
        await queue_system_message(
            run.work,
            text,
            channel=run.conversation.channel,
            reply_address=run.erased_reply_address,
            withdraw=withdraw,
            language=run.language,
        )
        return
    message = await store_message(run.work, run.conversation, Author.BOT, text, redact=False)
    event = EVENT_OF_KEY.get(effect.key)
    name = effect.params.get("name") if event == "joined" else None
    await queue_outbound(
        run.work,
        run.conversation,
        text=text,
        author=Author.BOT,
        choices=choices,
        message=message,
        event=event,
        display_name=str(name) if name is not None else None,
    )
