"""The effect interpreter: every effect the state machine can produce has one handler."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

from bot.conversation import Effect
from bot.effects import HANDLERS

ROOT = Path(__file__).resolve().parents[2]


def test_every_effect_type_has_a_handler_and_nothing_else_does() -> None:
    assert set(HANDLERS) == set(get_args(Effect))


FACT_ATTRIBUTES = frozenset({"state", "language", "topic_id", "queue_id", "urgent", "triage"})
"""A conversation's columns that hold the machine's facts (`bot.effects.facts_of`)."""

FACT_WRITERS = {
    "bot/effects.py": "the interpreter: stores the machine's new facts, raises the urgent flag",
    "bot/queueing.py": "the Enqueue effect's interpreter picks the route (a language fallback)",
}


def _fact_writes(path: Path, root: Path = ROOT) -> list[str]:
    """`conversation.<fact> = ...` statements in a module, as `path:line attribute`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr in FACT_ATTRIBUTES
                and isinstance(target.value, ast.Name)
                and "conversation" in target.value.id
            ):
                found.append(f"{path.relative_to(root)}:{node.lineno} {target.attr}")
    return found


def test_only_the_machine_and_its_interpreter_write_a_conversations_facts() -> None:
    writes = [
        write
        for package in ("bot", "adapters", "scripts")
        for path in sorted((ROOT / package).rglob("*.py"))
        for write in _fact_writes(path)
        if "/migrations/" not in str(path)
    ]
    assert writes, "the interpreter's own writes must be found, or the check reads nothing"
    assert [w for w in writes if w.split(":")[0] not in FACT_WRITERS] == []
    assert {w.split(":")[0] for w in writes} == set(FACT_WRITERS)


def test_the_fact_check_finds_a_write_from_outside(tmp_path: Path) -> None:
    module = tmp_path / "rogue.py"
    module.write_text("def close(conversation):\n    conversation.triage = {}\n")
    assert _fact_writes(module, tmp_path) == ["rogue.py:2 triage"]
