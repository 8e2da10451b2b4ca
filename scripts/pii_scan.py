#!/usr/bin/env python3
"""Check stored messages for personal data that redaction missed.

Decrypts every stored message written by residents and counsellors (already redacted when
it was stored) and scans it again with the current redactor plus stricter patterns: any run
of nine or more digits, any @-word, anything shaped like a HETU (without checking it) and
anything shaped like a Finnish IBAN. Prints counts by kind and the ids of the affected
messages, never the values found. The scan itself is recorded in the audit trail.

Findings of the stricter patterns are often harmless (a case number, a price); open the
message in the console, with a reason, to judge.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.officer.common import (
    EXIT_FINDING,
    EXIT_OK,
    Progress,
    exit_codes_epilog,
    format_table,
    open_service,
    print_json,
    script_main,
    script_parser,
)
from bot.officer.pii_scan import count_messages, pii_scan

EPILOG = exit_codes_epilog(
    "personal data was found in at least one stored message",
)


def parser() -> argparse.ArgumentParser:
    return script_parser(__doc__, EPILOG)


async def run(args: argparse.Namespace) -> int:
    # Redrawn at most five times a second: the exact scan advances it per conversation.
    progress = Progress.for_args("scanning messages", args.json, every=0.2, rate=True)
    async with open_service() as service:
        progress.start(await count_messages(service.core))
        report = await pii_scan(service.core, progress=progress)
        progress.finish()
    if args.json:
        print_json(report.as_json())
        return EXIT_FINDING if report.found else EXIT_OK
    print(f"{report.messages_scanned} messages scanned ({report.unreadable} unreadable).")
    if report.files_not_scanned:
        kinds = ", ".join(f"{kind} {n}" for kind, n in report.files_not_scanned.items())
        total = sum(report.files_not_scanned.values())
        print(
            f"{total} stored files not scanned ({kinds}): their metadata was removed on "
            "arrival, but what a picture, document or voice shows cannot be read here."
        )
    if not report.found:
        print("No personal data found.")
        return EXIT_OK
    print(
        format_table(
            ["kind", "found", "messages"],
            [(kind, count, len(report.message_ids[kind])) for kind, count in report.counts.items()],
        )
    )
    print(f"\n{len(report.affected)} messages affected.")
    for kind, ids in report.message_ids.items():
        print(f"{kind}:")
        for message_id in dict.fromkeys(ids):
            print(f"  {message_id}")
    return EXIT_FINDING


def main(argv: Sequence[str] | None = None) -> int:
    return script_main(parser(), run, argv)


if __name__ == "__main__":
    sys.exit(main())
