from __future__ import annotations

import io
import json
import logging

import pytest

from bot.config import ConfigError, load_settings
from bot.logs import QUIET_LIBRARIES, JsonFormatter, TextFormatter, configure_logging, log_event


def _record(
    name: str, msg: str, *args: object, exc: BaseException | None = None
) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, exc_info)


def test_a_library_record_never_formats_its_arguments_in() -> None:
    record = _record("telegram.ext", "Update %s caused error", {"first_name": "Maija zq71"})
    for formatter in (JsonFormatter(), TextFormatter()):
        line = formatter.format(record)
        assert "zq71" not in line
        assert "Update %s caused error" in line


def test_a_preformatted_library_message_is_withheld() -> None:
    record = _record("nio.rooms", "Joined room !secret-room-zq72:server")
    assert "zq72" not in JsonFormatter().format(record)


def test_an_exception_is_logged_by_type_and_place_never_by_message() -> None:
    try:
        raise ValueError("resident wrote zq73")
    except ValueError as error:
        record = _record("somesossu.test", "job.failed", exc=error)
    line = json.loads(JsonFormatter().format(record))
    assert line["error"] == "ValueError"
    assert "zq73" not in json.dumps(line)
    assert any("test_logs.py" in frame for frame in line["trace"])


def test_own_events_carry_their_fields() -> None:
    record = _record("somesossu.dispatcher", "inbound.stored")
    record.fields = {"channel": "webchat", "ms": 3}
    line = json.loads(JsonFormatter().format(record))
    assert (line["event"], line["channel"], line["ms"]) == ("inbound.stored", "webchat", 3)


class _Stream(io.StringIO):
    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


def _log_through(fmt: str, *, terminal: bool) -> str:
    stream = _Stream(terminal)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quiet = {name: logging.getLogger(name).level for name in QUIET_LIBRARIES}
    try:
        configure_logging("INFO", fmt, stream)
        log_event(logging.getLogger("somesossu.test"), "message.stored", channel="webchat", ms=3)
    finally:  # the test process keeps its own logging set-up
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, was in quiet.items():
            logging.getLogger(name).setLevel(was)
    return stream.getvalue().strip()


def test_auto_logs_text_lines_on_a_terminal_and_json_lines_otherwise() -> None:
    on_terminal = _log_through("auto", terminal=True)
    assert "info    somesossu.test: message.stored channel=webchat ms=3" in on_terminal
    with pytest.raises(json.JSONDecodeError):
        json.loads(on_terminal)
    piped = json.loads(_log_through("auto", terminal=False))
    assert (piped["event"], piped["channel"], piped["ms"]) == ("message.stored", "webchat", 3)


def test_a_set_format_is_kept_whatever_the_stream() -> None:
    assert json.loads(_log_through("json", terminal=True))["event"] == "message.stored"
    assert _log_through("text", terminal=False).endswith("message.stored channel=webchat ms=3")


def test_the_log_format_defaults_to_auto_and_refuses_others() -> None:
    assert load_settings(_env_file=None).log_format == "auto"
    assert load_settings(log_format="text").log_format == "text"
    with pytest.raises(ConfigError, match="SOMESOSSU_LOG_FORMAT"):
        load_settings(log_format="yaml")


def test_text_lines_withhold_what_json_lines_withhold() -> None:
    library = _record("nio.rooms", "Joined room !secret-room-zq74:server")
    assert "zq74" not in TextFormatter().format(library)
    try:
        raise ValueError("resident wrote zq75")
    except ValueError as error:
        record = _record("somesossu.test", "job.failed", exc=error)
    record.fields = {"conversation": "c1", "ms": 3}
    line = TextFormatter().format(record)
    assert "zq75" not in line
    assert "job.failed conversation=c1 ms=3 error=ValueError at " in line
    assert "test_logs.py" in line
