"""Where browser tests write their screenshots: build/screenshots/ unless asked for docs/.

Never the tracked docs/screenshots/ on an ordinary test run (`make test` left the tree dirty
with re-rendered PNGs); `make screenshots` sets SCREENSHOT_DIR=docs/screenshots to renew them.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = "SCREENSHOT_DIR"
"""Environment variable: the directory to write to, relative to the repository or absolute.

Not a SOMESOSSU_ setting: tests clear those, and this is about the test run, not the service."""
DEFAULT = REPO / "build" / "screenshots"
"""Ignored by git (build/ in .gitignore): look at the pictures there after a run."""
DOCS = REPO / "docs" / "screenshots"


def screenshot_dir(environ: dict[str, str] | None = None) -> Path:
    """The directory screenshots go to on this run."""
    chosen = (os.environ if environ is None else environ).get(SCREENSHOT_DIR, "").strip()
    if not chosen:
        return DEFAULT
    return (REPO / chosen).resolve()  # an absolute path stays as it is
