#!/usr/bin/env python3
"""Show what is due for deletion under the retention rules, or delete it.

By default (--dry-run) nothing changes: it lists how many transcripts and PII vaults are due
now, and how many residents' files of each kind (their own, shorter period, or with their
transcript), the same a run with --apply would then delete. With --apply it deletes them
by crypto-shredding (their keys are destroyed, so no copy, not even in a backup, can be
opened once the old key-encryption key is retired) and writes audit records with the counts.
The service's scheduled job does the same on its own; this script is for checking it and for
running it at once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.jobs import retention
from bot.officer.common import (
    EXIT_OK,
    Progress,
    open_service,
    parse_moment,
    print_json,
    script_main,
    script_parser,
)


def parser() -> argparse.ArgumentParser:
    result = script_parser(__doc__)
    mode = result.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="only show what is due (the default)")
    mode.add_argument("--apply", action="store_true", help="delete what is due, now")
    result.add_argument(
        "--at",
        help="judge as of this date-time instead of now (dry run only, to see what is coming)",
    )
    return result


async def run(args: argparse.Namespace) -> int:
    if args.apply and args.at:
        print("error: --at works only with a dry run", file=sys.stderr)
        return 2
    progress = Progress.for_args("retention", args.json)
    async with open_service() as service:
        now = parse_moment(args.at, service.settings.zone) if args.at else None
        progress.start(1)
        report = await retention(service.core, apply=bool(args.apply), now=now)
        progress.advance()
        progress.finish()
    result = {
        "applied": bool(args.apply),
        "transcripts": report.transcripts,
        "pii_vaults": report.pii_vaults,
        "attachments": report.attachment_kinds,
        "conversation_ids": list(report.conversation_ids),
    }
    if args.json:
        print_json(result)
        return EXIT_OK
    verb = "Deleted" if args.apply else "Due for deletion"
    print(f"{verb}: {report.transcripts} transcripts, {report.pii_vaults} PII vaults only.")
    kinds = ", ".join(f"{count} {kind}" for kind, count in report.attachment_kinds.items())
    print(
        f"{verb} (files): {report.attachments} residents' files"
        + (f" ({kinds})." if kinds else ".")
    )
    for conversation_id in report.conversation_ids:
        print(f"  {conversation_id}")
    if not args.apply and report.conversation_ids:
        print("Nothing was changed. Run again with --apply to delete them.")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    return script_main(parser(), run, argv)


if __name__ == "__main__":
    sys.exit(main())
