"""Staff account actions: create accounts and the first admin, each with an audit record.

Never logs or audits a password; the one-time password is returned to the caller only.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.errors import ServiceError
from bot.passwords import hash_password, one_time_password
from bot.roles import Role
from bot.store import queues as queue_store
from bot.store import users as user_store
from bot.store.tables import StaffUser
from privacy.audit import AuditAction

from .context import Actor, Core, unit_of_work


class UserError(ServiceError):
    """A user action was refused (always invalid input); the message is safe to show to staff."""

    def __init__(self, message: str) -> None:
        super().__init__("invalid_input", message)


MAX_DISPLAY_NAME = 60


def clean_display_name(display_name: str, username: str) -> str:
    """A chosen display name, whitespace folded; refused when empty, too long or the login."""
    name = " ".join(display_name.split())
    if not 1 <= len(name) <= MAX_DISPLAY_NAME:
        raise UserError(f"a display name is 1-{MAX_DISPLAY_NAME} characters")
    if name == username.strip():
        raise UserError("the display name must not be the login: residents see it")
    return name


async def create_user(
    core: Core,
    actor: Actor,
    *,
    username: str,
    role: Role,
    password: str,
    queues: Sequence[str] = (),
    display_name: str | None = None,
    must_change_password: bool = False,
) -> StaffUser:
    """Without a display name residents see a neutral word (`resident_name`), never the login."""
    username = username.strip()
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        raise UserError("a username is 1-100 characters without spaces")
    chosen = clean_display_name(display_name, username) if display_name else None
    password_hash = hash_password(password)
    async with unit_of_work(core) as work:
        if await user_store.by_username(work.session, username) is not None:
            raise UserError(f"user {username!r} exists already")
        for queue_id in queues:
            if not await queue_store.queue_exists(work.session, queue_id):
                raise UserError(f"no queue {queue_id!r}")
        user = StaffUser(
            username=username,
            # Staff lists show the login until a name is chosen; residents never (see above).
            display_name=chosen or username,
            role=str(role),
            password_hash=password_hash,
            must_change_password=must_change_password,
        )
        work.session.add(user)
        await work.session.flush()
        await user_store.set_queues(work.session, user.id, queues)
        await work.audit(
            actor, AuditAction.CREATE, object_type="staff_user", object_id=user.id, purpose=role
        )
    return user


async def ensure_first_admin(core: Core, *, username: str = "admin") -> str | None:
    """Create an admin with a one-time password when there is no user at all.

    Returns the one-time password to print once, or None when users exist already.
    """
    async with core.database.session() as session:
        if await user_store.count_users(session) > 0:
            return None
    password = one_time_password()
    await create_user(
        core,
        Actor("system:first-start", "system"),
        username=username,
        role=Role.ADMIN,
        password=password,
        display_name="Admin",
        must_change_password=True,
    )
    return password
