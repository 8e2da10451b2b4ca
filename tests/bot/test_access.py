"""The access module: the one place that decides who may read and act on what."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.access import (
    MODERATOR_ROLES,
    Denial,
    Staff,
    conversation_access,
    may_announce,
    may_create_sessions,
    may_moderate,
    may_read,
)
from bot.roles import Role
from bot.store.group_tables import GroupSession
from bot.store.tables import Conversation
from privacy.crypto import Sealed

ROOT = Path(__file__).resolve().parents[2]
RULES = frozenset(
    {"conversation_access", "may_act", "may_read", "may_follow", "may_moderate", "works_in"}
)


def _staff(role: Role, *queues: str, user_id: str = "u1") -> Staff:
    return Staff(user_id, role, "", frozenset(queues))


def _conversation(queue: str, assigned_to: str | None = None) -> Conversation:
    return Conversation(
        pseudonym="p",
        channel="webchat",
        state="active",
        queue_id=queue,
        assigned_to=assigned_to,
        sealed_reply_address=Sealed(b"\x01" + b"\x02" * 40),
    )


def test_a_counsellor_reads_their_queue_and_their_own_chats_only() -> None:
    counsellor = _staff(Role.COUNSELLOR, "housing")
    assert may_read(counsellor, _conversation("housing"))
    assert may_read(counsellor, _conversation("housing", assigned_to="u1"))
    assert (
        conversation_access(counsellor, _conversation("housing", "u2")) is Denial.CLAIMED_BY_OTHER
    )
    assert conversation_access(counsellor, _conversation("money")) is Denial.OTHER_QUEUE
    assert conversation_access(counsellor, None) is Denial.GONE
    supervisor = _staff(Role.SUPERVISOR, "housing")
    assert may_read(supervisor, _conversation("housing", "u2"))


def test_group_sessions_are_moderated_by_their_own_moderators() -> None:
    now = datetime.now(UTC)
    session = GroupSession(
        code="TEE10",
        title="Coffee",
        language="fi",
        topic_id="housing",
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        created_by="u1",
        moderators=["u1"],
    )
    assert may_moderate(_staff(Role.COUNSELLOR, user_id="u1"), session)
    assert not may_moderate(_staff(Role.COUNSELLOR, user_id="u2"), session)
    assert may_moderate(_staff(Role.SUPERVISOR, user_id="u2"), session)
    assert {role for role in Role if may_create_sessions(_staff(role))} == MODERATOR_ROLES
    assert may_announce(_staff(Role.COUNSELLOR)) and not may_announce(_staff(Role.PRIVACY_OFFICER))


def test_no_module_outside_the_access_module_defines_an_access_rule() -> None:
    defined = {
        f"{path.relative_to(ROOT)}:{node.name}"
        for package in ("bot", "adapters")
        for path in (ROOT / package).rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in RULES
    }
    assert defined == {f"bot/access.py:{name}" for name in RULES}
