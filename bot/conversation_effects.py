"""The effects the conversation machine asks for, and the `Step` that carries them.

Frozen data the interpreter (`bot/effects.py`) performs; nothing here performs anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from privacy.attachments import Sanitised

from .conversation_facts import CloseReason, Facts


@dataclass(frozen=True, slots=True)
class Option:
    """A choice offered to the resident: a literal label or a catalog key for it."""

    value: str
    label: str | None = None
    label_key: str | None = None


@dataclass(frozen=True, slots=True)
class Say:
    """Send a text from the catalog. `every_language` renders it in all languages at once."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)
    options: tuple[Option, ...] = ()
    every_language: bool = False


@dataclass(frozen=True, slots=True)
class StoreResidentText:
    """Store what the resident wrote (the interpreter redacts and seals it)."""

    text: str


@dataclass(frozen=True, slots=True)
class StoreMediaNote:
    kind: str


@dataclass(frozen=True, slots=True)
class StoreAttachment:
    """Store the sanitised file sealed, with a message that names its kind (the interpreter
    checks the per-conversation count first)."""

    file: Sanitised


@dataclass(frozen=True, slots=True)
class Enqueue:
    """Put the conversation in its queue and tell the resident their position (or hours)."""

    queue_id: str
    open_now: bool


@dataclass(frozen=True, slots=True)
class RaiseUrgent:
    pass


@dataclass(frozen=True, slots=True)
class EraseResident:
    pass


@dataclass(frozen=True, slots=True)
class TellReferenceCode:
    pass


@dataclass(frozen=True, slots=True)
class RecordFeedback:
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class RecordChoice:
    """Put the option the resident picked (language, topic, feedback answer) in their
    transcript, so the counsellor reads what they chose; labelled in the chat's language."""

    option: Option


@dataclass(frozen=True, slots=True)
class Closed:
    reason: CloseReason


@dataclass(frozen=True, slots=True)
class TellNextOpening:
    """Say `key` with the queue's next opening time as `{when}` (needs localised time)."""

    key: str


@dataclass(frozen=True, slots=True)
class RecordReturningConsent:
    """The resident agreed (or no longer agrees) that counsellors may see their earlier
    conversations when they come back."""

    agreed: bool


@dataclass(frozen=True, slots=True)
class AskConsultConsent:
    """Ask the resident whether the consultant may join (the interpreter words the purpose)."""

    display_name: str
    organisation: str
    purpose: str
    options: tuple[Option, ...]


@dataclass(frozen=True, slots=True)
class RecordConsultAnswer:
    """The resident agreed (the consultant joins) or refused (they never do)."""

    consultation_id: str
    agreed: bool


@dataclass(frozen=True, slots=True)
class EndConsultation:
    """The consultant's presence (or the pending invitation) ends; `by` says who ended it:
    "resident", "counsellor", "expired" or "closed"."""

    consultation_id: str
    by: str


Effect = (
    Say
    | StoreResidentText
    | StoreMediaNote
    | StoreAttachment
    | Enqueue
    | RaiseUrgent
    | EraseResident
    | TellReferenceCode
    | RecordFeedback
    | RecordChoice
    | Closed
    | TellNextOpening
    | RecordReturningConsent
    | AskConsultConsent
    | RecordConsultAnswer
    | EndConsultation
)


@dataclass(frozen=True, slots=True)
class Step:
    facts: Facts
    effects: tuple[Effect, ...]
