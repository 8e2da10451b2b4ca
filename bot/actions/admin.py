"""Admin writes: staff accounts, queues (hours, languages, retention), topics, canned replies.

Each is one transaction with an audit record and invalidates the triage cache; never audits a
password, and checks the administer capability itself whatever the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlmodel import col, delete

from bot.errors import ServiceError
from bot.hours import HoursError, OpeningHours
from bot.passwords import hash_password, one_time_password
from bot.roles import Capability, Role, can
from bot.store import queues as queue_store
from bot.store import sign_in_attempts as attempt_store
from bot.store import users as user_store
from bot.store.tables import CannedReply, Queue, StaffSession, Topic
from bot.texts import LANGUAGES
from privacy.audit import AuditAction

from .context import Actor, Core, unit_of_work


class AdminError(ServiceError):
    """A refused admin change; `code` is stable, the message is safe to show."""


def _require_admin(actor: Actor) -> None:
    if not can(actor.role, Capability.ADMINISTER):
        raise AdminError("forbidden", "only administrators may change this")


def _clean_id(value: str, what: str) -> str:
    value = value.strip().lower()
    if not value or len(value) > 64 or not all(c.isalnum() or c in "-_" for c in value):
        raise AdminError("invalid_input", f"{what} id is 1-64 letters, digits, - or _")
    return value


Row = TypeVar("Row")


def _saved(found: Row | None, new: Callable[[], Row]) -> tuple[Row, AuditAction]:
    """The row a save changes and how the audit trail names it: `found`, updated, or a new
    row, created."""
    if found is None:
        return new(), AuditAction.CREATE
    return found, AuditAction.UPDATE


def _languages(languages: Sequence[str]) -> list[str]:
    chosen = [code.strip() for code in languages if code.strip()]
    unknown = [code for code in chosen if code not in LANGUAGES]
    if unknown:
        raise AdminError("invalid_input", f"unknown language {unknown[0]!r}")
    return chosen


async def update_user(
    core: Core,
    actor: Actor,
    user_id: str,
    *,
    role: str,
    queues: Sequence[str],
    active: bool,
    totp_enforced: bool,
    max_concurrent: int,
    languages: Sequence[str] | None = None,
) -> None:
    """`languages`: the residents' languages the user serves in (None keeps them)."""
    _require_admin(actor)
    try:
        new_role = Role(role)
    except ValueError:
        raise AdminError("invalid_input", "unknown role") from None
    if not 1 <= max_concurrent <= 20:
        raise AdminError("invalid_input", "concurrent chats is 1-20")
    async with unit_of_work(core) as work:
        user = await user_store.by_id(work.session, user_id)
        if user is None:
            raise AdminError("not_found", "no such user")
        if user.id == actor.id and (not active or new_role is not Role.ADMIN):
            raise AdminError("invalid_input", "you cannot demote or deactivate yourself")
        for queue_id in queues:
            if not await queue_store.queue_exists(work.session, queue_id):
                raise AdminError("invalid_input", f"no queue {queue_id!r}")
        changes = []
        if user.role != new_role.value:
            changes.append(f"role {user.role}->{new_role.value}")
        if user.active != active:
            changes.append("activated" if active else "deactivated")
        user.role = new_role.value
        user.active = active
        user.totp_enforced = totp_enforced
        user.max_concurrent = max_concurrent
        if languages is not None:
            user.languages = _languages(languages) if languages else []
        work.session.add(user)
        await user_store.set_queues(work.session, user.id, queues)
        if not active:
            await work.session.execute(
                delete(StaffSession).where(col(StaffSession.user_id) == user.id)
            )
        await work.audit(
            actor,
            AuditAction.UPDATE,
            object_type="staff_user",
            object_id=user.id,
            purpose="; ".join(changes) or "settings",
        )


async def reset_password(core: Core, actor: Actor, user_id: str) -> str:
    """A one-time password the user must change at the next sign-in; their sessions end."""
    _require_admin(actor)
    password = one_time_password()
    async with unit_of_work(core) as work:
        user = await user_store.by_id(work.session, user_id)
        if user is None:
            raise AdminError("not_found", "no such user")
        user.password_hash = hash_password(password)
        user.must_change_password = True
        user.failed_logins = 0
        user.locked_until = None
        # A new password lifts the account's sign-in refusals, or the user could not use it.
        await attempt_store.clear_account(
            work.session, attempt_store.account_ref(core.keyring.pepper, user.username)
        )
        user.sessions_valid_after = core.now()
        work.session.add(user)
        await work.session.execute(delete(StaffSession).where(col(StaffSession.user_id) == user.id))
        await work.audit(
            actor,
            AuditAction.UPDATE,
            object_type="staff_user",
            object_id=user.id,
            purpose="password reset",
        )
    return password


async def save_queue(
    core: Core,
    actor: Actor,
    queue_id: str,
    *,
    name: str,
    languages: Sequence[str],
    opening_hours: dict[str, Any],
    transcript_days: int,
    pii_vault_hours: int,
    active: bool = True,
    target_minutes: int = 0,
    target_percent: int = 0,
    language_fallback: str = "",
) -> Queue:
    """Create or change a queue; opening hours are validated before anything is stored.

    The service target reads "`target_percent` % answered within `target_minutes` minutes";
    minutes are 1-60 because waits are counted minute by minute only up to an hour."""
    _require_admin(actor)
    queue_id = _clean_id(queue_id, "queue")
    name = " ".join(name.split())
    if not 1 <= len(name) <= 200:
        raise AdminError("invalid_input", "a queue name is 1-200 characters")
    if opening_hours:
        try:
            OpeningHours.from_json(opening_hours)
        except HoursError as error:
            raise AdminError("invalid_input", f"opening hours: {error}") from None
    if not 1 <= transcript_days <= 3650:
        raise AdminError("invalid_input", "transcripts are kept 1-3650 days")
    if not 1 <= pii_vault_hours <= 24 * 365:
        raise AdminError("invalid_input", "hidden items are kept 1-8760 hours")
    if (target_minutes == 0) != (target_percent == 0):
        raise AdminError("invalid_input", "a service target has both minutes and a percentage")
    if not 0 <= target_minutes <= 60 or not 0 <= target_percent <= 100:
        raise AdminError("invalid_input", "a service target is 1-60 minutes and 1-100 %")
    chosen = _languages(languages)
    async with unit_of_work(core) as work:
        queue, action = _saved(
            await work.session.get(Queue, queue_id), lambda: Queue(id=queue_id, name=name)
        )
        queue.name = name
        queue.languages = chosen
        queue.opening_hours = dict(opening_hours)
        queue.transcript_days = transcript_days
        queue.pii_vault_hours = pii_vault_hours
        queue.target_minutes = target_minutes
        queue.target_percent = target_percent
        if language_fallback and not await queue_store.queue_exists(
            work.session, language_fallback
        ):
            raise AdminError("invalid_input", f"no queue {language_fallback!r}")
        queue.language_fallback = "" if language_fallback == queue_id else language_fallback
        queue.active = active
        work.session.add(queue)
        await work.audit(
            actor,
            action,
            object_type="queue",
            object_id=queue_id,
            purpose=f"retention {transcript_days}d/{pii_vault_hours}h",
        )
    core.flow.invalidate()
    return queue


async def save_topic(
    core: Core,
    actor: Actor,
    topic_id: str,
    *,
    queue_id: str,
    labels: dict[str, str],
    active: bool = True,
) -> None:
    _require_admin(actor)
    topic_id = _clean_id(topic_id, "topic")
    clean = {lang: " ".join(text.split())[:100] for lang, text in labels.items() if text.strip()}
    _languages(list(clean))
    if not clean:
        raise AdminError("invalid_input", "a topic needs a label in at least one language")
    async with unit_of_work(core) as work:
        if not await queue_store.queue_exists(work.session, queue_id):
            raise AdminError("invalid_input", f"no queue {queue_id!r}")
        topic, action = _saved(
            await work.session.get(Topic, topic_id), lambda: Topic(id=topic_id, queue_id=queue_id)
        )
        topic.queue_id = queue_id
        topic.labels = clean
        topic.active = active
        work.session.add(topic)
        await work.audit(actor, action, object_type="topic", object_id=topic_id)
    core.flow.invalidate()


async def save_canned_reply(
    core: Core,
    actor: Actor,
    *,
    reply_id: str | None,
    language: str,
    title: str,
    body: str,
    queue_id: str | None,
) -> str:
    _require_admin(actor)
    _languages([language])
    title = " ".join(title.split())
    if not 1 <= len(title) <= 200 or not 1 <= len(body.strip()) <= 4000:
        raise AdminError("invalid_input", "a title is 1-200 and a text 1-4000 characters")
    async with unit_of_work(core) as work:
        if queue_id and not await queue_store.queue_exists(work.session, queue_id):
            raise AdminError("invalid_input", f"no queue {queue_id!r}")
        reply, action = _saved(
            await work.session.get(CannedReply, reply_id) if reply_id else None,
            lambda: CannedReply(language=language, title=title, body=body.strip()),
        )
        reply.language = language
        reply.title = title
        reply.body = body.strip()
        reply.queue_id = queue_id or None
        work.session.add(reply)
        await work.audit(actor, action, object_type="canned_reply", object_id=reply.id)
    return reply.id


async def delete_canned_reply(core: Core, actor: Actor, reply_id: str) -> None:
    _require_admin(actor)
    async with unit_of_work(core) as work:
        reply = await work.session.get(CannedReply, reply_id)
        if reply is None:
            raise AdminError("not_found", "no such canned reply")
        await work.session.delete(reply)
        await work.audit(actor, AuditAction.DELETE, object_type="canned_reply", object_id=reply_id)
