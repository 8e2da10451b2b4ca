"""Blocking a resident's pseudonym for a while, and lifting a block.

The reason is sealed under the system key; another queue's block is never even named.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.access import Staff, may_lift_block
from bot.errors import ActionError
from privacy.audit import AuditAction
from privacy.crypto import seal

from ..conversation import StaffBlocked, State
from ..effects import run_event
from ..ids import new_id
from ..origins import origin_of
from ..roles import Capability, can
from ..sealed_formats import BLOCK_REASON
from ..store.tables import Block
from .context import Core, unit_of_work
from .conversation_checks import clean_reason, load_visible, require_access


async def block(core: Core, staff: Staff, conversation_id: str, *, days: int, reason: str) -> Block:
    """Block the resident's pseudonym for a while, and on web chat the network they wrote
    from (a new session does not escape it); the conversation ends without a word."""
    if not 1 <= days <= 365:
        raise ActionError("invalid_input", "a block lasts 1-365 days")
    purpose = clean_reason(core, reason)
    if not can(staff.role, Capability.BLOCK):
        raise ActionError("forbidden", "you cannot block residents")
    async with unit_of_work(core) as work:
        conversation = await load_visible(work, staff, conversation_id)
        # Blocking ends the conversation: only who may act on it may (not any colleague).
        require_access(staff, conversation)
        system = await core.keys.system_key(work.session)
        block_id = new_id()
        created = Block(
            id=block_id,
            pseudonym=conversation.pseudonym,
            origin_digest=await origin_of(work, conversation),
            created_by=staff.user_id,
            queue_id=conversation.queue_id,
            sealed_reason=seal(system, reason.strip()[:500], aad=BLOCK_REASON.context(block_id)),
            expires_at=core.now() + timedelta(days=days),
            created_at=core.now(),
        )
        work.session.add(created)
        if conversation.state != State.CLOSED:
            conversation.close_outcome = "other"
            await run_event(work, conversation, StaffBlocked())
        await work.audit(
            staff.actor(conversation.queue_id),
            AuditAction.BLOCK,
            object_type="block",
            object_id=created.id,
            subject_ref=conversation.pseudonym,
            purpose=f"{days} days: {purpose}",
        )
        work.publish("staff", "conversation.closed", conversation=conversation.id)
    return created


async def block_queues(session: AsyncSession, block_ids: Sequence[str]) -> dict[str, str]:
    """The queue each block came from ("" for none)."""
    if not block_ids:
        return {}
    rows = await session.execute(
        select(Block.id, Block.queue_id).where(col(Block.id).in_(list(block_ids)))
    )
    return {block_id: queue or "" for block_id, queue in rows.all()}


async def unblock(core: Core, staff: Staff, block_id: str) -> None:
    if not can(staff.role, Capability.BLOCK):
        raise ActionError("forbidden", "you cannot lift blocks")
    async with unit_of_work(core) as work:
        found = await work.session.get(Block, block_id)
        queue = (await block_queues(work.session, [block_id])).get(block_id, "")
        # Another queue's block is not even named: the same answer as no block at all.
        if found is None or found.lifted_at is not None or not may_lift_block(staff, queue):
            raise ActionError("not_found", "no such active block")
        found.lifted_at = core.now()
        work.session.add(found)
        await work.audit(
            staff.actor(queue),
            AuditAction.UNBLOCK,
            object_type="block",
            object_id=block_id,
            subject_ref=found.pseudonym,
        )
