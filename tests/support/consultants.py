"""A consultant for channel tests: an account with an organisation and an end date, and what
the tests ask of a consultation (may the consultant read, what the audit trail says)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.access import Staff
from bot.actions import consultations as consult
from bot.actions.context import SYSTEM
from bot.actions.users import create_user
from bot.core import Core
from bot.errors import ActionError
from bot.roles import Role
from bot.store.tables import AuditRow

ORGANISATION = "Velkaneuvonta ry"
PASSWORD = "a long test password"


async def consultant(core: Core, name: str = "Veli") -> Staff:
    """A consultant of ORGANISATION for 30 days, set up by an admin made for it."""
    admin = await create_user(
        core, SYSTEM, username=f"admin-{name.lower()}", role=Role.ADMIN, password=PASSWORD
    )
    user = await create_user(
        core,
        SYSTEM,
        username=name.lower(),
        role=Role.CONSULTANT,
        password=PASSWORD,
        display_name=name,
    )
    await consult.set_consultant_account(
        core,
        Staff.of(admin, []),
        user.id,
        organisation=ORGANISATION,
        valid_until=core.now() + timedelta(days=30),
    )
    return Staff.of(user, [])


async def kept_out(core: Core, staff: Staff, consultation: str) -> bool:
    """Whether the consultant is refused the consultation's messages."""
    try:
        await consult.read(core, staff, consultation)
    except ActionError as refused:
        return refused.code == "forbidden"
    return False


async def consultation_audit(core: Core) -> list[tuple[str, str]]:
    """The consultations' audit records, oldest first, as (action, purpose)."""
    async with core.database.session() as session:
        rows = await session.execute(
            select(AuditRow)
            .where(AuditRow.object_type == "consultation")
            .order_by(col(AuditRow.seq))
        )
        return [(r.action, r.purpose) for r in rows.scalars()]
