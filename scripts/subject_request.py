#!/usr/bin/env python3
"""Handle a resident's request for their own data (export) or its deletion (erase).

The resident gives the reference code the chat showed them (command "my reference code").
The code identifies their conversations but does not prove who is asking: check the request
as your organisation's procedure requires before acting.

  export CODE   writes a readable file of the resident's own messages and the replies they
                received, with the personal details they gave put back where the service
                still keeps them. The file is readable by you only (mode 0600): give it to
                the resident securely and delete your copy.
  erase CODE    deletes all of the resident's conversations by crypto-shredding. Asks for
                --yes; without it, only shows what would be deleted.

Both are written to the audit trail (export, erase) with the resident's pseudonym, never the
content. The code is accepted in lower case, with spaces, without the dash, and with O for 0
or I/L for 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.officer.common import (
    EXIT_FINDING,
    EXIT_OK,
    exit_codes_epilog,
    open_service,
    print_json,
    script_main,
    script_parser,
)
from bot.officer.subject import (
    AmbiguousCode,
    erase_subject,
    export_subject,
    files_directory,
    find_subject,
    write_export,
)

EPILOG = exit_codes_epilog(
    "no conversations are stored for this code (perhaps already deleted), or the code\n"
    "     matches more than one resident (nothing is exported or erased then)",
)


def parser() -> argparse.ArgumentParser:
    result = script_parser(__doc__, EPILOG)
    commands = result.add_subparsers(dest="request", required=True)
    export = commands.add_parser("export", help="write the resident's conversations to a file")
    export.add_argument("code", help="the resident's reference code, e.g. 7K3QD-M0XZ2")
    export.add_argument(
        "--out",
        type=Path,
        help="file to write (default: export-CODE.md, or export-CODE.json with --json)",
    )
    export.add_argument("--reason", default="", help="case number for the audit trail")
    erase = commands.add_parser("erase", help="crypto-shred the resident's conversations")
    erase.add_argument("code", help="the resident's reference code")
    erase.add_argument("--yes", action="store_true", help="really delete")
    erase.add_argument("--reason", default="", help="case number for the audit trail")
    for sub in (export, erase):
        # SUPPRESS: a sub-command's default must not overwrite a --json given before it.
        sub.add_argument(
            "--json", action="store_true", default=argparse.SUPPRESS, help="JSON output"
        )
    return result


async def run(args: argparse.Namespace) -> int:
    async with open_service() as service:
        core = service.core
        try:
            match = await find_subject(core, args.code)
        except AmbiguousCode as error:
            print(f"error: {error}; ask the resident for another detail", file=sys.stderr)
            return EXIT_FINDING
        if not match.conversation_ids:
            if args.json:
                print_json({"code": match.code, "conversations": 0})
            else:
                print(f"No conversations are stored for {match.code}.")
            return EXIT_FINDING
        if args.request == "export":
            export = await export_subject(core, match, reason=args.reason)
            suffix = "json" if args.json else "md"
            path = args.out or Path(f"export-{match.code}.{suffix}")
            write_export(export, path, as_json=args.json)
            summary = {
                "code": match.code,
                "conversations": len(export.conversations),
                "messages": export.message_count,
                "file": str(path),
                "files": len(export.files),
                "files_directory": str(files_directory(path)) if export.files else None,
            }
            if args.json:
                print_json(summary)
            else:
                print(
                    f"Exported {summary['conversations']} conversations "
                    f"({summary['messages']} messages) to {path} (readable by you only)."
                )
                if export.files:
                    print(
                        f"The {len(export.files)} files the resident sent are in "
                        f"{files_directory(path)} (readable by you only)."
                    )
            return EXIT_OK
        if not args.yes:
            if args.json:
                print_json(
                    {"code": match.code, "would_erase": list(match.conversation_ids), "erased": 0}
                )
            else:
                print(f"{len(match.conversation_ids)} conversations would be deleted:")
                for conversation_id in match.conversation_ids:
                    print(f"  {conversation_id}")
                print("Nothing was changed. Run again with --yes to delete them.")
            return EXIT_OK
        erased = await erase_subject(core, match, reason=args.reason)
    if args.json:
        print_json({"code": match.code, "erased": erased})
    else:
        print(f"Deleted {erased} conversations of {match.code} (keys destroyed).")
    return EXIT_OK if erased else EXIT_FINDING


def main(argv: Sequence[str] | None = None) -> int:
    return script_main(parser(), run, argv)


if __name__ == "__main__":
    sys.exit(main())
