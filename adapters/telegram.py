"""The Telegram adapter on python-telegram-bot's `Bot`: long polling or a webhook, both acked late.

Never downloads a file unless the core asks for it (past the privacy notice), never logs an
update's content, a name, a chat id, a file id or the bot token, and never acknowledges
Telegram (offset or HTTP 200) before the core has committed the message.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Protocol

from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from adapters.base import Capabilities, EventLog, InboundSink
from adapters.telegram_files import FILE_TIMEOUT_SECONDS, TelegramFile, send_document
from adapters.telegram_updates import ALLOWED_UPDATES, message_id_of_ref, normalise
from bot.events import (
    ChannelName,
    Choice,
    DeliveryError,
    DeliveryId,
    Outbound,
    PermanentDeliveryError,
    RecipientGone,
    ReplyAddress,
    RetryableDeliveryError,
    StoreUnavailable,
)

log = logging.getLogger("somesossu.telegram")

CHANNEL = ChannelName("telegram")
DEFAULT_API_URL = "https://api.telegram.org/bot"
MAX_MESSAGE_CHARS = 4096
MAX_CALLBACK_DATA_BYTES = 64
WEBHOOK_PREFIX = "/telegram/webhook/"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
WITHDRAW_PARTIAL_KEY = "withdraw_partial"
FALLBACK_LANGUAGE = "fi"
# Telegram's own rule for secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Remembered per outbox id so a retried delivery does not repeat what already got through.
_PROGRESS_LIMIT = 1000


class TextLookup(Protocol):
    """The resident-facing catalog (`bot.texts.Texts`), seen structurally from here."""

    def text(self, lang: str, key: str, **params: object) -> str: ...


class TelegramConfigError(ValueError):
    """A Telegram setting is missing or wrong; names the setting, never its value."""


def webhook_path(secret: str) -> str:
    """The webhook route: derived from the secret so the secret itself never sits in a URL."""
    return WEBHOOK_PREFIX + hashlib.sha256(secret.encode()).hexdigest()[:32]


def file_url(api_url: str) -> str:
    """The Bot API's file URL beside its method URL: `.../bot` becomes `.../file/bot` (the
    token follows both)."""
    base, bot, tail = api_url.rpartition("/bot")
    if not bot or tail not in ("", "/"):
        raise TelegramConfigError("SOMESOSSU_TELEGRAM_API_URL must end in /bot")
    return base + "/file/bot"


def split_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Telegram's 4096-character limit: cut at the last line break or space before it."""
    parts: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        if cut <= 0:
            cut = limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    parts.append(text)
    return parts


def keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    """One button per row; the choice value travels back as callback data."""
    if not choices:
        return None
    for choice in choices:
        if not 1 <= len(choice.value.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise PermanentDeliveryError("callback_data_too_long")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(choice.label, callback_data=choice.value)] for choice in choices]
    )


def delivery_error(error: TelegramError) -> DeliveryError:
    """Telegram's errors as the outbox's: codes only, never Telegram's description."""
    if isinstance(error, RetryAfter):
        with warnings.catch_warnings():
            # PTB 22 warns that the int form is deprecated; both forms are handled here.
            warnings.simplefilter("ignore")
            wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return RetryableDeliveryError("rate_limited", retry_after=seconds)
    if isinstance(error, Forbidden):
        description = error.message.lower()
        code = "blocked_by_user" if "blocked" in description else "forbidden"
        return RecipientGone(code)
    if isinstance(error, ChatMigrated):
        return PermanentDeliveryError("chat_migrated")
    if isinstance(error, BadRequest):  # before NetworkError: BadRequest is one of its kind
        if "chat not found" in error.message.lower():
            return RecipientGone("chat_not_found")
        return PermanentDeliveryError("bad_request")
    if isinstance(error, InvalidToken):
        return RetryableDeliveryError("unauthorized")
    return RetryableDeliveryError("network")


class TelegramAdapter:
    """Residents on Telegram, in private chats with the bot."""

    def __init__(
        self,
        *,
        token: str,
        mode: str = "polling",
        webhook_url: str = "",
        webhook_secret: str | None = None,
        api_url: str = DEFAULT_API_URL,
        protect_content: bool = True,
        log: EventLog,
        texts: TextLookup | None = None,
        poll_timeout: int = 25,
        retry_seconds: float = 1.0,
        max_retry_seconds: float = 60.0,
        file_timeout: float = FILE_TIMEOUT_SECONDS,
    ) -> None:
        if not token:
            raise TelegramConfigError("SOMESOSSU_TELEGRAM_TOKEN is required")
        if mode not in ("polling", "webhook"):
            raise TelegramConfigError("SOMESOSSU_TELEGRAM_MODE must be polling or webhook")
        if mode == "webhook":
            if not webhook_url.startswith("https://") and not webhook_url.startswith("http://"):
                raise TelegramConfigError(
                    "SOMESOSSU_TELEGRAM_WEBHOOK_URL must be the public https:// base URL"
                )
            if webhook_secret is None or not _SECRET_PATTERN.match(webhook_secret):
                raise TelegramConfigError(
                    "SOMESOSSU_TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of "
                    "A-Z, a-z, 0-9, _ and -"
                )
        self.mode = mode
        self.protect_content = protect_content
        self._secret = webhook_secret or ""
        self._webhook_url = webhook_url.rstrip("/") + webhook_path(self._secret)
        self._log = log
        self._texts = texts
        self._poll_timeout = poll_timeout
        self._retry_seconds = retry_seconds
        self._max_retry_seconds = max_retry_seconds
        self._file_timeout = file_timeout
        self._bot = Bot(
            token,
            base_url=api_url,
            base_file_url=file_url(api_url),
            # The outbox delivers to up to 32 conversations at once.
            request=HTTPXRequest(connection_pool_size=32),
            get_updates_request=HTTPXRequest(connection_pool_size=1),
        )
        self._sink: InboundSink | None = None
        self._offset: int | None = None
        self._prepared = False
        self._task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._sent_parts: dict[str, list[int]] = {}
        self._undeleted: dict[str, int] = {}

    @property
    def name(self) -> ChannelName:
        return CHANNEL

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            buttons=True, message_deletion=True, typing=False, max_length=MAX_MESSAGE_CHARS
        )

    @property
    def offset(self) -> int | None:
        """The next update id to ask for: everything before it is stored (polling mode)."""
        return self._offset

    def routes(self) -> Iterable[web.AbstractRouteDef]:
        if self.mode != "webhook":
            return []
        return [web.post(webhook_path(self._secret), self._webhook)]

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, sink: InboundSink) -> None:
        self._sink = sink
        try:
            await self._bot.initialize()  # getMe: checks the token
            await self._prepare()
        except InvalidToken:
            # PTB's own message would repeat the token.
            raise TelegramConfigError(
                "SOMESOSSU_TELEGRAM_TOKEN was rejected by the Bot API"
            ) from None
        except TelegramError as error:
            # Telegram unreachable at start: keep trying in the background, do not fail the
            # whole service (the web chat and the console still work).
            self._log("telegram.start_deferred", logging.WARNING, error=type(error).__name__)
        self._task = asyncio.create_task(self._run(), name="telegram")
        self._log("telegram.started", mode=self.mode)

    async def _prepare(self) -> None:
        if self.mode == "webhook":
            await self._bot.set_webhook(
                self._webhook_url,
                secret_token=self._secret,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
        else:
            # A webhook left over from an earlier run would make getUpdates fail with 409.
            await self._bot.delete_webhook(drop_pending_updates=False)
        self._prepared = True

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        try:
            if self.mode == "webhook":
                await self._bot.delete_webhook(drop_pending_updates=False)
            elif self._offset is not None:
                # Confirm what is stored, so the next start does not even see it again.
                await self._bot.get_updates(offset=self._offset, timeout=0, limit=1)
        except TelegramError as error:
            self._log("telegram.stop_incomplete", logging.WARNING, error=type(error).__name__)
        await self._bot.shutdown()
        self._sink = None
        self._log("telegram.stopped", mode=self.mode)

    def _delay(self, attempt: int) -> float:
        return min(self._max_retry_seconds, self._retry_seconds * 2.0 ** min(attempt, 16))

    async def _run(self) -> None:
        attempt = 0
        while True:
            try:
                if not self._prepared:
                    await self._prepare()
                    self._log("telegram.prepared", mode=self.mode)
                if self.mode == "webhook":
                    return  # Telegram now posts to us
                updates = await self._bot.get_updates(
                    offset=self._offset,
                    timeout=self._poll_timeout,
                    allowed_updates=ALLOWED_UPDATES,
                )
            except RetryAfter as error:
                await asyncio.sleep(delivery_error(error).retry_after or self._delay(attempt))
                continue
            except TelegramError as error:
                # Conflict: another instance polls, or a webhook is set; InvalidToken: revoked.
                level = (
                    logging.ERROR if isinstance(error, Conflict | InvalidToken) else logging.WARNING
                )
                self._log("telegram.poll_failed", level, error=type(error).__name__)
                await asyncio.sleep(self._delay(attempt))
                attempt += 1
                continue
            attempt = 0
            for update in updates:
                await self._receive_stored(update)
                # Only now: the next getUpdates with this offset tells Telegram to forget it.
                self._offset = update.update_id + 1

    async def _receive_stored(self, update: Update) -> None:
        """Hand one polled update to the core, retrying until it is stored."""
        failures = 0
        while True:
            try:
                await self._receive(update)
                return
            except StoreUnavailable:
                # Not acknowledged: retried for as long as the store is down, nothing is lost.
                self._log("telegram.store_unavailable", logging.WARNING, update=update.update_id)
                await asyncio.sleep(self._delay(failures))
                failures += 1
            except Exception:
                failures += 1
                log.exception(
                    "telegram.inbound_failed", extra={"fields": {"update": update.update_id}}
                )
                if failures >= 5:
                    # A bug on one update must not stop every later resident from being heard.
                    self._log("telegram.update_dropped", logging.ERROR, update=update.update_id)
                    return
                await asyncio.sleep(self._delay(failures))

    async def _receive(self, update: Update) -> None:
        """Normalise, store through the sink, then answer a button press."""
        if self._sink is None:
            raise StoreUnavailable("adapter not started")
        files = partial(TelegramFile, self._bot, timeout=self._file_timeout, log=self._log)
        normalised = normalise(update, CHANNEL, datetime.now(UTC), files=files)
        if normalised.inbound is not None:
            await self._sink(normalised.inbound)
        if normalised.caption is not None:
            # After the file: on a retry the file is a duplicate and only the caption goes in.
            await self._sink(normalised.caption)
        if normalised.callback_query_id is not None:
            self._own(self._answer(normalised.callback_query_id))

    def _own(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _answer(self, callback_query_id: str) -> None:
        try:
            await self._bot.answer_callback_query(callback_query_id)
        except TelegramError as error:
            # Only cosmetic (the button's spinner); the press itself is already stored.
            self._log("telegram.answer_failed", logging.INFO, error=type(error).__name__)

    async def _webhook(self, request: web.Request) -> web.Response:
        presented = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(presented.encode(), self._secret.encode()):
            self._log("telegram.webhook_rejected", logging.WARNING)
            return web.json_response({"error": "unauthorized"}, status=401)
        try:
            payload = await request.json()
            if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(payload, self._bot)
        except (ValueError, TypeError, KeyError):
            self._log("telegram.webhook_malformed", logging.WARNING)
            return web.json_response({"error": "malformed update"}, status=400)
        try:
            await self._receive(update)
        except StoreUnavailable:
            # Not 200: Telegram keeps the update and posts it again later.
            return web.json_response({"error": "try again"}, status=503)
        return web.json_response({})

    # -- sending ---------------------------------------------------------------------------

    async def send(self, address: ReplyAddress, outbound: Outbound) -> DeliveryId:
        try:
            chat_id = int(address)
        except ValueError:
            raise PermanentDeliveryError("bad_address") from None
        markup = keyboard(outbound.choices)
        text = outbound.text
        if outbound.author == "counsellor" and outbound.display_name:
            text = f"{outbound.display_name}: {text}"
        key = outbound.outbox_id
        try:
            if outbound.retract:
                await self._retract(chat_id, outbound.retract)
            if outbound.withdraw and key not in self._undeleted:
                self._undeleted[key] = await self._withdraw(chat_id, outbound.withdraw)
            if self._undeleted.get(key):
                note = self._withdraw_note(outbound)
                if note:
                    text = f"{text}\n\n{note}"
            sent = self._sent_parts.setdefault(key, [])
            protect = self.protect_content and outbound.protect
            if outbound.document is not None and not sent:
                # A library document goes as one message: the file, its title the caption.
                message = await send_document(
                    self._bot, chat_id, outbound.document, text, protect, markup
                )
                sent.append(message.message_id)
            parts = split_text(text) if outbound.document is None else []
            for index in range(len(sent), len(parts)):
                last = index == len(parts) - 1
                message = await self._bot.send_message(
                    chat_id,
                    parts[index],
                    protect_content=protect,
                    reply_markup=markup if last else None,
                )
                sent.append(message.message_id)
        except TelegramError as error:
            failure = delivery_error(error)
            if not failure.retryable:
                self._forget(key)
            else:
                self._trim_progress()
            raise failure from None
        self._forget(key)
        return DeliveryId(",".join(str(message_id) for message_id in sent))

    def _forget(self, key: str) -> None:
        self._sent_parts.pop(key, None)
        self._undeleted.pop(key, None)

    def _trim_progress(self) -> None:
        for progress in (self._sent_parts, self._undeleted):
            while len(progress) > _PROGRESS_LIMIT:
                progress.pop(next(iter(progress)))

    async def _withdraw(self, chat_id: int, refs: tuple[DeliveryId, ...]) -> int:
        """Delete the bot's and the resident's messages from the chat; returns how many stayed.

        Telegram lets a bot delete both sides of a private chat for 48 hours. A retry after a
        rate limit meets the already deleted ones as "not found", which counts as gone.
        """
        message_ids: list[int] = []
        for ref in refs:
            if ref.startswith("in:"):
                resident_message = message_id_of_ref(ref[3:])
                if resident_message is not None:  # button presses left nothing in the chat
                    message_ids.append(resident_message)
            else:
                message_ids += [int(part) for part in ref.split(",") if part.isdigit()]
        undeleted = 0
        for message_id in sorted(set(message_ids)):
            try:
                await self._bot.delete_message(chat_id, message_id)
            except BadRequest as error:
                if "not found" not in error.message.lower():
                    undeleted += 1
        self._log("telegram.withdrawn", messages=len(set(message_ids)), undeleted=undeleted)
        return undeleted

    async def _retract(self, chat_id: int, refs: tuple[DeliveryId, ...]) -> None:
        """Delete single earlier bot messages (a moderator removed them); best effort.

        A failure never holds up the notice that goes with it: the resident is told either way,
        and a retry would only meet the same refusal (too old, already gone).
        """
        message_ids = sorted(
            {
                int(part)
                for ref in refs
                if not ref.startswith("in:")
                for part in ref.split(",")
                if part.isdigit()
            }
        )
        failed = 0
        for message_id in message_ids:
            try:
                await self._bot.delete_message(chat_id, message_id)
            except TelegramError:
                failed += 1
        self._log("telegram.retracted", messages=len(message_ids), failed=failed)

    def _withdraw_note(self, outbound: Outbound) -> str:
        if self._texts is None:
            return ""
        # Outbound.language (when the core provides it) says which language the resident used.
        language = getattr(outbound, "language", None) or FALLBACK_LANGUAGE
        try:
            return self._texts.text(language, WITHDRAW_PARTIAL_KEY)
        except KeyError:
            self._log("telegram.text_missing", logging.WARNING, key=WITHDRAW_PARTIAL_KEY)
            return ""


__all__ = ["TelegramAdapter", "TelegramConfigError", "webhook_path"]
