"""Real Chromium (Debian's /usr/bin/chromium) through Playwright, and axe-core for audits.

Browser tests skip with a reason when Chromium is missing on a developer's machine, but fail
in CI (CI=true), where `.ci/run` installs it.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE = (
    Path(__file__).resolve().parents[2]
    / ".cache"
    / "axe"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def require_browser() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing in CI: .ci/run should have installed it")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


async def launch_browser() -> AsyncIterator[Any]:
    """An async generator for a fixture: one Chromium for the test session."""
    require_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def axe_violations(
    page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")
) -> list[dict[str, Any]]:
    """Run axe-core in the page; return violations of the given impacts (id, impact, nodes)."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is missing at {AXE}: `make test` installs it with npm")
        pytest.skip("axe-core is not installed (make test installs it)")
    await page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = await page.evaluate("async () => JSON.stringify(await axe.run(document))")
    violations = json.loads(result)["violations"]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations
        if v["impact"] in impacts
    ]
