"""Managed close tags: admins define each queue's tags, counsellors pick from them at closing.

A tag is an id (stable, what conversations store) with a label (what staff see). Never lets
free text reach a column: a closing names only tags its queue offers, a label in which the
redactor finds personal data is refused, and no refusal repeats the refused value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.access import StaffMember, works_in
from bot.roles import Capability, can
from bot.store import close_tags as tag_store
from bot.store import queues as queue_store
from bot.store.tables import CloseTag
from privacy.audit import AuditAction

from .admin import AdminError
from .context import Actor, Core, unit_of_work

# Starts with a letter, so no identity code (which starts with digits) can be a tag id.
TAG_ID = re.compile(r"[a-z][a-z0-9_-]{0,39}")
MAX_LABEL = 60
MAX_TAGS_PER_CLOSE = 10


class CloseTagRefused(ValueError):
    """A closing named a tag its queue does not offer; the message never holds the value."""


def _require_admin(actor: Actor) -> None:
    # Queue settings are the administrators' (bot.actions.admin); close tags are one of them.
    if not can(actor.role, Capability.ADMINISTER):
        raise AdminError("forbidden", "only administrators may change close tags")


def clean_tag_id(value: str) -> str:
    tag_id = value.strip().lower()
    if not TAG_ID.fullmatch(tag_id):
        raise AdminError(
            "invalid_input", "a tag id is 1-40 letters a-z, digits, - or _, starting with a letter"
        )
    return tag_id


def clean_label(core: Core, value: str) -> str:
    label = " ".join(value.split())
    if not 1 <= len(label) <= MAX_LABEL:
        raise AdminError("invalid_input", f"a tag label is 1-{MAX_LABEL} characters")
    # Labels are shown on every closing and kept in clear: one that names a person or holds
    # an identity code or a phone number is refused rather than stored.
    if core.redactor.redact(label).findings:
        raise AdminError("invalid_input", "a tag label must not contain personal data")
    return label


def may_see_tags(staff: StaffMember, queue_id: str) -> bool:
    """Who closes in the queue picks from its tags; admins manage them; auditors check them."""
    return (
        works_in(staff, queue_id)
        or can(staff.role, Capability.ADMINISTER)
        or can(staff.role, Capability.AUDIT)
    )


async def tags_for(
    core: Core, staff: StaffMember, queue_id: str, *, include_retired: bool = False
) -> list[CloseTag]:
    """The queue's tags for `staff`: the offered ones, or all with `include_retired`."""
    async with core.database.session() as session:
        if not await queue_store.queue_exists(session, queue_id):
            raise AdminError("not_found", "no such queue")
        if not may_see_tags(staff, queue_id):
            raise AdminError("forbidden", "you do not work in this queue")
        return await tag_store.tags_of(session, queue_id, include_retired=include_retired)


async def chosen_tags(
    session: AsyncSession, queue_id: str | None, requested: Sequence[str]
) -> list[str]:
    """The tag ids a closing stores: each must be offered by the conversation's queue now."""
    wanted = sorted({tag.strip() for tag in requested if tag.strip()})
    if len(wanted) > MAX_TAGS_PER_CLOSE:
        raise CloseTagRefused(f"pick at most {MAX_TAGS_PER_CLOSE} tags")
    if not wanted:
        return []
    offered = await tag_store.offered_ids(session, queue_id, wanted) if queue_id else set()
    if len(offered) != len(wanted):
        raise CloseTagRefused("tags must be ids of the close tags this queue offers")
    return wanted


async def save_tag(core: Core, actor: Actor, queue_id: str, tag_id: str, *, label: str) -> CloseTag:
    """Define a tag, or correct the label of one (its id, which old closings name, stays)."""
    _require_admin(actor)
    tag_id = clean_tag_id(tag_id)
    label = clean_label(core, label)
    async with unit_of_work(core) as work:
        if not await queue_store.queue_exists(work.session, queue_id):
            raise AdminError("not_found", "no such queue")
        tag = await tag_store.get(work.session, queue_id, tag_id)
        action = AuditAction.UPDATE
        if tag is None:
            position = await tag_store.next_position(work.session, queue_id)
            tag = CloseTag(queue_id=queue_id, id=tag_id, label=label, position=position)
            tag.created_at = core.now()
            action = AuditAction.CREATE
        changed = tag.label != label
        tag.label = label
        work.session.add(tag)
        await work.audit(
            actor,
            action,
            object_type="close_tag",
            object_id=f"{queue_id}/{tag_id}",
            unit=queue_id,
            purpose="label changed" if action is AuditAction.UPDATE and changed else "",
        )
    return tag


async def _set_retired(
    core: Core, actor: Actor, queue_id: str, tag_id: str, *, retired: bool
) -> CloseTag:
    _require_admin(actor)
    async with unit_of_work(core) as work:
        tag = await tag_store.get(work.session, queue_id, tag_id)
        if tag is None:
            raise AdminError("not_found", "no such close tag")
        if (tag.retired_at is not None) != retired:
            tag.retired_at = core.now() if retired else None
            work.session.add(tag)
            await work.audit(
                actor,
                AuditAction.UPDATE,
                object_type="close_tag",
                object_id=f"{queue_id}/{tag_id}",
                unit=queue_id,
                purpose="retired" if retired else "reinstated",
            )
    return tag


async def retire(core: Core, actor: Actor, queue_id: str, tag_id: str) -> CloseTag:
    """No longer offered at closing; closings that used it still name and count it."""
    return await _set_retired(core, actor, queue_id, tag_id, retired=True)


async def reinstate(core: Core, actor: Actor, queue_id: str, tag_id: str) -> CloseTag:
    return await _set_retired(core, actor, queue_id, tag_id, retired=False)
