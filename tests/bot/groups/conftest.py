"""Fixtures for group-session tests: the harness, and residents on a second channel."""

from __future__ import annotations

import pytest

from tests.bot.groups.support import second_channel
from tests.support.chat import Harness


@pytest.fixture
def groups(harness: Harness) -> Harness:
    """The harness (channel "test"); group sessions are wired in by the service itself."""
    return harness


@pytest.fixture
def other(groups: Harness) -> Harness:
    """Residents on a second platform, "test2"."""
    return second_channel(groups)
