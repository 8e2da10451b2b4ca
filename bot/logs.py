"""Structured logging: one JSON object per line (or a text line on a terminal) with an event
name, ids and counts.

Never pass message text, platform ids, names or phone numbers here; callers log ids only.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TextIO

OWN_LOGGER = "somesossu"


def event_text(record: logging.LogRecord) -> str:
    """The event name of our own records; for libraries only their message template.

    Libraries log request data in their arguments (python-telegram-bot logs a whole update,
    names included, when it cannot parse one), so their arguments are never formatted in.
    """
    if record.name == OWN_LOGGER or record.name.startswith(OWN_LOGGER + "."):
        return record.getMessage()
    if record.args and isinstance(record.msg, str):
        return record.msg
    return "(library message withheld)"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": event_text(record),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            # Only the exception type: messages of third-party exceptions may carry content.
            line["error"] = record.exc_info[0].__name__
            line["trace"] = _frames(record.exc_info[2])
        return json.dumps(line, ensure_ascii=False, default=str)


def _frames(tb: TracebackType | None) -> list[str]:
    """Where an error happened (file:line function), without the exception's message."""
    return [
        f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"
        for frame in traceback.extract_tb(tb)[-8:]
    ]


class TextFormatter(logging.Formatter):
    """For a person at a terminal: the same event, fields and error as the JSON line, no more."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None)
        extra = ""
        if isinstance(fields, dict):
            extra = " " + " ".join(f"{key}={value}" for key, value in fields.items())
        error = ""
        if record.exc_info and record.exc_info[0] is not None:
            trace = " < ".join(reversed(_frames(record.exc_info[2])))
            error = f" error={record.exc_info[0].__name__} at {trace}"
        at = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        level = record.levelname.lower()
        return f"{at} {level:7} {record.name}: {event_text(record)}{extra}{error}"


QUIET_LIBRARIES = (
    "aiohttp.access",
    "alembic",
    "httpx",
    "telegram",
    "nio",
    "apscheduler",
    "aiosqlite",
)
"""Library loggers may print request data (URLs with tokens, payloads): kept at WARNING."""

LOG_FORMATS = ("auto", "json", "text")
"""SOMESOSSU_LOG_FORMAT: auto is text on a terminal and JSON lines otherwise (a log collector)."""


def formatter_for(fmt: str, stream: TextIO) -> logging.Formatter:
    """The formatter `fmt` names; for "auto", text when `stream` is a terminal, else JSON."""
    if fmt == "auto":
        isatty = getattr(stream, "isatty", None)
        fmt = "text" if callable(isatty) and isatty() else "json"
    return JsonFormatter() if fmt == "json" else TextFormatter()


def configure_logging(level: str, fmt: str = "auto", stream: TextIO | None = None) -> None:
    stream = stream if stream is not None else sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter_for(fmt, stream))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in QUIET_LIBRARIES:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event with id/count fields, e.g. log_event(log, "message.stored", ms=3)."""
    logger.log(level, event, extra={"fields": fields})
