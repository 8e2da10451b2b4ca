"""Bodies of the consultation endpoints (a consultant invited into one conversation) as
pydantic models. See `bot.console.api_models` for how the document is built from them.

Nothing here carries a resident's identifier; a consultant's transcript starts at their joining.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from bot.consultations import PURPOSES
from bot.store.consultations import ConsultationState

if TYPE_CHECKING:
    Purpose = str
    ConsultationStateName = str
else:
    Purpose = Literal[PURPOSES]
    ConsultationStateName = Literal[tuple(state.value for state in ConsultationState)]


class Consultant(BaseModel):
    """A consultant account a counsellor may invite now."""

    id: str
    display_name: str
    organisation: str
    valid_until: str


class ConsultantAccountSave(BaseModel):
    """An admin gives a `consultant` account its organisation and end date."""

    organisation: str = Field(min_length=1, max_length=200)
    valid_until: str = Field(description="ISO 8601 date and time with a zone, in the future")


class ConsultationInvite(BaseModel):
    consultant: str = Field(max_length=64, description="the consultant account's id")
    purpose: Purpose


class Consultation(BaseModel):
    """One invitation: asked, joined (the resident agreed), refused, ended or lapsed."""

    id: str
    conversation: str
    consultant: str
    organisation: str
    purpose: Purpose
    state: ConsultationStateName
    ended_by: str | None = None
    invited_at: str
    joined_at: str | None = None
    ended_at: str | None = None


class ConsultationMessage(BaseModel):
    id: str
    author: str
    kind: str
    text: str = Field(description="redacted; hidden items stay hidden for a consultant")
    created_at: str
    shared: bool = Field(False, description="an earlier message the counsellor showed them")


class ConsultationShare(BaseModel):
    """Earlier messages of the conversation to show the consultant (each one a disclosure)."""

    messages: list[str] = Field(min_length=1, max_length=50)


class ConsultationShared(BaseModel):
    ok: bool = True
    shared: int = Field(0, description="how many were newly shown (none is shown twice)")


class ConsultationTranscript(BaseModel):
    """What a consultant sees: the messages written since they joined, no notes."""

    consultation: Consultation
    messages: list[ConsultationMessage]


MODELS: tuple[type[BaseModel], ...] = (
    Consultant,
    ConsultantAccountSave,
    ConsultationInvite,
    Consultation,
    ConsultationMessage,
    ConsultationShare,
    ConsultationShared,
    ConsultationTranscript,
)
PARAMETER_MODELS: tuple[type[BaseModel], ...] = ()
"""Path and query parameters: each field is one parameter (never a component)."""
