#!/usr/bin/env python3
"""Print the GDPR Article 30 record of processing activities as Markdown, generated from the
live configuration: categories of data and of data subjects, purposes, retention per queue,
channels in use, staff with access by role, recipients (disclosures recorded in the audit
trail) and security measures.

Fill in the controller's name and contact with --controller and --contact, review the text,
and keep it with your other records. Run it again after configuration changes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.officer.common import (
    EXIT_OK,
    open_service,
    print_json,
    script_main,
    script_parser,
)
from bot.officer.processing_record import processing_record, render_markdown


def parser() -> argparse.ArgumentParser:
    result = script_parser(__doc__)
    result.add_argument("--controller", help="name of the controller (the organisation)")
    result.add_argument("--contact", help="contact details of the controller and the DPO")
    result.add_argument("--out", type=Path, metavar="FILE", help="write to FILE, not stdout")
    return result


async def run(args: argparse.Namespace) -> int:
    async with open_service() as service:
        options = {
            key: value
            for key, value in (("controller", args.controller), ("contact", args.contact))
            if value
        }
        record = await processing_record(
            service.core,
            adapters=service.channels,
            **options,
        )
    if args.json:
        print_json(record.as_json())
        return EXIT_OK
    text = render_markdown(record)
    if args.out is not None:
        args.out.write_text(text, "utf-8")
        print(f"written to {args.out}")
    else:
        print(text, end="")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    return script_main(parser(), run, argv)


if __name__ == "__main__":
    sys.exit(main())
