from __future__ import annotations

from bot.groups.sessions import GroupState
from bot.store import inbound


def test_the_store_names_an_open_group_session_as_the_groups_logic_does() -> None:
    assert inbound.OPEN == GroupState.OPEN
