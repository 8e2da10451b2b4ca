#!/usr/bin/env python3
"""Verify the whole audit trail: every record's keyed hash, the links between records, and
the signed checkpoint (the latest head of the chain, kept outside the database).

Reports "intact", or the first bad record by its sequence number and what is wrong with it:
edited, removed, inserted, reordered or truncated (the newest records deleted). It only
reads: it never writes to the audit trail it verifies (so it can also check a restored
backup), and it writes a checkpoint copy only where --copy-checkpoint says.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.officer.audit_verify import copy_checkpoint, verify_audit
from bot.officer.common import (
    EXIT_FINDING,
    EXIT_OK,
    Progress,
    exit_codes_epilog,
    open_service,
    print_json,
    script_main,
    script_parser,
)

EPILOG = exit_codes_epilog(
    "the chain is broken: a record was edited, removed, inserted, reordered, or the\n"
    "     newest records were deleted (truncated); or the checkpoint is forged",
)


def parser() -> argparse.ArgumentParser:
    result = script_parser(__doc__, EPILOG)
    result.add_argument(
        "--checkpoint",
        type=Path,
        help="verify against this checkpoint copy instead of DATA_DIR/audit-checkpoint.json",
    )
    result.add_argument(
        "--copy-checkpoint",
        type=Path,
        metavar="FILE",
        help="after a successful verification, write a signed checkpoint of the current head "
        "to FILE (keep it where database administrators cannot write)",
    )
    return result


async def run(args: argparse.Namespace) -> int:
    async with open_service(migrate=False) as service:
        progress = Progress.for_args("verifying audit records", args.json, every=1.0, rate=True)
        report = await verify_audit(service.core, args.checkpoint, progress)
        copied = None
        if report.ok and args.copy_checkpoint is not None:
            copied = await copy_checkpoint(service.core, args.copy_checkpoint)
    if args.json:
        print_json({**report.as_json(), "checkpoint_copied_at_seq": copied})
    elif report.ok:
        print(f"INTACT: {report.detail}.")
        if report.checkpoint == "missing":
            print("warning: without a checkpoint, deleting the newest records goes unnoticed.")
        if copied is not None:
            print(f"checkpoint of seq {copied} written to {args.copy_checkpoint}")
    else:
        where = f"record {report.first_bad_seq}" if report.first_bad_seq else "checkpoint"
        print(f"BROKEN at {where}: {report.problem}")
        print(f"  {report.detail}")
        print(f"  {report.checked} of {report.records} records verified before the problem.")
    return EXIT_OK if report.ok else EXIT_FINDING


def main(argv: Sequence[str] | None = None) -> int:
    return script_main(parser(), run, argv)


if __name__ == "__main__":
    sys.exit(main())
