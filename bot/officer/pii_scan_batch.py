"""One batch of the fast PII scan: conversations' rows in, counts and message ids out.

Runs in a worker process (or in the caller's, for a small database). Unwraps one
conversation's key at a time and drops it before the next; never returns, logs or keeps a
value found, only kinds, counts and message ids.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from bot.message_body import MessageBody
from bot.sealed_formats import MESSAGE_BODY
from bot.sealing import KeyPurpose, key_context
from privacy.crypto import DataKey, KeyRing, Sealed, WrappedKey, unseal
from privacy.errors import PrivacyError
from privacy.redaction import Redactor

from .pii_scan_rules import SCANNED_AUTHORS, scan_text_quickly, without_placeholders

MessageRow = tuple[str, str, bytes]
"""A message's id, its conversation's id and its sealed body, as the driver gives them."""

if SCANNED_AUTHORS != ("resident", "counsellor"):
    raise ImportError("pii_scan_batch: the queries below no longer select SCANNED_AUTHORS")
# The exact scan's selection per conversation, for a range of conversations at once; within
# one conversation the same order (created_at, through the same index).
SQLITE_MESSAGES: Final = (
    "SELECT id, conversation_id, sealed_body FROM message "
    "WHERE conversation_id >= ? AND conversation_id <= ? "
    "AND author IN ('resident', 'counsellor') "
    "AND kind = 'text' ORDER BY conversation_id, created_at"
)
SQLITE_KEYS: Final = (
    "SELECT owner_id, wrapped FROM data_key "
    "WHERE owner_id >= ? AND owner_id <= ? AND purpose = 'conversation'"
)
POSTGRES_MESSAGES: Final = (
    "SELECT id, conversation_id, sealed_body FROM message "
    "WHERE conversation_id = ANY($1::varchar[]) AND author IN ('resident', 'counsellor') "
    "AND kind = 'text' ORDER BY conversation_id, created_at"
)
POSTGRES_KEYS: Final = (
    "SELECT owner_id, wrapped FROM data_key "
    "WHERE owner_id = ANY($1::varchar[]) AND purpose = 'conversation'"
)

SHORT_TEXT = 48
"""Texts up to this long are remembered with their result: "hei", "kiitos", "ok" recur."""
_REMEMBERED: Final = 4096


class Doubt(Exception):
    """Something the exact scan would not pass over quietly (a malformed row or body): the
    caller runs the exact scan, which then says what it always said."""


@dataclass(frozen=True, slots=True)
class BatchTally:
    """What one batch found: `ids` per kind in scan order, one entry per message and kind."""

    messages: int
    scanned: int
    unreadable: int
    counts: dict[str, int]
    ids: dict[str, list[str]]


class Scanner:
    """The redactor and strict patterns over stored texts, short ones remembered.

    The redactor is a pure function of the text, so a remembered result is the result.
    What is remembered (a few thousand short stored texts, already redacted) lives in the
    worker's memory only, and ends with it when the scan ends.
    """

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self._known: dict[str, tuple[tuple[str, int], ...]] = {}

    def __call__(self, text: str) -> tuple[tuple[str, int], ...]:
        if len(text) > SHORT_TEXT:
            return scan_text_quickly(self.redactor, text)
        found = self._known.get(text)
        if found is None:
            found = scan_text_quickly(self.redactor, text)
            if len(self._known) >= _REMEMBERED:
                self._known.clear()
            self._known[text] = found
        return found


def _conversation_key(
    keyring: KeyRing, conversation_id: str, wrapped: bytes | None
) -> DataKey | None:
    """As `KeyStore.get` for the scan: None where the key is gone or does not open."""
    if wrapped is None:
        return None
    try:
        return keyring.unwrap(
            WrappedKey.from_bytes(bytes(wrapped)),
            context=key_context(conversation_id, KeyPurpose.CONVERSATION),
        )
    except PrivacyError:
        return None


def scan_batch(
    keyring: KeyRing,
    scanner: Scanner,
    conversations: Sequence[str],
    rows: Sequence[MessageRow],
    wrapped_keys: dict[str, bytes],
) -> BatchTally:
    """Scan the messages of `conversations` (in that order) from `rows` and their keys.

    Rows of conversations not in the list are ignored (the exact scan walks conversations).
    Raises Doubt where the exact scan would raise.
    """
    by_conversation: dict[str, list[MessageRow]] = {}
    for row in rows:
        by_conversation.setdefault(row[1], []).append(row)
    counts: Counter[str] = Counter()
    ids: dict[str, list[str]] = {}
    messages = scanned = unreadable = 0
    for conversation_id in conversations:
        found = by_conversation.get(conversation_id)
        if not found:
            continue
        messages += len(found)
        key = _conversation_key(keyring, conversation_id, wrapped_keys.get(conversation_id))
        for message_id, _, blob in found:
            try:
                sealed = Sealed(bytes(blob))
            except (PrivacyError, TypeError) as error:
                raise Doubt("a sealed body is malformed") from error
            if key is None:
                unreadable += 1
                continue
            try:
                raw = unseal(key, sealed, aad=MESSAGE_BODY.context(message_id))
            except PrivacyError:
                unreadable += 1
                continue
            try:
                body = MessageBody.decode(raw)
            except (ValueError, KeyError, TypeError) as error:
                raise Doubt("a message body does not decode") from error
            scanned += 1
            for kind, hits in scanner(without_placeholders(body)):
                counts[kind] += hits
                ids.setdefault(kind, []).append(message_id)
        del key  # one conversation's key at a time
    return BatchTally(messages, scanned, unreadable, dict(counts), ids)


def read_sqlite_batch(
    path: Path, conversations: Sequence[str]
) -> tuple[list[MessageRow], dict[str, bytes]]:
    """The rows and wrapped keys of a run of consecutive conversations (in id order).

    Opened read-only: a scan can never write to the database it reads.
    """
    first, last = conversations[0], conversations[-1]
    connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        rows: list[Any] = connection.execute(SQLITE_MESSAGES, (first, last)).fetchall()
        keys = dict(connection.execute(SQLITE_KEYS, (first, last)).fetchall())
    finally:
        connection.close()
    return rows, keys


# A worker's own key ring and scanner, handed over when the process pool forks it.
_WORKER: dict[str, Any] = {}


def start_worker(keyring: KeyRing, redactor: Redactor) -> None:
    _WORKER["keyring"] = keyring
    _WORKER["scanner"] = Scanner(redactor)


def scan_rows_in_worker(
    conversations: Sequence[str], rows: Sequence[MessageRow], wrapped_keys: dict[str, bytes]
) -> BatchTally:
    return scan_batch(_WORKER["keyring"], _WORKER["scanner"], conversations, rows, wrapped_keys)


def scan_sqlite_in_worker(path: Path, conversations: Sequence[str]) -> BatchTally:
    rows, keys = read_sqlite_batch(path, conversations)
    return scan_rows_in_worker(conversations, rows, keys)
