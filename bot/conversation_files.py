"""The conversation machine's answer to a file or other media: pure, no I/O.

Never lets a file in before the resident has passed the privacy notice (chosen a topic).
"""

from __future__ import annotations

from .conversation_effects import Effect, Say, Step, StoreAttachment, StoreMediaNote
from .conversation_events import ResidentMedia
from .conversation_facts import Facts, State

AFTER_NOTICE = (State.QUEUED, State.WAITING_HOURS, State.ACTIVE)
"""States a resident reaches only after the privacy notice: files are taken only here."""

NOT_YET = "not_yet"
TOO_MANY = "too_many"

REFUSAL_TEXTS: dict[str, str] = {
    "too_large": "attachment_too_large",
    "unsupported": "attachment_unsupported",
    "unreadable": "attachment_unsupported",
    "too_many_pixels": "attachment_too_long",
    "too_many_pages": "attachment_too_long",
    "too_long": "attachment_too_long",
    TOO_MANY: "attachment_too_many",
    NOT_YET: "attachment_not_yet",
}
"""The catalog key that answers each refusal code (privacy.attachments.Refusal and ours)."""


def refusal_text(code: str) -> str:
    return REFUSAL_TEXTS.get(code, "attachment_unsupported")


def media_step(facts: Facts, event: ResidentMedia) -> Step:
    """What a resident's media does: a file the channel took is stored when it was made safe;
    anything else is answered, and noted in the transcript once the chat has a counsellor's
    queue."""
    effects: list[Effect]
    after_notice = facts.state in AFTER_NOTICE
    if not event.taken:
        effects = [Say("media_unsupported")]
        if after_notice:
            effects.insert(0, StoreMediaNote(event.kind))
    elif not after_notice:
        effects = [Say(refusal_text(NOT_YET))]
    elif event.file is None:
        # Noted like other media: the counsellor sees that a file came and was not kept, and
        # the note holds the platform's id of the message for "delete my data".
        effects = [StoreMediaNote(event.kind), Say(refusal_text(event.refused or "unreadable"))]
    else:
        effects = [StoreAttachment(event.file)]
    return Step(facts, tuple(effects))
