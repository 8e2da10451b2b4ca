#!/usr/bin/env python3
"""Rotate the key-encryption key (KEK): add a new version, re-wrap every data key under it,
then retire the old version.

Messages are not touched: only the small wrapped data keys are re-encrypted, each checked
to open to the same key before it replaces the old one. Interrupted? Run it again: keys
already under the current version are skipped.

Development key file (data/keys.json): with no options this adds a new KEK version to the
file (when every key is already under the current one) and re-wraps. Restart the service
afterwards so it uses the new version.

Keys from SOMESOSSU_KEKS (production): first add the new version to SOMESOSSU_KEKS in the
secret store, set SOMESOSSU_CURRENT_KEK_VERSION to it and restart the service; then run this
script to re-wrap. Finally --retire OLD checks that no key is wrapped by OLD any more and
tells you to remove it from the secret store (the key file is updated by the script itself).

  rotate_keys.py --status        show key versions and how many keys each wraps
  rotate_keys.py                 add a version (key file only) and re-wrap
  rotate_keys.py --retire 1      retire version 1 once nothing uses it
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.officer.common import (
    EXIT_CODES_EPILOG,
    EXIT_FINDING,
    EXIT_OK,
    Progress,
    officer_settings,
    open_service,
    print_json,
    run_script,
    script_parser,
)
from bot.officer.rotation import (
    KeyStatus,
    add_kek_version,
    key_status,
    retire_version,
    rewrap_all,
)

EPILOG = EXIT_CODES_EPILOG.replace(
    "1  a finding or problem (see the output)",
    "1  some data keys could not be re-wrapped (their KEK is missing or they are damaged)",
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
    async with open_service(settings) as service:
        core = service.core
        status = await key_status(core)
        if args.status:
            _print(args, {"status": status.as_json()}, [], status)
            return EXIT_OK
        if args.retire is not None:
            await retire_version(core, core.keyring, args.retire)
            note = (
                f"Retired KEK version {args.retire} from {settings.key_file}. Restart the service."
                if not settings.keys_configured
                else f"No key uses KEK version {args.retire} any more. Remove it from "
                "SOMESOSSU_KEKS in the secret store (and from its history), then restart."
            )
            _print(args, {"retired": args.retire, "note": note}, [note], None)
            return EXIT_OK
        added = None
        if not settings.keys_configured and status.outdated == 0:
            added = add_kek_version(settings).current_kek_version
    # Reopened so that everything below uses the key ring as it now is on disk.
    async with open_service(settings) as service:
        core = service.core
        progress = Progress.for_args("re-wrapping data keys", args.json)
        progress.start((await key_status(core)).outdated)
        report = await rewrap_all(
            core, core.keyring, batch_size=args.batch_size, on_batch=progress.advance
        )
        progress.finish()
        after = await key_status(core)
    lines = []
    if added:
        lines.append(f"Added KEK version {added}. Restart the service so it uses it.")
    lines.append(
        f"Re-wrapped {report.rewrapped} data keys; {report.failed} failed; "
        f"{report.remaining} not under the current version."
    )
    result = {"added_version": added, **report.as_json(), "status": after.as_json()}
    _print(args, result, lines, after)
    return EXIT_FINDING if report.failed else EXIT_OK


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
    args = parser().parse_args(argv)
    return run_script(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
