"""Staff roles and what each may do; checked on every request and websocket message.

Roles grant capabilities; queue membership further limits a counsellor to their own queues.
Never decides who may act on a particular conversation or block: that is the one rule in
`bot.actions.context` (`conversation_access`), which builds on these capabilities.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    COUNSELLOR = "counsellor"
    SUPERVISOR = "supervisor"
    PRIVACY_OFFICER = "privacy_officer"
    ADMIN = "admin"
    CONSULTANT = "consultant"
    """A professional invited into one conversation at a time (bot/consultations.py); no queue
    work, reads only what `access.consultant_access` allows."""


class Capability(StrEnum):
    WORK_QUEUES = "work_queues"
    SEE_ALL_QUEUES = "see_all_queues"
    READ_CLAIMED_BY_OTHERS = "read_claimed_by_others"
    DASHBOARD = "dashboard"
    AUDIT = "audit"
    READ_WITH_REASON = "read_with_reason"
    BLOCK = "block"
    ADMINISTER = "administer"


CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.COUNSELLOR: frozenset({Capability.WORK_QUEUES, Capability.BLOCK}),
    Role.SUPERVISOR: frozenset(
        {
            Capability.WORK_QUEUES,
            Capability.SEE_ALL_QUEUES,
            Capability.READ_CLAIMED_BY_OTHERS,
            Capability.DASHBOARD,
            Capability.BLOCK,
        }
    ),
    Role.PRIVACY_OFFICER: frozenset({Capability.AUDIT, Capability.READ_WITH_REASON}),
    Role.ADMIN: frozenset({Capability.ADMINISTER, Capability.SEE_ALL_QUEUES, Capability.DASHBOARD}),
    Role.CONSULTANT: frozenset(),
}


def can(role: Role | str, capability: Capability) -> bool:
    # A role's text finds its member directly (a StrEnum hashes and compares as its value);
    # building Role(role) cost more than the rest of a list row's access checks together.
    return capability in _BY_TEXT.get(role, _NOTHING)


_NOTHING: frozenset[Capability] = frozenset()
_BY_TEXT: dict[str, frozenset[Capability]] = {
    str(role): caps for role, caps in CAPABILITIES.items()
}
