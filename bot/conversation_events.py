"""The events the conversation machine reads: what the resident, staff and timers did.

Frozen data decided by the caller's pure parsers (commands, crisis phrases); no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from privacy.attachments import Sanitised

from .commands import Command


@dataclass(frozen=True, slots=True)
class ResidentText:
    """A text message. `command` and `crisis` are decided by the caller's pure parsers."""

    text: str
    command: Command | None = None
    crisis: bool = False
    language_hint: str | None = None
    returning: bool = False
    """Set by the dispatcher on a new contact's first event when the resident has earlier
    conversations kept and has not yet said whether counsellors may see them."""


@dataclass(frozen=True, slots=True)
class ResidentChoice:
    value: str
    language_hint: str | None = None
    returning: bool = False


@dataclass(frozen=True, slots=True)
class ResidentMedia:
    """A file or other media. Where the channel takes files (web chat) the dispatcher ran it
    through `privacy.attachments.sanitise`: `file` is the rebuilt file, or `refused` the
    refusal code (or "not_yet" before the privacy notice was passed)."""

    kind: str
    file: Sanitised | None = None
    refused: str | None = None

    @property
    def taken(self) -> bool:
        """The channel took the file itself (else it only said the resident sent media)."""
        return self.file is not None or self.refused is not None


@dataclass(frozen=True, slots=True)
class StaffClaimed:
    display_name: str


@dataclass(frozen=True, slots=True)
class StaffReleased:
    pass


@dataclass(frozen=True, slots=True)
class StaffTransferred:
    queue_id: str | None
    to_counsellor: bool


@dataclass(frozen=True, slots=True)
class StaffClosed:
    pass


@dataclass(frozen=True, slots=True)
class StaffBlocked:
    """Staff blocked the resident: the conversation ends without a word and asks nothing."""


@dataclass(frozen=True, slots=True)
class Superseded:
    """The resident began a new contact: a closed conversation's unanswered feedback question
    lapses (its answers would now go to the new one)."""


@dataclass(frozen=True, slots=True)
class IdleReminder:
    minutes_left: int


@dataclass(frozen=True, slots=True)
class IdleTimeout:
    pass


@dataclass(frozen=True, slots=True)
class RecipientGone:
    pass


@dataclass(frozen=True, slots=True)
class ResidentLeft:
    """The resident left quickly (the web chat's quick exit): end the contact, ask nothing."""


@dataclass(frozen=True, slots=True)
class HoursOpened:
    """The queue of a conversation waiting outside opening hours has opened."""


@dataclass(frozen=True, slots=True)
class ConsultantInvited:
    """A counsellor invites a consultant: the resident is asked first. `purpose` is a code of
    `bot.consultations.PURPOSES`; the name and organisation are what the resident will see."""

    consultation_id: str
    display_name: str
    organisation: str
    purpose: str


@dataclass(frozen=True, slots=True)
class ConsultantRemoved:
    """The consultant leaves or the invitation lapses: `by` is "counsellor" or "expired"."""

    consultation_id: str
    by: str


@dataclass(frozen=True, slots=True)
class EarlierShared:
    """The counsellor showed the consultant earlier messages: the resident is told."""

    consultation_id: str


Event = (
    ResidentText
    | ResidentChoice
    | ResidentMedia
    | StaffClaimed
    | StaffReleased
    | StaffTransferred
    | StaffClosed
    | StaffBlocked
    | Superseded
    | IdleReminder
    | IdleTimeout
    | RecipientGone
    | ResidentLeft
    | HoursOpened
    | ConsultantInvited
    | ConsultantRemoved
    | EarlierShared
)
