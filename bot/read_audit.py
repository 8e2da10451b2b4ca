"""Audited reads, coalesced: one record per person, object and window of reading.

Never skips the first read of a window, a denied read or a reveal (those are written by their
callers through `Work.audit` as before); only repeats of a recorded read inside the window.
"""

from __future__ import annotations

from datetime import timedelta

from privacy.audit import AuditAction, AuditRecord

from .core import Actor, Work
from .store import audit as audit_store


async def audit_read(
    work: Work,
    actor: Actor,
    *,
    object_type: str,
    object_id: str,
    subject_ref: str = "",
    purpose: str = "",
) -> AuditRecord | None:
    """Record a successful read, unless the same read was recorded within the window.

    The console fetches a transcript again on every live event (a reply, a delivery, a
    note), which wrote a dozen records a minute for one person reading one conversation. A
    record now stands for its read and the same person's repeats of it during the following
    SOMESOSSU_AUDIT_READ_WINDOW_MINUTES; the first read after that writes the next record.
    A different person, role, unit (the queue), object or stated reason is a read of its own.
    Only skipping a write, never changing a written record, keeps the hash chain as it was.
    Returns the record written, or None for a read the trail already covers.
    """
    minutes = work.core.settings.audit_read_window_minutes
    if minutes > 0 and await audit_store.read_recorded_since(
        work.session,
        work.core.now() - timedelta(minutes=minutes),
        actor_id=actor.id,
        actor_role=actor.role,
        unit=actor.unit,
        object_type=object_type,
        object_id=object_id,
        subject_ref=subject_ref,
        purpose=purpose,
    ):
        return None
    return await work.audit(
        actor,
        AuditAction.READ,
        object_type=object_type,
        object_id=object_id,
        subject_ref=subject_ref,
        purpose=purpose,
    )
