"""The signed-in staff member as the actions see them, and the refusal every action raises.

Never carries a login where a resident could see it: `display_name` is the chosen name or "".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ServiceError
from ..roles import Role
from ..store import users as user_store
from ..store.tables import Conversation, StaffUser
from .context import Actor, Core, Work, may_act
from .users import resident_name


class ActionError(ServiceError):
    """A refused action. `code` is stable (the JSON API returns it); the text is for staff."""


@dataclass(frozen=True, slots=True)
class Staff:
    """A signed-in staff member as the actions see them. `display_name` is the name residents
    see, "" when none was chosen (`users.resident_name`): never the login."""

    user_id: str
    role: Role
    display_name: str
    queues: frozenset[str]
    max_concurrent: int = 3

    def actor(self, unit: str | None = None) -> Actor:
        return Actor(self.user_id, str(self.role), unit or "")

    @classmethod
    async def load(cls, work: Work, user_id: str) -> Staff:
        user = await user_store.by_id(work.session, user_id)
        if user is None or not user.active:
            raise ActionError("forbidden", "this account is not active")
        return cls.of(user, await user_store.queue_ids(work.session, user.id))

    @classmethod
    def of(cls, user: StaffUser, queues: Sequence[str]) -> Staff:
        return cls(
            user.id, Role(user.role), resident_name(user), frozenset(queues), user.max_concurrent
        )


def counsellor_name(core: Core, staff: Staff, language: str | None) -> str:
    """The counsellor as residents see them: the chosen display name, else the neutral word for
    a counsellor in the resident's language."""
    return staff.display_name or core.texts.text(language or "", "webchat_counsellor")


def may_read(staff: Staff, conversation: Conversation) -> bool:
    """Reading content is acting on the conversation: the one rule in `context`."""
    return may_act(staff, conversation)
