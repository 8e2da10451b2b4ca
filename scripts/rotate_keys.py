#!/usr/bin/env python3
"""Rotate the key-encryption key (KEK): add a new version, re-wrap every data key under it,
then retire the old version.

Messages are not touched: only the small wrapped data keys are re-encrypted, each checked
to open to the same key before it replaces the old one. Interrupted? Run it again: keys
already under the current version are skipped.

Development key file (data/keys.json): with no options this starts a new key epoch (when
every key is already under the current version): the new KEK waits in keys.json.pending
while every data key is re-wrapped under it, and goes into the key file only once all
succeeded (a failed run leaves the key file as it was). Restart the service afterwards so it
uses the new version. The service itself does this every SOMESOSSU_KEY_EPOCH_DAYS.

Keys from SOMESOSSU_KEKS (production): first add the new version to SOMESOSSU_KEKS in the
secret store, set SOMESOSSU_CURRENT_KEK_VERSION to it and restart the service; then run this
script to re-wrap. Finally --retire OLD checks that no key is wrapped by OLD any more and
tells you to remove it from the secret store (the key file is updated by the script itself).

  rotate_keys.py --status        show key versions and how many keys each wraps
  rotate_keys.py                 new epoch (key file only) or re-wrap under the current one
  rotate_keys.py --retire 1      retire version 1 once nothing uses it
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from bot.officer.common import (
    EXIT_FINDING,
    EXIT_OK,
    OfficerError,
    Progress,
    exit_codes_epilog,
    officer_settings,
    open_service,
    print_json,
    script_main,
    script_parser,
)
from bot.officer.rotation import (
    KeyStatus,
    RewrapReport,
    RotationOutcome,
    epoch_of,
    key_status,
    retire_version,
    rewrap_all,
    rotate_key_file,
)
from privacy.keyfile import pending_key_file

EPILOG = exit_codes_epilog(
    "some data keys could not be re-wrapped (their KEK is missing or they are damaged)",
)


def parser() -> argparse.ArgumentParser:
    result = script_parser(__doc__, EPILOG)
    mode = result.add_mutually_exclusive_group()
    mode.add_argument("--status", action="store_true", help="only show the key versions")
    mode.add_argument("--retire", type=int, metavar="VERSION", help="retire this KEK version")
    result.add_argument(
        "--batch-size", type=int, default=500, help="keys per transaction (default 500)"
    )
    return result


async def run(args: argparse.Namespace) -> int:
    settings = officer_settings()
    pending = not settings.keys_configured and pending_key_file(settings.key_file).exists()
    async with open_service(settings) as service:
        core = service.core
        status = await key_status(core)
        started, overdue = await epoch_of(core)
        epoch = {
            "current_started_at": started.isoformat(),
            "epoch_days": settings.key_epoch_days,
            "overdue": overdue,
            "rotation_pending": pending,
        }
        if args.status:
            notes = _epoch_notes(settings.keys_configured, status, started, overdue, settings)
            _print(args, {"status": status.as_json(), "epoch": epoch}, notes, status)
            return EXIT_OK
        if args.retire is not None:
            if pending:
                raise OfficerError(
                    "a rotation was interrupted: run this script without options to finish "
                    "it, then retire"
                )
            await retire_version(core, core.keyring, args.retire)
            note = (
                f"Retired KEK version {args.retire} from {settings.key_file}. Restart the service."
                if not settings.keys_configured
                else f"No key uses KEK version {args.retire} any more. Remove it from "
                "SOMESOSSU_KEKS in the secret store (and from its history and backups), "
                "then restart."
            )
            _print(args, {"retired": args.retire, "note": note}, [note], None)
            return EXIT_OK
        progress = Progress.for_args("re-wrapping data keys", args.json)
        progress.start(status.outdated if status.outdated else sum(status.keys_by_version.values()))
        if not settings.keys_configured and (pending or status.outdated == 0):
            outcome = await rotate_key_file(
                core, batch_size=args.batch_size, on_batch=progress.advance
            )
            report = outcome.report
            added = outcome.to_version if outcome.committed else None
        else:
            outcome = None
            report = await rewrap_all(
                core, core.keyring, batch_size=args.batch_size, on_batch=progress.advance
            )
            added = None
        progress.finish()
    # Reopened so that the status below is read with the key ring as it now is on disk.
    async with open_service(settings) as service:
        after = await key_status(service.core)
    lines = _outcome_lines(settings.keys_configured, outcome, report, after, overdue)
    result = {
        "added_version": added,
        **report.as_json(),
        "key_file_changed": bool(outcome and outcome.committed),
        "rotation_pending": bool(outcome and outcome.pending_kept),
        "status": after.as_json(),
        "epoch": epoch,
    }
    _print(args, result, lines, after)
    return EXIT_FINDING if report.failed else EXIT_OK


def _epoch_notes(
    configured: bool, status: KeyStatus, started: datetime, overdue: bool, settings: Settings
) -> list[str]:
    days = settings.key_epoch_days
    notes = [f"Epoch of KEK version {status.current_version} started {started:%Y-%m-%d %H:%M} UTC."]
    if overdue and configured:
        notes.append(f"It is older than {days} days: {NEW_VERSION_STEPS}")
    elif overdue:
        notes.append(f"It is older than {days} days: the service starts a new one within an hour.")
    return notes


NEW_VERSION_STEPS = (
    "generate a new KEK (32 random bytes, base64url: the part after '1:' in the output of "
    "`somesossu keys generate`), add it to SOMESOSSU_KEKS in the secret store as the next "
    "version N (N:<key>, keeping the old entries), set SOMESOSSU_CURRENT_KEK_VERSION=N, restart "
    "every instance, then run this script to re-wrap, and `--retire OLD` followed by removing "
    "OLD from SOMESOSSU_KEKS and from the secret store's history."
)


def _outcome_lines(
    configured: bool,
    outcome: RotationOutcome | None,
    report: RewrapReport,
    after: KeyStatus,
    overdue: bool,
) -> list[str]:
    lines = []
    if outcome is not None and outcome.committed:
        lines.append(
            f"Added KEK version {outcome.to_version} to the key file. Restart the service so it "
            f"uses it; then retire version {outcome.from_version} with --retire "
            f"{outcome.from_version}."
        )
    elif outcome is not None and outcome.pending_kept:
        lines.append(
            f"The key file is unchanged: some keys could not be re-wrapped. KEK version "
            f"{outcome.to_version} waits in {pending_key_file(Path(after.source))}; run this "
            "script again once the failing keys are dealt with."
        )
    elif outcome is not None:
        lines.append("The key file is unchanged: no data key could be re-wrapped.")
    lines.append(
        f"Re-wrapped {report.rewrapped} data keys; {report.failed} failed; "
        f"{report.remaining} not under the current version."
    )
    if configured and after.outdated == 0:
        older = [v for v in after.ring_versions if v != after.current_version]
        if older:
            lines.append(
                f"Every key is under version {after.current_version}: retire "
                f"{', '.join(map(str, older))} with --retire, then remove them from "
                "SOMESOSSU_KEKS in the secret store."
            )
        elif overdue:
            lines.append(f"The current epoch is over: {NEW_VERSION_STEPS}")
    return lines


def _print(
    args: argparse.Namespace, result: dict[str, object], lines: list[str], status: KeyStatus | None
) -> None:
    if args.json:
        print_json(result)
        return
    if status is not None:
        print(f"Current KEK version: {status.current_version} (keys from {status.source})")
        print(f"Versions in the key ring: {', '.join(map(str, status.ring_versions))}")
        for version, count in sorted(status.keys_by_version.items()):
            print(f"  version {version}: {count} data keys")
        if status.unreadable:
            print(f"  {status.unreadable} data keys are under a version no longer in the ring")
    for line in lines:
        print(line)


def main(argv: Sequence[str] | None = None) -> int:
    return script_main(parser(), run, argv)


if __name__ == "__main__":
    sys.exit(main())
