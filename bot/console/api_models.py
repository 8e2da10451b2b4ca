"""Request and response bodies of the console's JSON API as pydantic models.

`bot.console.openapi` builds /api/openapi.json from these classes, so that every schema in the
document is written once, here, with its types and limits. The handlers still parse bodies by
hand (their error codes and messages are part of the API); the models describe what they
accept and answer, and a Schemathesis test checks the two against each other on a live server.

Fields a handler may leave out have a Python default; the document does not show defaults, only
which fields are required. Closed sets (states, outcomes, roles, languages) come from the code's
own constants, so a new state cannot be served without being documented.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.actions.conversations import OUTCOMES
from bot.roles import Role
from bot.texts import LANGUAGES

from .queries import STATES

if TYPE_CHECKING:
    # mypy cannot read a Literal built from a tuple; at run time pydantic gets the real sets.
    State = str
    StateFilter = str
    Outcome = str
    RoleName = str
    Language = str
else:
    State = Literal[STATES]
    StateFilter = Literal[(*STATES, "open", "waiting")]
    Outcome = Literal[OUTCOMES]
    RoleName = Literal[tuple(role.value for role in Role)]
    Language = Literal[LANGUAGES]


class Free(BaseModel):
    """Base of an object whose keys the document leaves open."""

    model_config = ConfigDict(extra="allow")


# ---- shared answers ------------------------------------------------------------------------


class Error(BaseModel):
    """Every refusal and failure: a stable code and an English message."""

    code: str
    message: str
    error_id: str = Field("", description="on an unexpected error (500): the id of its log line")


class Ok(BaseModel):
    ok: bool = True


class ConversationDone(BaseModel):
    ok: bool = True
    conversation: str = ""


class TextBody(BaseModel):
    text: str = Field(max_length=4000)


class OpenApiDocument(Free):
    """This document (OpenAPI 3.1)."""


# ---- sign-in and account -------------------------------------------------------------------


class Login(BaseModel):
    username: str = Field(max_length=100)
    password: str = Field(max_length=1000)
    totp: str = Field("", max_length=20)


class SignedIn(BaseModel):
    csrf_token: str
    user_id: str


class Me(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    queues: list[str]
    totp_enabled: bool = False
    must_change_password: bool = False
    csrf_token: str


class PasswordChange(BaseModel):
    current: str
    new: str = Field(min_length=12)


class DisplayNameChange(BaseModel):
    display_name: str


class DisplayName(BaseModel):
    display_name: str = ""


# ---- queues and conversations --------------------------------------------------------------


class QueueMember(BaseModel):
    """Someone who works in the queue: a transfer target."""

    id: str = ""
    display_name: str = ""
    role: str = ""


class QueueTopic(BaseModel):
    id: str = ""
    labels: dict[str, str] = {}
    active: bool = True


class Queue(BaseModel):
    id: str
    name: str
    languages: list[str] = []
    active: bool = True
    mine: bool = False
    waiting: int
    urgent: int = 0
    active_conversations: int = 0
    longest_wait_seconds: int = 0
    members: list[QueueMember]
    topics: list[QueueTopic] = []


class ConversationSummary(BaseModel):
    """What a list shows about a conversation: never its content."""

    id: str
    state: State
    queue: str | None = None
    language: str | None = None
    topic: str | None = None
    channel: str
    urgent: bool
    interpreter_needed: bool = False
    language_first: bool = Field(
        False, description="left to colleagues who speak the resident's language for now"
    )
    waiting_seconds: int | None = None
    assigned_to: str | None = None
    assigned_name: str | None = None
    mine: bool = False
    readable: bool = False
    claimable: bool = False
    created_at: str | None = None
    queued_at: str | None = None
    claimed_at: str | None = None
    closed_at: str | None = None
    outcome: str | None = None
    tags: list[str] = []
    delivery_failed: bool = False


class ConversationListQuery(BaseModel):
    """Query of GET /api/conversations."""

    state: StateFilter = "open"
    queue: str = ""


class TranscriptQuery(BaseModel):
    """Query of GET /api/conversations/{id}."""

    reason: str = ""


class Placeholder(BaseModel):
    """Where a hidden item was in the text, and the id that reveals it."""

    start: int = 0
    end: int = 0
    kind: str = ""
    ordinal: int = 0
    item: str | None = Field(None, description="id to pass to /reveal")


class TranscriptFile(BaseModel):
    """A file's placeholder: what and how large; its bytes only from `url` (audited)."""

    id: str
    kind: Literal["photo", "document", "voice"]
    size: int = Field(description="bytes")
    url: str = Field(description="same-origin; needs the session, audited on each open")


class TranscriptMessage(BaseModel):
    id: str
    author: Literal["resident", "counsellor", "bot"]
    kind: str = ""
    text: str = Field(description="redacted text")
    placeholders: list[Placeholder]
    created_at: str = ""
    author_user: str | None = Field(None, description="the staff member who wrote it")
    author_name: str = Field("", description="their name as staff see it ('' if none)")
    delivered: bool | None = None
    attachment: TranscriptFile | None = None


class TranscriptNote(BaseModel):
    id: str = ""
    author: str = ""
    text: str = ""
    created_at: str = ""


class Transcript(BaseModel):
    conversation: ConversationSummary
    messages: list[TranscriptMessage]
    notes: list[TranscriptNote]
    outcomes: list[str] = []


class EarlierConversation(BaseModel):
    """A returning resident's earlier conversation: when and about what, never its content."""

    id: str
    created_at: str
    closed_at: str | None = None
    queue: str | None = None
    topic: str | None = None
    outcome: str | None = None


class EarlierConversations(BaseModel):
    """`agreed`: the resident agreed that counsellors may see their earlier conversations;
    without it the list is empty whether or not there are any."""

    agreed: bool
    conversations: list[EarlierConversation]


class ReplySent(BaseModel):
    ok: bool = True
    message: str = ""


class NoteAdded(BaseModel):
    ok: bool = True
    note: str = ""


class Transfer(BaseModel):
    """Exactly one of queue and user."""

    queue: str = ""
    user: str = ""
    note: str = ""


class Close(BaseModel):
    outcome: Outcome = "advice_given"
    tags: list[str] = Field(
        [],
        max_length=20,
        description="ids of close tags the conversation's queue offers "
        "(GET /api/queues/{queue}/close-tags), at most 10 distinct",
    )


class Reveal(BaseModel):
    item: str
    reason: str = Field(min_length=5)


class Revealed(BaseModel):
    item: str = ""
    value: str = ""


class BlockRequest(BaseModel):
    days: int = Field(ge=1, le=365)
    reason: str = Field(min_length=5)


class BlockCreated(BaseModel):
    ok: bool = True
    block: str = ""
    expires_at: str = ""


class Block(BaseModel):
    id: str
    queue: str | None = Field(description="the queue it came from")
    resident: str = Field("", description="a short pseudonym prefix")
    created_by: str = ""
    created_at: datetime
    expires_at: datetime
    lifted_at: datetime | None = None
    active: bool
    may_lift: bool


# ---- canned replies, numbers and audit -----------------------------------------------------


class CannedReply(BaseModel):
    id: str
    title: str
    body: str
    language: str
    queue: str | None = None


class CannedReplyQuery(BaseModel):
    """Query of GET /api/canned-replies."""

    language: str = ""
    queue: str = ""


class Dashboard(BaseModel):
    """Supervisor numbers; `queues` holds the same numbers per queue."""

    queues: list[dict[str, Any]]
    waiting: int
    urgent: int = 0
    active: int = 0
    longest_wait_seconds: int = 0
    counsellors_online: int
    conversations_today: int = 0
    feedback: dict[str, Any] = {}
    targets_missed: list[str] = []


class AuditRecord(Free):
    """One audit record (seq, at, actor, action, object, purpose, outcome)."""


class AuditQuery(BaseModel):
    """Query of GET /api/audit."""

    action: str = ""
    actor: str = ""
    conversation: str = ""
    limit: int = Field(100, ge=1, le=500)


class AuditVerification(BaseModel):
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None
    detail: str = ""


class AuditVerificationProgress(BaseModel):
    """The console's audit verification: one job at a time, which later requests join."""

    running: bool
    done: int = Field(ge=0, description="Records checked so far by the current or last job")
    total: int | None = Field(
        None, ge=0, description="Records the trail held when the job started; null before any"
    )


MODELS: tuple[type[BaseModel], ...] = (
    Error,
    Ok,
    ConversationDone,
    TextBody,
    OpenApiDocument,
    Login,
    SignedIn,
    Me,
    PasswordChange,
    DisplayNameChange,
    DisplayName,
    QueueMember,
    QueueTopic,
    Queue,
    ConversationSummary,
    Placeholder,
    TranscriptFile,
    TranscriptMessage,
    TranscriptNote,
    Transcript,
    EarlierConversation,
    EarlierConversations,
    ReplySent,
    NoteAdded,
    Transfer,
    Close,
    Reveal,
    Revealed,
    BlockRequest,
    BlockCreated,
    Block,
    CannedReply,
    Dashboard,
    AuditRecord,
    AuditVerification,
    AuditVerificationProgress,
)
"""The body models of this module: each is a schema in components/schemas."""

PARAMETER_MODELS: tuple[type[BaseModel], ...] = (
    ConversationListQuery,
    TranscriptQuery,
    CannedReplyQuery,
    AuditQuery,
)
"""Query parameters: each field is one parameter (never a component)."""
