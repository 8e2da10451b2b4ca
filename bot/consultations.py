"""A consultant in a conversation, as the effect interpreter performs it: the question to the
resident, their answer, the end; each step audited.

Purposes are a fixed list of codes, worded to the resident from the catalogs: a free text
would carry whatever the counsellor typed (a name, a diagnosis) into the audit trail, which
must never hold personal data. Audit records here hold ids, a purpose code and the recipient
organisation's name only. Nothing here checks who may invite: `bot/actions/consultations.py`.
"""

from __future__ import annotations

from privacy.audit import AuditAction

from .conversation import Say
from .conversation_effects import AskConsultConsent
from .core import Actor, Work
from .hub_topics import conversation_topic
from .replies import Run, say
from .store import consultations as store
from .store.consultations import ConsultationState
from .store.tables import Conversation

PURPOSES = ("housing", "income", "debt", "immigration", "health", "employment", "other")
"""Why a consultant is invited; each is `consult_purpose_<code>` in every resident catalog."""

END_REASONS = ("resident", "counsellor", "expired", "closed", "released")

DISCLOSURE_BASIS = "consent"
"""The legal basis recorded with each disclosure: the resident's own yes."""


def purpose_key(purpose: str) -> str:
    return f"consult_purpose_{purpose}"


async def ask_consent(run: Run, effect: AskConsultConsent) -> None:
    texts = run.work.core.texts
    purpose = texts.text(run.language, purpose_key(effect.purpose))
    params = {"name": effect.display_name, "organisation": effect.organisation}
    await say(run, Say("consult_question", {**params, "purpose": purpose}, effect.options))


def _unit(conversation: Conversation) -> str:
    return conversation.queue_id or ""


async def record_answer(
    work: Work, conversation: Conversation, consultation_id: str, agreed: bool
) -> None:
    """The resident's answer: consent (audited), and on yes the disclosure to the consultant's
    organisation (audited as DISCLOSE), who from now on sees what is written."""
    row = await store.get(work.session, consultation_id)
    if row is None or row.state != ConsultationState.ASKED:
        return
    now = work.core.now()
    row.state = ConsultationState.JOINED if agreed else ConsultationState.REFUSED
    if agreed:
        row.joined_at = now
    else:
        row.ended_at, row.ended_by = now, "resident"
    work.session.add(row)
    await work.audit(
        Actor("resident", "resident"),
        AuditAction.CONSENT,
        object_type="consultation",
        object_id=row.id,
        subject_ref=conversation.id,
        purpose=f"consultation {row.purpose}: {'agreed' if agreed else 'refused'}",
        unit=_unit(conversation),
        recipient=row.organisation,
    )
    if agreed:
        await work.audit(
            Actor(row.invited_by, "counsellor", _unit(conversation)),
            AuditAction.DISCLOSE,
            object_type="consultation",
            object_id=row.id,
            subject_ref=conversation.id,
            purpose=row.purpose,
            recipient=row.organisation,
            disclosure_basis=DISCLOSURE_BASIS,
        )
    event = "consultation.joined" if agreed else "consultation.refused"
    work.publish(conversation_topic(conversation.id), event, conversation=conversation.id)


async def end_consultation(
    work: Work, conversation: Conversation, consultation_id: str, by: str
) -> None:
    """The consultant leaves (or the invitation lapses); audited with who ended it."""
    row = await store.get(work.session, consultation_id)
    if row is None or row.state not in store.OPEN:
        return
    joined = row.state == ConsultationState.JOINED
    row.state = ConsultationState.ENDED if joined else ConsultationState.LAPSED
    row.ended_at, row.ended_by = work.core.now(), by
    work.session.add(row)
    if by == "counsellor":
        return  # the staff action audits it, naming who ended it
    resident = by == "resident"
    await work.audit(
        Actor("resident", "resident") if resident else Actor("system", "system"),
        AuditAction.UPDATE,
        object_type="consultation",
        object_id=row.id,
        subject_ref=conversation.id,
        purpose=f"consultation {'ended' if joined else 'lapsed'}: {by}",
        unit=_unit(conversation),
        recipient=row.organisation,
    )
    work.publish(
        conversation_topic(conversation.id), "consultation.ended", conversation=conversation.id
    )
