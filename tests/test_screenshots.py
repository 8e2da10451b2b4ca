"""Browser tests keep the tracked tree clean: screenshots go to docs/ only when asked for."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.screenshots import DEFAULT, DOCS, REPO, SCREENSHOT_DIR, screenshot_dir


def test_screenshots_go_to_an_ignored_directory_unless_asked_for() -> None:
    assert screenshot_dir({}) == DEFAULT
    assert not DEFAULT.is_relative_to(DOCS)
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(
        ["git", "-C", str(REPO), "check-ignore", "-q", str(DEFAULT / "queue-board.png")],
        check=False,
    )
    assert ignored.returncode == 0, f"{DEFAULT} is not ignored by git"


def test_the_setting_writes_into_docs_or_anywhere_else() -> None:
    assert screenshot_dir({SCREENSHOT_DIR: "docs/screenshots"}) == DOCS
    assert screenshot_dir({SCREENSHOT_DIR: "/tmp/shots"}) == Path("/tmp/shots")
    assert screenshot_dir({SCREENSHOT_DIR: " "}) == DEFAULT


def test_the_browser_tests_use_it() -> None:
    from tests.adapters import test_webchat_browser
    from tests.bot.console import test_console_browser, test_groups_browser

    for module in (test_console_browser, test_groups_browser, test_webchat_browser):
        assert module.SCREENSHOTS == screenshot_dir(), module.__name__
    if not os.environ.get(SCREENSHOT_DIR):
        assert test_console_browser.SCREENSHOTS == DEFAULT


def test_make_screenshots_writes_into_docs() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    target = makefile.split("\nscreenshots:", 1)[1].split("\n\n", 1)[0]
    assert "SCREENSHOT_DIR=docs/screenshots" in target
    assert "-m browser" in target
