"""The web-chat JSON frame protocol (version 1): parsing browser frames, building server frames.

Pure functions and frozen dataclasses, no I/O, so every rule is testable without a socket.
Never echoes a frame's content into an error: errors carry a code, the adapter adds the text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

PROTOCOL_VERSION = 1

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
"""32 random bytes, urlsafe base64 without padding: what `secrets.token_urlsafe(32)` returns."""

CLIENT_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_CHOICE_CHARS = 64
LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}")


class ErrorCode:
    """Stable error codes of the `error` frame (public contract, see docs/webchat-protocol.md)."""

    BAD_FRAME = "bad_frame"
    UNKNOWN_TYPE = "unknown_type"
    HELLO_FIRST = "hello_first"
    DUPLICATE_HELLO = "duplicate_hello"
    TOO_LONG = "too_long"
    FRAME_TOO_LARGE = "frame_too_large"
    RATE_LIMITED = "rate_limited"
    TOO_MANY_FRAMES = "too_many_frames"
    TOO_MANY_CONNECTIONS = "too_many_connections"
    TRY_AGAIN = "try_again"


ERROR_CODES = frozenset(
    value for name, value in vars(ErrorCode).items() if name.isupper() and isinstance(value, str)
)


@dataclass(frozen=True, slots=True)
class Hello:
    token: str | None
    lang: str | None


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    client_id: str

    def __repr__(self) -> str:
        # Frames may end up in a traceback: never print what the resident wrote.
        return f"Message(chars={len(self.text)}, client_id={self.client_id!r})"


@dataclass(frozen=True, slots=True)
class ChoiceFrame:
    value: str
    client_id: str | None


@dataclass(frozen=True, slots=True)
class Typing:
    pass


@dataclass(frozen=True, slots=True)
class Leave:
    """The resident left quickly: the conversation ends (the client forgets and goes away)."""


ClientFrame = Hello | Message | ChoiceFrame | Typing | Leave


@dataclass(frozen=True, slots=True)
class FrameError:
    """A frame the server refuses; `client_id` when the refused frame named one."""

    code: str
    client_id: str | None = None


def parse_client_frame(raw: str, *, max_chars: int) -> ClientFrame | FrameError:
    """Validate one text frame from a browser. Unknown extra fields are ignored (forward use)."""
    try:
        decoded: Any = json.loads(raw)
    except (ValueError, RecursionError):
        return FrameError(ErrorCode.BAD_FRAME)
    if not isinstance(decoded, dict):
        return FrameError(ErrorCode.BAD_FRAME)
    kind = decoded.get("type")
    if not isinstance(kind, str):
        return FrameError(ErrorCode.BAD_FRAME)
    if kind == "hello":
        return _hello(decoded)
    if kind == "message":
        return _message(decoded, max_chars)
    if kind == "choice":
        return _choice(decoded)
    if kind == "typing":
        return Typing()
    if kind == "leave":
        return Leave()
    return FrameError(ErrorCode.UNKNOWN_TYPE)


def _hello(frame: dict[str, Any]) -> Hello | FrameError:
    token = frame.get("token")
    lang = frame.get("lang")
    if token is not None and not isinstance(token, str):
        return FrameError(ErrorCode.BAD_FRAME)
    if lang is not None and not isinstance(lang, str):
        return FrameError(ErrorCode.BAD_FRAME)
    # A token of the wrong shape is not an error: the resident simply gets a new session.
    if token is not None and not TOKEN_PATTERN.fullmatch(token):
        token = None
    if lang is not None and not LANGUAGE_PATTERN.fullmatch(lang):
        lang = None
    return Hello(token, lang)


def _client_id(frame: dict[str, Any]) -> str | FrameError | None:
    client_id = frame.get("client_id")
    if client_id is None:
        return None
    if not isinstance(client_id, str) or not CLIENT_ID_PATTERN.fullmatch(client_id):
        return FrameError(ErrorCode.BAD_FRAME)
    return client_id


def _message(frame: dict[str, Any], max_chars: int) -> Message | FrameError:
    client_id = _client_id(frame)
    if isinstance(client_id, FrameError):
        return client_id
    if client_id is None:
        # Without it a resent message could be stored twice: the client must name each one.
        return FrameError(ErrorCode.BAD_FRAME)
    text = frame.get("text")
    if not isinstance(text, str) or not text.strip():
        return FrameError(ErrorCode.BAD_FRAME, client_id)
    if len(text) > max_chars:
        return FrameError(ErrorCode.TOO_LONG, client_id)
    if "\x00" in text:
        return FrameError(ErrorCode.BAD_FRAME, client_id)
    return Message(text, client_id)


def _choice(frame: dict[str, Any]) -> ChoiceFrame | FrameError:
    client_id = _client_id(frame)
    if isinstance(client_id, FrameError):
        return client_id
    value = frame.get("value")
    if not isinstance(value, str) or not value or len(value) > MAX_CHOICE_CHARS:
        return FrameError(ErrorCode.BAD_FRAME, client_id)
    if not value.isprintable():
        return FrameError(ErrorCode.BAD_FRAME, client_id)
    return ChoiceFrame(value, client_id)


# Server frames. Each builder returns the exact JSON object sent, so the documented fields
# and the code cannot drift apart: tests compare both.

SERVER_FRAME_TYPES = frozenset(
    {
        "welcome",
        "history",
        "message",
        "choices",
        "joined",
        "ended",
        "delivered",
        "retract",
        "forget",
        "error",
    }
)


def welcome(token: str, *, resumed: bool, max_chars: int, per_minute: int) -> dict[str, Any]:
    return {
        "type": "welcome",
        "version": PROTOCOL_VERSION,
        "token": token,
        "resumed": resumed,
        "limits": {"max_chars": max_chars, "messages_per_minute": per_minute},
    }


def message(
    *,
    message_id: str,
    author: str,
    text: str,
    at: str | None,
    display_name: str | None = None,
    kind: str = "text",
    document: dict[str, Any] | None = None,
) -> dict[str, Any]:
    frame: dict[str, Any] = {
        "type": "message",
        "id": message_id,
        "from": author,
        "text": text,
        "at": at,
        "kind": kind,
    }
    if display_name:
        frame["display_name"] = display_name
    if document is not None:
        frame["document"] = document
    return frame


def document(document_id: str, title: str) -> dict[str, Any]:
    """A library document a message carries: its same-origin address and title."""
    return {"url": f"/chat/library/{document_id}", "title": title}


def history(
    messages: list[dict[str, Any]], *, state: str | None, language: str | None
) -> dict[str, Any]:
    return {"type": "history", "state": state, "language": language, "messages": messages}


def choices(options: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "type": "choices",
        "choices": [{"value": value, "label": label} for value, label in options],
    }


def joined(display_name: str) -> dict[str, Any]:
    return {"type": "joined", "display_name": display_name}


def ended() -> dict[str, Any]:
    return {"type": "ended"}


def delivered(client_id: str) -> dict[str, Any]:
    return {"type": "delivered", "client_id": client_id}


def forget() -> dict[str, Any]:
    return {"type": "forget"}


def retract(ids: list[str]) -> dict[str, Any]:
    """Remove these earlier messages from the page (a moderator removed them)."""
    return {"type": "retract", "ids": ids}


def error(
    code: str,
    text: str,
    *,
    client_id: str | None = None,
    retry_after: float | None = None,
    fatal: bool = False,
) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": code, "text": text, "fatal": fatal}
    if client_id is not None:
        frame["client_id"] = client_id
    if retry_after is not None:
        frame["retry_after"] = round(retry_after, 1)
    return frame


def encode(frame: dict[str, Any]) -> str:
    """Serialise a server frame; refuses a type the protocol does not define."""
    if frame.get("type") not in SERVER_FRAME_TYPES:
        raise ValueError("undocumented server frame type")
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
