"""A resident's file on Telegram, by reference: downloaded into memory only when the core asks.

The core asks only once the resident has passed the privacy notice (`bot.events.PlatformFile`).
Holds the bot and the file id, nothing else of the message: no file name, declared type or
caption. Never logs, and never raises with, a file id, a file path or the bot token: every
Telegram or network failure becomes `FileUnavailable` naming only the reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, TelegramError

from adapters.base import EventLog
from bot.events import FileTooLarge, FileUnavailable, OutboundDocument

FILE_TIMEOUT_SECONDS = 30.0
"""How long each network step of fetching a file (getFile, the download) may wait for data."""


@dataclass(frozen=True, slots=True)
class FileRef:
    """Which file of a message to fetch: Telegram's file id and the size the message declares
    (Telegram leaves it out sometimes)."""

    file_id: str
    declared_size: int | None

    def __repr__(self) -> str:
        # A file id is a capability: with the token it fetches the file, so it stays out of logs.
        return f"FileRef(declared_size={self.declared_size})"


class TelegramFile:
    """A `bot.events.PlatformFile`: one resident's file, fetched through the bot on demand."""

    __slots__ = ("_bot", "_log", "_ref", "_timeout")

    def __init__(
        self,
        bot: Bot,
        ref: FileRef,
        *,
        timeout: float = FILE_TIMEOUT_SECONDS,
        log: EventLog | None = None,
    ) -> None:
        self._bot = bot
        self._ref = ref
        self._timeout = timeout
        self._log = log

    def __repr__(self) -> str:
        return f"TelegramFile(declared_size={self._ref.declared_size})"

    async def fetch(self, max_bytes: int) -> bytes:
        """The file's bytes, at most `max_bytes`: refused from any declared size before a
        download, and again by what actually came."""
        try:
            return await self._fetch(max_bytes)
        except (FileTooLarge, FileUnavailable) as refused:
            if self._log is not None:
                # Operators see why files fail (a wrong file URL, Telegram down), not which.
                level = logging.INFO if isinstance(refused, FileTooLarge) else logging.WARNING
                self._log("telegram.file_refused", level, reason=str(refused))
            raise

    async def _fetch(self, max_bytes: int) -> bytes:
        if self._ref.declared_size is not None and self._ref.declared_size > max_bytes:
            raise FileTooLarge("declared by the message")
        wait = self._timeout
        try:
            file = await self._bot.get_file(
                self._ref.file_id,
                read_timeout=wait,
                write_timeout=wait,
                connect_timeout=wait,
                pool_timeout=wait,
            )
        except BadRequest as error:
            # Over the Bot API's own download limit (20 MB) getFile answers "file is too big".
            if "too big" in error.message.lower():
                raise FileTooLarge("declared by Telegram") from None
            raise FileUnavailable("refused by Telegram") from None
        except TelegramError:
            raise FileUnavailable("Telegram unreachable") from None
        if file.file_size is not None and file.file_size > max_bytes:
            raise FileTooLarge("declared by Telegram")
        # PTB reads `file_path` from the local disk when it names an existing file there (its
        # local mode); only a path it placed under the Bot API's file URL is downloaded.
        if not (file.file_path or "").startswith(self._bot.base_file_url + "/"):
            raise FileUnavailable("no download address")
        try:
            data = await file.download_as_bytearray(
                read_timeout=wait, write_timeout=wait, connect_timeout=wait, pool_timeout=wait
            )
        except (TelegramError, RuntimeError, OSError):
            raise FileUnavailable("download failed") from None
        if len(data) > max_bytes:
            raise FileTooLarge("larger than declared")
        return bytes(data)


__all__ = ["FILE_TIMEOUT_SECONDS", "FileRef", "TelegramFile"]


CAPTION_LIMIT = 1024
"""Telegram's longest caption: a longer title is cut (a title is at most 200 characters)."""


async def send_document(
    bot: Bot,
    chat_id: int,
    document: OutboundDocument,
    caption: str,
    protect: bool,
    markup: InlineKeyboardMarkup | None,
) -> Message:
    """Upload a library document to the chat as a file, named by the core's safe name."""
    return await bot.send_document(
        chat_id,
        document.data,
        filename=document.file_name,
        caption=caption[:CAPTION_LIMIT],
        protect_content=protect,
        reply_markup=markup,
        write_timeout=FILE_TIMEOUT_SECONDS,
    )
