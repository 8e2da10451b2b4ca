#!/usr/bin/env python3
"""Who accessed which conversation, when and why: a report from the audit trail.

Filters by person (username or user id), conversation, action and period. Flags unusual
access: reveals of redacted data in a conversation the person had not claimed, reading or
revealing content outside working hours, many different conversations read by one person in
a short time, and denied attempts. Lists disclosures (a consultant let into a conversation)
per recipient organisation and purpose. Shows ids, roles, actions and stated reasons, never
conversation content.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import timedelta

from bot.officer.audit_report import (
    DEFAULT_WORKING_HOURS,
    FLAG_EXPLANATIONS,
    ReportFilter,
    UnusualRules,
    audit_report,
    working_hours,
)
from bot.officer.common import (
    EXIT_FINDING,
    EXIT_OK,
    exit_codes_epilog,
    format_table,
    local_text,
    officer_settings,
    open_service,
    parse_moment,
    print_json,
    script_main,
    script_parser,
)

EPILOG = exit_codes_epilog(
    "at least one shown record is flagged as unusual",
)


def parser() -> argparse.ArgumentParser:
    result = script_parser(__doc__, EPILOG)
    result.add_argument("--person", help="only this staff member (username or user id)")
    result.add_argument("--conversation", help="only this conversation id")
    result.add_argument(
        "--action",
        action="append",
        default=[],
        help="only this action (repeatable), e.g. read, reveal, export, erase, claim",
    )
    result.add_argument("--since", help="from this date (YYYY-MM-DD, local time) or date-time")
    result.add_argument("--until", help="up to and including this date (YYYY-MM-DD)")
    result.add_argument(
        "--flagged", action="store_true", help="show only records flagged as unusual"
    )
    result.add_argument(
        "--working-hours",
        default=DEFAULT_WORKING_HOURS,
        help=f"normal working hours, local time (default: {DEFAULT_WORKING_HOURS!r}); "
        "Finnish public holidays count as outside",
    )
    result.add_argument(
        "--burst",
        type=int,
        default=10,
        metavar="N",
        help="flag reading N or more different conversations ... (default 10)",
    )
    result.add_argument(
        "--burst-minutes",
        type=int,
        default=60,
        metavar="M",
        help="... within M minutes (default 60)",
    )
    return result


async def run(args: argparse.Namespace) -> int:
    settings = officer_settings()
    zone = settings.zone
    wanted = ReportFilter(
        person=args.person,
        conversation=args.conversation,
        actions=frozenset(a.strip().lower() for a in args.action),
        since=parse_moment(args.since, zone) if args.since else None,
        until=parse_moment(args.until, zone, end_of_day=True) if args.until else None,
        flagged_only=args.flagged,
    )
    rules = UnusualRules(
        hours=working_hours(args.working_hours, zone),
        burst_count=max(2, args.burst),
        burst_window=timedelta(minutes=max(1, args.burst_minutes)),
    )
    async with open_service(settings) as service:
        report = await audit_report(service.core, wanted, rules)
    flagged = any(row.flags for row in report.rows)
    if args.json:
        print_json(report.as_json())
        return EXIT_FINDING if flagged else EXIT_OK
    print(
        format_table(
            ["seq", "time", "who", "role", "action", "conversation", "reason", "outcome", "flags"],
            [
                (
                    row.seq,
                    local_text(row.at, zone),
                    row.actor,
                    row.role,
                    row.action,
                    row.conversation,
                    row.purpose,
                    row.outcome,
                    ",".join(row.flags),
                )
                for row in report.rows
            ],
        )
    )
    print(f"\n{len(report.rows)} of {report.total_records} audit records shown (times: Finland).")
    if report.disclosures:
        print("Disclosures by recipient organisation:")
        print(
            format_table(
                ["recipient", "basis", "purpose", "count"],
                [(d.recipient, d.basis, d.purpose, d.count) for d in report.disclosures],
            )
        )
    if report.flag_counts:
        print("Unusual:")
        for flag, count in report.flag_counts.items():
            print(f"  {flag}: {count}  ({FLAG_EXPLANATIONS.get(flag, flag)})")
    return EXIT_FINDING if flagged else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    return script_main(parser(), run, argv)


if __name__ == "__main__":
    sys.exit(main())
