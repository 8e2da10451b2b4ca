"""The OpenAPI 3.1 document of the console's JSON API, served at /api/openapi.json.

Built from the pydantic models in `api_models*` and the table of operations below: a schema is
never written here by hand, so a body changes in one place only. A test runs Schemathesis
against the document on a live server, so it must never drift from the handlers.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from aiohttp import web
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from . import api_models as m
from . import api_models_admin as admin
from . import api_models_consult as consult
from . import api_models_groups as groups
from . import api_models_library as library
from . import api_models_reports as reports

routes = web.RouteTableDef()

Schema = dict[str, Any]

MODELS: tuple[type[BaseModel], ...] = (
    *m.MODELS,
    *admin.MODELS,
    *groups.MODELS,
    *library.MODELS,
    *reports.MODELS,
    *consult.MODELS,
)
"""Every body model: components/schemas holds exactly these, by class name."""
PARAMETER_MODELS: tuple[type[BaseModel], ...] = (
    *m.PARAMETER_MODELS,
    *admin.PARAMETER_MODELS,
    *groups.PARAMETER_MODELS,
    *library.PARAMETER_MODELS,
    *reports.PARAMETER_MODELS,
    *consult.PARAMETER_MODELS,
)
REF = "#/components/schemas/{model}"
UPLOAD = "application/octet-stream"

READ = (401, 403)
WRITE = (400, 401, 403, 404, 409, 422)
ADMIN_WRITE = (400, 401, 403, 404, 422)
ERRORS = {
    400: "Bad request (code invalid_json)",
    401: "Not signed in, or wrong credentials",
    403: "Refused: csrf, origin, forbidden, password_change_required, totp_setup_required",
    404: "No such object",
    409: "Conflict: already_claimed, too_many_active, invalid_state, resident_left, "
    "language_reserved",
    422: "Invalid input: invalid_input, reason_required, weak_password",
    429: "Too many failed sign-ins (code locked; the same answer whichever limit applies)",
}


class DocumentSchema(GenerateJsonSchema):
    """pydantic's JSON Schema, shaped as the document has always been.

    No titles (the component name says it), no defaults (a field left out is shown by
    `required`, and a default of an answer means nothing), and `{"type": [kind, "null"]}` for
    a nullable field rather than an anyOf, which reads better and is what clients expect.
    """

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        inner = self.generate_inner(schema["schema"])
        if isinstance(inner.get("type"), str) and "$ref" not in inner:
            return {**inner, "type": [inner["type"], "null"]}
        return super().nullable_schema(schema)


@dataclass(frozen=True)
class Op:
    """One operation of the table: `answer` is the model of the success answer (a JSON array
    of it when `many`; None for the websocket's 101), `body` the request body's, `errors` the
    statuses answered with an Error, `params` the model typing its query (and any path
    parameter that is not a plain string)."""

    method: str
    path: str
    summary: str
    answer: type[BaseModel] | None
    body: type[BaseModel] | None = None
    errors: tuple[int, ...] = READ
    many: bool = False
    status: int = 200
    params: type[BaseModel] | None = None
    description: str | None = None
    public: bool = False
    media: str = "application/json"
    upload: bool = False
    """The request body is a file itself (application/octet-stream), not JSON."""


# The tables below skip the formatter (`fmt: skip`): one operation per call, wrapped by hand,
# reads as a table; one argument per line would triple their length.


def _ops_core() -> tuple[Op, ...]:
    conv = "/api/conversations/{id}"
    done = m.ConversationDone
    return (
        Op("POST", "/api/login", "Sign in; answers with the session cookie and a CSRF token",
           m.SignedIn, m.Login, (400, 401, 403, 422, 429), public=True),
        Op("POST", "/api/logout", "Sign out", m.Ok),
        Op("POST", "/api/logout-everywhere", "End every session of the signed-in user", m.Ok),
        Op("GET", "/api/me", "The signed-in user and the session's CSRF token", m.Me),
        Op("POST", "/api/me/password", "Change the password (other sessions end)", m.Ok,
           m.PasswordChange, (400, 401, 403, 422)),
        Op("POST", "/api/me/display-name", "Set the name residents see", m.DisplayName,
           m.DisplayNameChange, (400, 401, 403, 422)),
        Op("GET", "/api/queues",
           "Queues with waiting counts, members (transfer targets) and topics", m.Queue,
           many=True),
        Op("GET", "/api/conversations",
           "Conversations the user may see (metadata only, no content)",
           m.ConversationSummary, errors=(*READ, 422), many=True,
           params=m.ConversationListQuery,
           description="Open ones in serving order (urgent first, then longest waiting); "
           "`state=closed` newest closed first."),
        Op("GET", conv, "The redacted transcript (audited; a privacy officer gives a reason)",
           m.Transcript, errors=(*READ, 404, 422), params=m.TranscriptQuery),
        Op("GET", f"{conv}/earlier", "A returning resident's earlier conversations (dates "
           "and topics), listed only when the resident agreed", m.EarlierConversations,
           errors=(*READ, 404)),
        Op("GET", f"{conv}/earlier/{{earlier}}", "One earlier conversation of the same "
           "resident, redacted, read-only (audited; needs the resident's consent)",
           m.Transcript, errors=(*READ, 404)),
        Op("GET", f"{conv}/attachments/{{attachment}}", "A resident's file, sanitised "
           "(audited; never cached; a privacy officer gives a reason)", m.Ok,
           errors=(*READ, 404, 422), params=m.TranscriptQuery, media="application/octet-stream",
           description="Content-Type from the stored kind (image/jpeg or image/png, "
           "application/pdf, audio/ogg), `Cache-Control: no-store`, `nosniff`."),
        Op("POST", f"{conv}/claim", "Claim", done, errors=WRITE),
        Op("POST", f"{conv}/release", "Put back in the queue", done, errors=WRITE),
        Op("POST", f"{conv}/reply", "Reply to the resident", m.ReplySent, m.TextBody, WRITE),
        Op("POST", f"{conv}/note", "Add an internal note (never sent)", m.NoteAdded,
           m.TextBody, WRITE),
        Op("POST", f"{conv}/transfer", "Transfer to a queue or a counsellor (exactly one)",
           done, m.Transfer, WRITE),
        Op("POST", f"{conv}/close", "Close with an outcome and close tags (code "
           "unknown_close_tag: a tag the conversation's queue does not offer)",
           done, m.Close, WRITE),
        Op("POST", f"{conv}/reveal", "Reveal one hidden item, for a recorded reason",
           m.Revealed, m.Reveal, WRITE),
        Op("POST", f"{conv}/block",
           "Block the resident's pseudonym for a number of days (ends the chat)",
           m.BlockCreated, m.BlockRequest, WRITE),
        Op("GET", "/api/canned-replies", "Canned replies in a language, for a queue",
           m.CannedReply, many=True, params=m.CannedReplyQuery),
        Op("GET", "/api/dashboard", "Supervisor numbers", m.Dashboard),
        Op("GET", "/api/reports/summary", "Impact report: totals, periods and every "
           "measure, small cells hidden (supervisors, admins)", reports.ReportSummary,
           errors=(*READ, 422), params=reports.ReportQuery),
        Op("GET", "/api/reports/counts", "Impact report as cells (period, measure, value, "
           "count)", reports.ReportCount, errors=(*READ, 422), many=True,
           params=reports.ReportQuery),
        Op("GET", "/api/reports/counts.csv", "The same cells as CSV (a header row, then "
           "period,measure,value,count)", None, errors=(*READ, 422),
           params=reports.ReportQuery, media="text/csv"),
        Op("GET", "/api/blocks",
           "Blocks of the queues the user works in or supervises, newest first", m.Block,
           many=True),
        Op("POST", "/api/blocks/{id}/lift", "Lift an active block", m.Ok, errors=WRITE),
        Op("GET", "/api/users/locked", "Accounts sign-in limits refuse now (supervisors: "
           "their queues' counsellors; admins: everyone)", admin.LockedAccount, many=True),
        Op("POST", "/api/users/{id}/unlock",
           "Lift every sign-in refusal of an account (audited)", m.Ok,
           errors=(400, 401, 403, 404)),
        Op("GET", "/api/audit", "Recent audit records (privacy officer)", m.AuditRecord,
           errors=(*READ, 422), many=True, params=m.AuditQuery),
        Op("GET", "/api/audit/verify", "Verify the audit chain (joins a verification "
           "already running)", m.AuditVerification),
        Op("GET", "/api/audit/verify/progress", "How far the audit chain's verification is",
           m.AuditVerificationProgress),
        Op("GET", "/api/openapi.json", "This document", m.OpenApiDocument, errors=(),
           public=True),
    )  # fmt: skip


def _ops_admin() -> tuple[Op, ...]:
    """/api/admin/* (admin role only; every write audited) and close tags per queue."""
    tags = "/api/queues/{queue}/close-tags"
    return (
        Op("GET", "/api/admin/users",
           "Staff users (no password hashes or authenticator secrets)", admin.AdminUser,
           many=True),
        Op("POST", "/api/admin/users", "Create a user with a one-time password (answered once)",
           admin.AdminUser, admin.UserCreate, ADMIN_WRITE),
        Op("PUT", "/api/admin/users/{id}", "Change role, queues, limits, required "
           "authenticator, active (left-out fields keep their value)", admin.AdminUser,
           admin.UserChange, ADMIN_WRITE),
        Op("POST", "/api/admin/users/{id}/reset-password",
           "Replace the password with a one-time password; the user's sessions end",
           admin.PasswordReset, errors=ADMIN_WRITE),
        Op("GET", "/api/admin/queues",
           "Queues with languages, opening hours, retention and topics", admin.AdminQueue,
           many=True),
        Op("PUT", "/api/admin/queues/{id}",
           "Create or change a queue; a bad opening-hours schedule is refused",
           admin.AdminQueue, admin.QueueSave, ADMIN_WRITE),
        Op("PUT", "/api/admin/topics/{id}",
           "Create or change a triage topic with its label per language", admin.AdminTopic,
           admin.TopicSave, ADMIN_WRITE),
        Op("GET", "/api/admin/canned-replies", "Every canned reply", m.CannedReply, many=True),
        Op("POST", "/api/admin/canned-replies", "Add a canned reply", m.CannedReply,
           admin.CannedReplySave, ADMIN_WRITE),
        Op("PUT", "/api/admin/canned-replies/{id}", "Change a canned reply", m.CannedReply,
           admin.CannedReplySave, ADMIN_WRITE),
        Op("DELETE", "/api/admin/canned-replies/{id}", "Delete a canned reply", m.Ok,
           errors=ADMIN_WRITE),
        Op("GET", tags, "The queue's close tags to pick from (counsellors of the queue, "
           "supervisors, admins, privacy officers)", admin.CloseTag, errors=(*READ, 404),
           many=True, params=admin.CloseTagListQuery),
        Op("POST", tags, "Define a close tag, or correct its label (admins; the id stays)",
           admin.CloseTag, admin.CloseTagSave, ADMIN_WRITE),
        Op("POST", tags + "/{tag}/retire",
           "Stop offering a close tag; closings that used it still count it", admin.CloseTag,
           errors=ADMIN_WRITE),
        Op("POST", tags + "/{tag}/reinstate", "Offer a retired close tag again",
           admin.CloseTag, errors=ADMIN_WRITE),
    )  # fmt: skip


def _ops_groups() -> tuple[Op, ...]:
    """/api/groups* and /api/announcements*: group sessions and news (every action audited)."""
    one = "/api/groups/{session_id}"
    return (
        Op("GET", "/api/groups", "Group sessions, newest first, with the number present",
           groups.GroupSessions),
        Op("POST", "/api/groups",
           "Create a session (the creator is a moderator); answers its join code",
           groups.GroupSession, groups.GroupSessionCreate, WRITE, status=201),
        Op("GET", one, "The live session: participants by nickname, redacted messages "
           "(audited read; moderators only)", groups.LiveGroupSession, errors=(*READ, 404)),
        Op("GET", f"{one}/live",
           "Websocket of the session's events (kinds and ids only; moderators)", None,
           errors=(400, *READ, 404), status=101),
        Op("POST", f"{one}/messages", "Post to everyone as 'Name (moderator)'",
           groups.MessagePosted, m.TextBody, WRITE, status=201),
        Op("DELETE", f"{one}/messages/{{message_id}}", "Remove a message: undelivered copies "
           "dropped, delivered ones withdrawn where the platform allows; answers how many "
           "were told", groups.MessageRemoved, errors=WRITE),
        Op("POST", f"{one}/participants/{{participant_id}}/{{restriction}}", "Mute or remove "
           "a participant for the rest of the session (a removed participant cannot rejoin)",
           groups.Restricted, errors=WRITE, params=groups.RestrictionPath),
        Op("POST", f"{one}/agenda",
           "Pin a short agenda (empty unpins); new participants see it on joining",
           groups.AgendaPinned, groups.Agenda, WRITE),
        Op("POST", f"{one}/end", "End the session now", groups.SessionEnded, errors=WRITE),
        Op("GET", "/api/announcements", "Announcements, newest first, with their counts",
           groups.Announcements),
        Op("POST", "/api/announcements",
           "Send news to the residents subscribed to a topic and language",
           groups.AnnouncementCounts, groups.AnnouncementCreate, WRITE, status=201),
        Op("GET", "/api/announcements/{announcement_id}",
           "How many were delivered, failed or withdrawn", groups.AnnouncementCounts,
           errors=(*READ, 404)),
    )  # fmt: skip


def _ops_library() -> tuple[Op, ...]:
    """The document library: public documents administrators publish, counsellors send."""
    return (
        Op("GET", "/api/library", "Published documents (one language's with `language`)",
           library.LibraryDocument, many=True, params=library.LibraryQuery),
        Op("POST", "/api/admin/library", "Publish a document: the body is the file (a PDF or "
           "a picture, made safe: no metadata kept); its language and title in the query",
           library.LibraryDocument, errors=ADMIN_WRITE, status=201,
           params=library.LibraryPublishQuery, upload=True),
        Op("DELETE", "/api/admin/library/{id}", "Withdraw a document: no longer offered or "
           "served; where it was sent stays recorded", m.Ok, errors=ADMIN_WRITE),
        Op("POST", "/api/conversations/{id}/documents", "Send a published document to the "
           "resident, as the counsellor's message", library.DocumentSent,
           library.DocumentSend, WRITE),
    )  # fmt: skip


def _ops_consult() -> tuple[Op, ...]:
    """Consultants: accounts (admins), invitations (the counsellor who holds the chat), and a
    consultant's own view, only after the resident's yes (bot/actions/consultations.py)."""
    one = "/api/conversations/{id}/consultants"
    mine = "/api/consultations/{consultation}"
    return (
        Op("PUT", "/api/admin/users/{id}/consultant", "Give a consultant account its "
           "organisation and end date (after it, no sign-in and no access)", consult.Consultant,
           consult.ConsultantAccountSave, ADMIN_WRITE),
        Op("GET", "/api/consultants", "Consultant accounts that may be invited now",
           consult.Consultant, many=True),
        Op("GET", one, "The conversation's consultations, asked, joined or ended",
           consult.Consultation, errors=(*READ, 404), many=True),
        Op("POST", one, "Invite a consultant for a listed purpose: the resident is asked in "
           "their language; nobody joins before their yes", consult.Consultation,
           consult.ConsultationInvite, WRITE, status=201),
        Op("DELETE", f"{one}/{{consultation}}", "End a consultant's presence, or withdraw the "
           "invitation", m.Ok, errors=WRITE),
        Op("POST", f"{one}/{{consultation}}/share", "Show the consultant chosen earlier "
           "messages (each a disclosure, audited; the resident is told)",
           consult.ConsultationShared, consult.ConsultationShare, WRITE),
        Op("GET", "/api/consultations", "The signed-in consultant's open consultations",
           consult.Consultation, many=True),
        Op("GET", mine, "What the consultant sees: messages since they joined, redacted, no "
           "notes (audited)", consult.ConsultationTranscript, errors=(*READ, 404)),
        Op("POST", f"{mine}/reply", "The consultant writes to the resident, shown under their "
           "name and organisation", m.ReplySent, m.TextBody, WRITE),
    )  # fmt: skip


def operations() -> tuple[Op, ...]:
    return (*_ops_core(), *_ops_admin(), *_ops_groups(), *_ops_library(), *_ops_consult())


def _ref(model: type[BaseModel]) -> Schema:
    return {"$ref": REF.format(model=model.__name__)}


def _content(schema: Schema) -> Schema:
    return {"content": {"application/json": {"schema": schema}}}


def _parameters(op: Op) -> list[Schema]:
    """Path parameters in path order, then query ones; `op.params` types those it names."""
    typed: Schema = {}
    required: set[str] = set()
    if op.params is not None:
        generated = op.params.model_json_schema(schema_generator=DocumentSchema)
        typed, required = generated["properties"], set(generated.get("required", ()))
    text = TypeAdapter(str).json_schema(schema_generator=DocumentSchema)
    in_path = re.findall(r"{(\w+)}", op.path)
    found = [
        {"name": name, "in": "path", "required": True, "schema": typed.get(name, text)}
        for name in in_path
    ]
    for name, schema in typed.items():
        if name not in in_path:
            found.append(
                {"name": name, "in": "query", "schema": schema}
                | ({"required": True} if name in required else {})
            )
    return found


def _operation(op: Op) -> Schema:
    operation: Schema = {"summary": op.summary}
    if op.description:
        operation["description"] = op.description
    if parameters := _parameters(op):
        operation["parameters"] = parameters
    if op.body is not None:
        operation["requestBody"] = {"required": True, **_content(_ref(op.body))}
    if op.upload:
        binary = {"schema": {"type": "string"}}
        operation["requestBody"] = {"required": True, "content": {UPLOAD: binary}}
    if op.media != "application/json":
        answer: Schema = {
            "description": "OK",
            "content": {op.media: {"schema": {"type": "string"}}},
        }
    elif op.answer is None:
        answer = {"description": "Switching to the websocket"}
    else:
        schema = {"type": "array", "items": _ref(op.answer)} if op.many else _ref(op.answer)
        answer = {"description": "Created" if op.status == 201 else "OK", **_content(schema)}
    errors = {str(s): {"description": ERRORS[s], **_content(_ref(m.Error))} for s in op.errors}
    operation["responses"] = {str(op.status): answer, **errors}
    if op.public:
        operation["security"] = []
    return operation


def component_schemas() -> dict[str, Schema]:
    """components/schemas: every model's JSON Schema, nested models hoisted beside it."""
    _, generated = models_json_schema(
        [(model, "validation") for model in MODELS],
        ref_template=REF,
        schema_generator=DocumentSchema,
    )
    schemas: dict[str, Schema] = generated.get("$defs", {})
    for schema in schemas.values():
        schema.pop("title", None)  # the model's own title: its name is the component's key
    return schemas


@cache
def _document() -> Schema:
    paths: dict[str, Schema] = {}
    for op in operations():
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "somesossu console API",
            "version": "1",
            "description": (
                "Sign in with POST /api/login; send the session cookie and, on every write, "
                "the CSRF token in X-CSRF-Token. Errors are JSON {code, message}. Every read "
                "of conversation content is audited. Live updates: websocket /console/ws."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": component_schemas(),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "somesossu_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            },
        },
        "security": [{"session": [], "csrf": []}],
    }


def document() -> Schema:
    """The document (a fresh copy: callers may change it; building it once is enough)."""
    return copy.deepcopy(_document())


@routes.get("/api/openapi.json")
async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(_document())
