from __future__ import annotations

import json
import logging

from bot.logs import JsonFormatter, TextFormatter


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
