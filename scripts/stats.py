#!/usr/bin/env python3
"""Anonymous statistics for reporting and developing the service.

Conversations by channel, language, topic, hour of day and week; waiting times until a
counsellor answered; feedback; outcomes (advice given, referrals); close tags (counted by
tag id, shown with their labels, retired tags included); attendance of group
sessions (joined, stayed at least the set minutes, feedback) by topic, language and week.
Counts only: any number under 5 is shown as "<5" (and where only one number in a table would
be hidden, the next smallest is hidden too), so no single resident can be picked out. Read
from the anonymous counters of closed conversations (by the day they began), which outlive
the transcripts' retention: the console's reports read the same ones.

--html FILE writes a self-contained report with charts (weekly volume by channel, waiting
times, feedback) that opens in any browser and prints well; it makes no network requests.

Conversations already deleted under the retention rules are no longer counted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.officer.common import (
    EXIT_OK,
    format_table,
    officer_settings,
    open_service,
    parse_moment,
    print_json,
    script_main,
    script_parser,
)
from bot.officer.stats import gather_statistics, render_html


def parser() -> argparse.ArgumentParser:
    result = script_parser(__doc__)
    result.add_argument("--since", help="conversations started on or after this date")
    result.add_argument("--until", help="... up to and including this date (YYYY-MM-DD)")
    result.add_argument("--html", type=Path, metavar="FILE", help="write an HTML report")
    result.add_argument(
        "--title", default="Chat service: statistics", help="title of the HTML report"
    )
    return result


async def run(args: argparse.Namespace) -> int:
    settings = officer_settings()
    zone = settings.zone
    since = parse_moment(args.since, zone) if args.since else None
    until = parse_moment(args.until, zone, end_of_day=True) if args.until else None
    async with open_service(settings) as service:
        stats = await gather_statistics(service.core, since=since, until=until)
        made_at = service.core.now()
    if args.html is not None:
        args.html.write_text(render_html(stats, title=args.title, made_at=made_at), "utf-8")
    if args.json:
        print_json({**stats.as_json(), "html": str(args.html) if args.html else None})
        return EXIT_OK
    print(f"Conversations: {stats.conversations}")
    print(f"Group sessions ended: {stats.group_sessions}")
    median = stats.wait_median_minutes
    if median is not None:
        print(f"Waiting time: median {median} min, 90% within {stats.wait_p90_minutes} min")
    for heading, cells in stats.tables():
        print(f"\n{heading}")
        print(format_table(["", "count"], list(cells.items())))
    if args.html is not None:
        print(f"\nHTML report written to {args.html}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    return script_main(parser(), run, argv)


if __name__ == "__main__":
    sys.exit(main())
