"""Fixtures for group-session tests: the group tables and hook, and a second channel."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.groups.support import prepare_groups, second_channel
from tests.support.chat import Harness


@pytest.fixture
async def groups(harness: Harness, tmp_path: Path) -> Harness:
    """The harness (channel "test") with group sessions wired in."""
    await prepare_groups(harness.service, tmp_path)
    return harness


@pytest.fixture
def other(groups: Harness) -> Harness:
    """Residents on a second platform, "test2"."""
    return second_channel(groups)
