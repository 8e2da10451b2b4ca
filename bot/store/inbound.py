"""What a batch of inbound messages needs to know before it is handled, in one query.

Three questions per batch (which messages were stored before, which residents or networks
are blocked, which take part in an open group session) would be three ORM round trips; asked
together as plain rows they cost one, which is most of what a single message alone pays for.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BindParameter, CompoundSelect, bindparam, literal, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from .group_tables import GroupParticipant, GroupSession
from .tables import Block, InboundSeen

OPEN = "open"  # bot.groups.sessions.GroupState.OPEN; the store does not import the groups logic


@dataclass
class BatchFacts:
    seen: set[str]
    blocked: set[str]
    in_group: set[str]


def _facts_query() -> CompoundSelect[str, str]:
    # Built once: constructing a statement costs more than running this one on SQLite.
    keys: BindParameter[str] = bindparam("keys", expanding=True)
    pseudonyms: BindParameter[str] = bindparam("pseudonyms", expanding=True)
    origins: BindParameter[str] = bindparam("origins", expanding=True)
    seen = select(literal("seen"), col(InboundSeen.key)).where(col(InboundSeen.key).in_(keys))
    blocked = select(literal("blocked"), col(Block.pseudonym)).where(
        col(Block.pseudonym).in_(pseudonyms),
        col(Block.expires_at) > bindparam("now"),
        col(Block.lifted_at).is_(None),
    )
    blocked_origin = select(literal("blocked"), col(Block.origin_digest)).where(
        col(Block.origin_digest).in_(origins),
        col(Block.expires_at) > bindparam("now"),
        col(Block.lifted_at).is_(None),
    )
    in_group = (
        select(literal("group"), col(GroupParticipant.pseudonym))
        .join(GroupSession, col(GroupSession.id) == col(GroupParticipant.session_id))
        .where(
            col(GroupParticipant.pseudonym).in_(pseudonyms),
            col(GroupParticipant.left_at).is_(None),
            col(GroupParticipant.removed).is_(False),
            col(GroupSession.state) == OPEN,
        )
    )
    return union_all(seen, blocked, blocked_origin, in_group)


_FACTS = _facts_query()


async def batch_facts(
    session: AsyncSession,
    keys: Collection[str],
    pseudonyms: Collection[str],
    now: datetime,
    origins: Collection[str] = (),
) -> BatchFacts:
    """`blocked` holds the blocked pseudonyms and origin digests among those asked."""
    facts = BatchFacts(set(), set(), set())
    sets = {"seen": facts.seen, "blocked": facts.blocked, "group": facts.in_group}
    parameters = {
        "keys": list(keys),
        "pseudonyms": list(pseudonyms),
        "origins": list(origins),
        "now": now,
    }
    for kind, value in await session.execute(_FACTS, parameters):
        sets[kind].add(value)
    return facts
