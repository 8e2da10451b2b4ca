"""What the conversation machine knows and is configured with: states, facts, topics, hours.

Plain frozen data shared by the machine, its events and effects; no I/O, no behaviour beyond
reading itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .hours import OpeningHours
from .texts import LANGUAGES


class State(StrEnum):
    NEW = "new"
    TRIAGE_LANGUAGE = "triage_language"
    TRIAGE_TOPIC = "triage_topic"
    QUEUED = "queued"
    WAITING_HOURS = "waiting_hours"
    ACTIVE = "active"
    CLOSED = "closed"


OPEN_STATES = frozenset(
    {
        State.NEW,
        State.TRIAGE_LANGUAGE,
        State.TRIAGE_TOPIC,
        State.QUEUED,
        State.WAITING_HOURS,
        State.ACTIVE,
    }
)
WAITING_STATES = frozenset({State.QUEUED, State.WAITING_HOURS})


class Feedback(StrEnum):
    NONE = ""
    RATING = "rating"
    HELPED = "helped"
    DONE = "done"


class CloseReason(StrEnum):
    STAFF = "staff"
    RESIDENT = "resident"
    IDLE = "idle"
    RECIPIENT_GONE = "recipient_gone"
    LEFT = "left"
    """The resident left quickly (the web chat's quick exit): nobody is there to answer."""
    BLOCKED = "blocked"
    """Staff blocked the resident: nothing is said or asked."""


RESIDENT_LEFT = "resident_left"
"""The close outcome of a conversation the resident left quickly (counted in the statistics;
staff replies to it are refused with the error code of the same name)."""


@dataclass(frozen=True, slots=True)
class Facts:
    """What the machine knows about one conversation (persisted by the dispatcher)."""

    state: State = State.NEW
    language: str | None = None
    topic_id: str | None = None
    queue_id: str | None = None
    urgent: bool = False
    claimed_ever: bool = False
    feedback: Feedback = Feedback.NONE
    options: tuple[str, ...] = ()
    changing_language: bool = False
    told_saved_while_closed: bool = False
    ask_returning: bool = False
    """A returning resident who has not decided yet: asked once the topic is chosen."""
    consult_asked: str = ""
    """The consultation the resident is being asked to agree to (its id), "" when none."""
    consultant: str = ""
    """The consultation whose consultant is in the chat now, "" when none."""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def accepts_new_contact(self) -> bool:
        """A closed conversation whose feedback is over starts afresh on the next message."""
        return self.state is State.CLOSED and self.feedback in (Feedback.NONE, Feedback.DONE)


@dataclass(frozen=True, slots=True)
class TopicOption:
    id: str
    queue_id: str
    labels: Mapping[str, str]

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("en") or self.id


@dataclass(frozen=True, slots=True)
class FlowConfig:
    topics: tuple[TopicOption, ...]
    hours: Mapping[str, OpeningHours]
    transcript_days: int = 30
    languages: tuple[str, ...] = LANGUAGES
    language_names: Mapping[str, str] = field(default_factory=dict)

    def queue_hours(self, queue_id: str | None) -> OpeningHours:
        if queue_id is None:
            return OpeningHours.always()
        return self.hours.get(queue_id) or OpeningHours.always()
