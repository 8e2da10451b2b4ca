"""The effect interpreter: every effect the state machine can produce has one handler."""

from __future__ import annotations

from typing import get_args

from bot.conversation import Effect
from bot.effects import HANDLERS


def test_every_effect_type_has_a_handler_and_nothing_else_does() -> None:
    assert set(HANDLERS) == set(get_args(Effect))
