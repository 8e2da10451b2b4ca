"""Command line: redact JSON lines from stdin to stdout, one output line per input line.

Never echoes input text in an error: a bad line is reported by its line number only.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from privacy.redaction.redactor import Redactor

_DESCRIPTION = """\
Reads JSON lines {"text": ...} on stdin and writes, in the same order, one line
{"text": <redacted>, "findings": [{"kind", "start", "end"}, ...]} per input line
(offsets into the original text; non-ASCII is written as is).

A line that is not a JSON object with a string "text" gets {"error": "line N: ..."} in its
place, so output stays aligned with input; processing continues, and the exit status is 1
if any line failed, 0 otherwise. Error messages name the line number only, never content.
"""


def run(lines: TextIO, out: TextIO, extra_allowed: Sequence[str] = ()) -> int:
    """Redact every JSON line of `lines` into `out`; return the number of bad lines."""
    redactor = Redactor(extra_allowed)
    bad = 0
    for number, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        text = record.get("text") if isinstance(record, dict) else None
        if not isinstance(text, str):
            bad += 1
            reply: dict[str, object] = {
                "error": f'line {number}: not a JSON object with a string "text"'
            }
        else:
            redaction = redactor.redact(text)
            reply = {
                "text": redaction.text,
                "findings": [
                    {"kind": f.kind.value, "start": f.start, "end": f.end}
                    for f in redaction.findings
                ],
            }
        out.write(json.dumps(reply, ensure_ascii=False))
        out.write("\n")
    return bad


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m privacy.redaction",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="VALUE",
        help="a public service number or address that stays readable (repeatable)",
    )
    args = parser.parse_args(argv)
    # JSON lines are UTF-8 whatever the locale says; undecodable bytes become U+FFFD rather
    # than stopping the run (offsets then refer to the text as decoded).
    for stream, errors in ((sys.stdin, "replace"), (sys.stdout, "strict")):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors=errors)
    bad = run(sys.stdin, sys.stdout, args.allow)
    if bad:
        print(
            f"{bad} line(s) could not be read; see the error lines in the output", file=sys.stderr
        )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
