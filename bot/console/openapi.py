"""The OpenAPI 3.1 document of the console's JSON API, served at /api/openapi.json.

Describes every /api route, its body and its answers including the error shape; a test runs
Schemathesis against it, so it must never drift from the handlers.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.actions.conversations import OUTCOMES
from bot.roles import Role
from bot.texts import LANGUAGES

from .queries import STATES

routes = web.RouteTableDef()

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra: Any) -> Schema:
    return {"type": [kind, "null"], **extra}


def _json(schema: Schema) -> Schema:
    return {"content": {"application/json": {"schema": schema}}}


def _ok(schema: Schema, description: str = "OK") -> Schema:
    return {"description": description, **_json(schema)}


def _errors(*statuses: int) -> dict[str, Schema]:
    text = {
        400: "Bad request (code invalid_json)",
        401: "Not signed in, or wrong credentials",
        403: "Refused: csrf, origin, forbidden, password_change_required, totp_setup_required",
        404: "No such object",
        409: "Conflict: already_claimed, too_many_active, invalid_state, resident_left",
        422: "Invalid input: invalid_input, reason_required, weak_password",
        429: "Too many failed sign-ins (code locked; the same answer whichever limit applies)",
    }
    return {str(s): {"description": text[s], **_json(_ref("Error"))} for s in statuses}


READ = (401, 403)
WRITE = (400, 401, 403, 404, 409, 422)
ID_PARAM: Schema = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
OK_SCHEMA: Schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}}

SCHEMAS: dict[str, Schema] = {
    "Error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "error_id": {
                "type": "string",
                "description": "on an unexpected error (500): the id of its log line",
            },
        },
    },
    "Block": {
        "type": "object",
        "required": ["id", "queue", "created_at", "expires_at", "active", "may_lift"],
        "properties": {
            "id": {"type": "string"},
            "queue": _nullable("string", description="the queue it came from"),
            "resident": {"type": "string", "description": "a short pseudonym prefix"},
            "created_by": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "expires_at": {"type": "string", "format": "date-time"},
            "lifted_at": _nullable("string", format="date-time"),
            "active": {"type": "boolean"},
            "may_lift": {"type": "boolean"},
        },
    },
    "Me": {
        "type": "object",
        "required": ["id", "username", "display_name", "role", "queues", "csrf_token"],
        "properties": {
            "id": {"type": "string"},
            "username": {"type": "string"},
            "display_name": {"type": "string"},
            "role": {"type": "string"},
            "queues": {"type": "array", "items": {"type": "string"}},
            "totp_enabled": {"type": "boolean"},
            "must_change_password": {"type": "boolean"},
            "csrf_token": {"type": "string"},
        },
    },
    "Queue": {
        "type": "object",
        "required": ["id", "name", "waiting", "members"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "languages": {"type": "array", "items": {"type": "string"}},
            "active": {"type": "boolean"},
            "mine": {"type": "boolean"},
            "waiting": {"type": "integer"},
            "urgent": {"type": "integer"},
            "active_conversations": {"type": "integer"},
            "longest_wait_seconds": {"type": "integer"},
            "members": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "display_name": {"type": "string"},
                        "role": {"type": "string"},
                    },
                },
            },
            "topics": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "active": {"type": "boolean"},
                    },
                },
            },
        },
    },
    "ConversationSummary": {
        "type": "object",
        "required": ["id", "state", "urgent", "channel"],
        "properties": {
            "id": {"type": "string"},
            "state": {"type": "string", "enum": list(STATES)},
            "queue": _nullable("string"),
            "language": _nullable("string"),
            "topic": _nullable("string"),
            "channel": {"type": "string"},
            "urgent": {"type": "boolean"},
            "waiting_seconds": _nullable("integer"),
            "assigned_to": _nullable("string"),
            "assigned_name": _nullable("string"),
            "mine": {"type": "boolean"},
            "readable": {"type": "boolean"},
            "claimable": {"type": "boolean"},
            "created_at": _nullable("string"),
            "queued_at": _nullable("string"),
            "claimed_at": _nullable("string"),
            "closed_at": _nullable("string"),
            "outcome": _nullable("string"),
            "tags": {"type": "array", "items": {"type": "string"}},
            "delivery_failed": {"type": "boolean"},
        },
    },
    "Transcript": {
        "type": "object",
        "required": ["conversation", "messages", "notes"],
        "properties": {
            "conversation": _ref("ConversationSummary"),
            "messages": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "author", "text", "placeholders"],
                    "properties": {
                        "id": {"type": "string"},
                        "author": {"type": "string", "enum": ["resident", "counsellor", "bot"]},
                        "kind": {"type": "string"},
                        "text": {"type": "string", "description": "redacted text"},
                        "placeholders": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "start": {"type": "integer"},
                                    "end": {"type": "integer"},
                                    "kind": {"type": "string"},
                                    "ordinal": {"type": "integer"},
                                    "item": _nullable(
                                        "string", description="id to pass to /reveal"
                                    ),
                                },
                            },
                        },
                        "created_at": {"type": "string"},
                        "delivered": _nullable("boolean"),
                    },
                },
            },
            "notes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "author": {"type": "string"},
                        "text": {"type": "string"},
                        "created_at": {"type": "string"},
                    },
                },
            },
            "outcomes": {"type": "array", "items": {"type": "string"}},
        },
    },
}


LABELS: Schema = {"type": "object", "additionalProperties": {"type": "string"}}
SCHEMAS.update(
    {
        "AdminUser": {
            "type": "object",
            "required": ["id", "username", "display_name", "role", "queues", "active"],
            "properties": {
                "id": {"type": "string"},
                "username": {"type": "string"},
                "display_name": {"type": "string"},
                "role": {"type": "string", "enum": [r.value for r in Role]},
                "queues": {"type": "array", "items": {"type": "string"}},
                "active": {"type": "boolean"},
                "totp_enabled": {"type": "boolean"},
                "totp_enforced": {"type": "boolean"},
                "must_change_password": {"type": "boolean"},
                "max_concurrent": {"type": "integer"},
                "locked_until": _nullable("string"),
                "one_time_password": {
                    "type": "string",
                    "description": "only in the answer that created the user; shown once",
                },
            },
        },
        "LockedAccount": {
            "type": "object",
            "required": ["id", "username", "role", "locked_until", "everywhere", "addresses"],
            "properties": {
                "id": {"type": "string"},
                "username": {"type": "string"},
                "display_name": {"type": "string"},
                "role": {"type": "string", "enum": [r.value for r in Role]},
                "queues": {"type": "array", "items": {"type": "string"}},
                "locked_until": {"type": "string"},
                "everywhere": {"type": "boolean"},
                "addresses": {"type": "integer"},
            },
        },
        "AdminTopic": {
            "type": "object",
            "required": ["id", "labels", "active"],
            "properties": {
                "id": {"type": "string"},
                "queue": {"type": "string"},
                "labels": LABELS,
                "active": {"type": "boolean"},
            },
        },
        "AdminQueue": {
            "type": "object",
            "required": ["id", "name", "languages", "opening_hours", "transcript_days"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "languages": {"type": "array", "items": {"type": "string"}},
                "opening_hours": {
                    "type": "object",
                    "description": "bot.hours.OpeningHours JSON; {} means always open",
                },
                "transcript_days": {"type": "integer"},
                "pii_vault_hours": {"type": "integer"},
                "active": {"type": "boolean"},
                "topics": {"type": "array", "items": _ref("AdminTopic")},
            },
        },
        "CloseTag": {
            "type": "object",
            "required": ["id", "queue", "label", "retired"],
            "properties": {
                "id": {"type": "string", "description": "stable; what closings store"},
                "queue": {"type": "string"},
                "label": {"type": "string"},
                "position": {"type": "integer"},
                "retired": {"type": "boolean", "description": "no longer offered; still counted"},
                "retired_at": _nullable("string"),
            },
        },
        "CannedReply": {
            "type": "object",
            "required": ["id", "title", "body", "language"],
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "body": {"type": "string"},
                "language": {"type": "string"},
                "queue": _nullable("string"),
            },
        },
    }
)


def _body(properties: Schema, required: list[str]) -> Schema:
    return {
        "required": True,
        **_json({"type": "object", "properties": properties, "required": required}),
    }


def _conversation_post(summary: str, body: Schema | None, answer: Schema) -> Schema:
    operation: Schema = {
        "summary": summary,
        "parameters": [ID_PARAM],
        "responses": {"200": _ok(answer), **_errors(*WRITE)},
    }
    if body is not None:
        operation["requestBody"] = body
    return {"post": operation}


ACTION_OK: Schema = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}, "conversation": {"type": "string"}},
}
STRING: Schema = {"type": "string"}


def _admin_paths() -> dict[str, Schema]:
    """/api/admin/*: the admin pages' writes as JSON (admin role only; every write audited)."""
    admin_errors = _errors(400, 401, 403, 404, 422)

    def list_of(name: str) -> Schema:
        return _ok({"type": "array", "items": _ref(name)})

    user_fields: Schema = {
        "role": {"type": "string", "enum": [r.value for r in Role]},
        "queues": {"type": "array", "items": STRING, "maxItems": 50},
        "active": {"type": "boolean"},
        "totp_enforced": {"type": "boolean"},
        "max_concurrent": {"type": "integer", "minimum": 1, "maximum": 20},
    }
    canned_fields: Schema = {
        "language": {"type": "string", "enum": list(LANGUAGES)},
        "title": {"type": "string", "maxLength": 200},
        "body": {"type": "string", "maxLength": 4000},
        "queue": _nullable("string"),
    }
    return {
        "/api/admin/users": {
            "get": {
                "summary": "Staff users (no password hashes or authenticator secrets)",
                "responses": {"200": list_of("AdminUser"), **_errors(*READ)},
            },
            "post": {
                "summary": "Create a user with a one-time password (answered once)",
                "requestBody": _body(
                    {
                        "username": {"type": "string", "maxLength": 100},
                        "display_name": {"type": "string", "maxLength": 60},
                        **user_fields,
                    },
                    ["username", "role"],
                ),
                "responses": {"200": _ok(_ref("AdminUser")), **admin_errors},
            },
        },
        "/api/admin/users/{id}": {
            "put": {
                "summary": "Change role, queues, limits, required authenticator, active (left-out "
                "fields keep their value)",
                "parameters": [ID_PARAM],
                "requestBody": _body(user_fields, []),
                "responses": {"200": _ok(_ref("AdminUser")), **admin_errors},
            }
        },
        "/api/admin/users/{id}/reset-password": {
            "post": {
                "summary": "Replace the password with a one-time password; the user's sessions end",
                "parameters": [ID_PARAM],
                "responses": {
                    "200": _ok({"type": "object", "properties": {"one_time_password": STRING}}),
                    **admin_errors,
                },
            }
        },
        "/api/admin/queues": {
            "get": {
                "summary": "Queues with languages, opening hours, retention and topics",
                "responses": {"200": list_of("AdminQueue"), **_errors(*READ)},
            }
        },
        "/api/admin/queues/{id}": {
            "put": {
                "summary": "Create or change a queue; a bad opening-hours schedule is refused",
                "parameters": [ID_PARAM],
                "requestBody": _body(
                    {
                        "name": {"type": "string", "maxLength": 200},
                        "languages": {"type": "array", "items": STRING, "maxItems": 50},
                        "opening_hours": {"type": "object"},
                        "transcript_days": {"type": "integer", "minimum": 1, "maximum": 3650},
                        "pii_vault_hours": {"type": "integer", "minimum": 1, "maximum": 8760},
                        "active": {"type": "boolean"},
                    },
                    ["name"],
                ),
                "responses": {"200": _ok(_ref("AdminQueue")), **admin_errors},
            }
        },
        "/api/admin/topics/{id}": {
            "put": {
                "summary": "Create or change a triage topic with its label per language",
                "parameters": [ID_PARAM],
                "requestBody": _body(
                    {"queue": STRING, "labels": LABELS, "active": {"type": "boolean"}},
                    ["queue", "labels"],
                ),
                "responses": {"200": _ok(_ref("AdminTopic")), **admin_errors},
            }
        },
        "/api/admin/canned-replies": {
            "get": {
                "summary": "Every canned reply",
                "responses": {"200": list_of("CannedReply"), **_errors(*READ)},
            },
            "post": {
                "summary": "Add a canned reply",
                "requestBody": _body(canned_fields, ["language", "title", "body"]),
                "responses": {"200": _ok(_ref("CannedReply")), **admin_errors},
            },
        },
        "/api/admin/canned-replies/{id}": {
            "put": {
                "summary": "Change a canned reply",
                "parameters": [ID_PARAM],
                "requestBody": _body(canned_fields, ["language", "title", "body"]),
                "responses": {"200": _ok(_ref("CannedReply")), **admin_errors},
            },
            "delete": {
                "summary": "Delete a canned reply",
                "parameters": [ID_PARAM],
                "responses": {"200": _ok(OK_SCHEMA), **admin_errors},
            },
        },
    }


def _close_tag_paths() -> dict[str, Schema]:
    """Close tags per queue: read by who works in the queue, changed by admins (audited)."""
    queue: Schema = {"name": "queue", "in": "path", "required": True, "schema": STRING}
    tag: Schema = {"name": "tag", "in": "path", "required": True, "schema": STRING}
    one = _ok(_ref("CloseTag"))
    change_errors = _errors(400, 401, 403, 404, 422)
    return {
        "/api/queues/{queue}/close-tags": {
            "get": {
                "summary": "The queue's close tags to pick from (counsellors of the queue, "
                "supervisors, admins, privacy officers)",
                "parameters": [
                    queue,
                    {
                        "name": "include_retired",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["true", "false"]},
                    },
                ],
                "responses": {
                    "200": _ok({"type": "array", "items": _ref("CloseTag")}),
                    **_errors(*READ, 404),
                },
            },
            "post": {
                "summary": "Define a close tag, or correct its label (admins; the id stays)",
                "parameters": [queue],
                "requestBody": _body(
                    {
                        "id": {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,39}$"},
                        "label": {"type": "string", "maxLength": 60},
                    },
                    ["id", "label"],
                ),
                "responses": {"200": one, **change_errors},
            },
        },
        "/api/queues/{queue}/close-tags/{tag}/retire": {
            "post": {
                "summary": "Stop offering a close tag; closings that used it still count it",
                "parameters": [queue, tag],
                "responses": {"200": one, **change_errors},
            }
        },
        "/api/queues/{queue}/close-tags/{tag}/reinstate": {
            "post": {
                "summary": "Offer a retired close tag again",
                "parameters": [queue, tag],
                "responses": {"200": one, **change_errors},
            }
        },
    }


GROUP_SESSION: Schema = {
    "type": "object",
    "required": ["id", "code", "title", "language", "topic", "state"],
    "properties": {
        "id": STRING,
        "code": STRING,
        "title": STRING,
        "description": STRING,
        "language": STRING,
        "topic": STRING,
        "starts_at": STRING,
        "ends_at": STRING,
        "capacity": {"type": "integer"},
        "channels": {"type": "array", "items": STRING},
        "moderators": {"type": "array", "items": STRING},
        "state": {"type": "string", "enum": ["scheduled", "open", "ended", "cancelled"]},
        "keep_transcript_hours": {"type": "integer"},
        "pinned_agenda": _nullable("string"),
        "transcript_until": _nullable("string"),
        "participants": {"type": "integer"},
    },
}
ANNOUNCEMENT_COUNTS: Schema = {
    "type": "object",
    "required": ["id", "recipients", "delivered", "failed", "withdrawn"],
    "properties": {
        "id": STRING,
        "recipients": {"type": "integer"},
        "delivered": {"type": "integer"},
        "failed": {"type": "integer"},
        "withdrawn": {"type": "integer", "description": "news stopped before it was sent"},
        "pending": {"type": "integer"},
    },
}
SESSION_PARAM: Schema = {
    "name": "session_id",
    "in": "path",
    "required": True,
    "schema": STRING,
}


def _group_paths() -> dict[str, Schema]:
    """/api/groups* and /api/announcements*: group sessions and news (every action audited)."""
    group_write = _errors(400, 401, 403, 404, 409, 422)

    def action(summary: str, answer: Schema, body: Schema | None = None) -> Schema:
        operation: Schema = {
            "summary": summary,
            "parameters": [SESSION_PARAM],
            "responses": {"200": _ok(answer), **group_write},
        }
        if body is not None:
            operation["requestBody"] = body
        return {"post": operation}

    live_session: Schema = {
        "allOf": [
            GROUP_SESSION,
            {
                "type": "object",
                "properties": {
                    "participant_list": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": STRING,
                                "nickname": STRING,
                                "channel": STRING,
                                "language": STRING,
                                "present": {"type": "boolean"},
                                "muted": {"type": "boolean"},
                                "removed": {"type": "boolean"},
                            },
                        },
                    },
                    "messages": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": STRING,
                                "nickname": STRING,
                                "moderator": {"type": "boolean"},
                                "text": {"type": "string", "description": "redacted text"},
                                "at": STRING,
                                "held_back": {"type": "boolean"},
                                "removed": {"type": "boolean"},
                            },
                        },
                    },
                },
            },
        ]
    }
    return {
        "/api/groups": {
            "get": {
                "summary": "Group sessions, newest first, with the number present",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["sessions"],
                            "properties": {"sessions": {"type": "array", "items": GROUP_SESSION}},
                        }
                    ),
                    **_errors(*READ),
                },
            },
            "post": {
                "summary": "Create a session (the creator is a moderator); answers its join code",
                "requestBody": _body(
                    {
                        "title": {"type": "string", "maxLength": 200},
                        "description": {"type": "string", "maxLength": 2000},
                        "language": {"type": "string", "enum": list(LANGUAGES)},
                        "topic": STRING,
                        "starts_at": {"type": "string", "description": "ISO; naive = Helsinki"},
                        "ends_at": {"type": "string", "description": "ISO; naive = Helsinki"},
                        "capacity": {"type": "integer", "minimum": 2, "maximum": 200},
                        "channels": {"type": "array", "items": STRING},
                        "moderators": {"type": "array", "items": STRING},
                        "keep_transcript_hours": {"type": "integer", "minimum": 0, "maximum": 72},
                    },
                    ["title", "language", "topic", "starts_at", "ends_at", "channels"],
                ),
                "responses": {"201": _ok(GROUP_SESSION, "Created"), **group_write},
            },
        },
        "/api/groups/{session_id}": {
            "get": {
                "summary": "The live session: participants by nickname, redacted messages "
                "(audited read; moderators only)",
                "parameters": [SESSION_PARAM],
                "responses": {"200": _ok(live_session), **_errors(*READ, 404)},
            }
        },
        "/api/groups/{session_id}/live": {
            "get": {
                "summary": "Websocket of the session's events (kinds and ids only; moderators)",
                "parameters": [SESSION_PARAM],
                "responses": {
                    "101": {"description": "Switching to the websocket"},
                    **_errors(400, *READ, 404),
                },
            }
        },
        "/api/groups/{session_id}/messages": {
            "post": {
                "summary": "Post to everyone as 'Name (moderator)'",
                "parameters": [SESSION_PARAM],
                "requestBody": _body({"text": {"type": "string", "maxLength": 4000}}, ["text"]),
                "responses": {
                    "201": _ok({"type": "object", "properties": {"message": STRING}}, "Created"),
                    **group_write,
                },
            }
        },
        "/api/groups/{session_id}/messages/{message_id}": {
            "delete": {
                "summary": "Remove a message: undelivered copies dropped, delivered ones "
                "withdrawn where the platform allows; answers how many were told",
                "parameters": [
                    SESSION_PARAM,
                    {"name": "message_id", "in": "path", "required": True, "schema": STRING},
                ],
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "properties": {
                                "removed": {"type": "boolean"},
                                "notified": {"type": "integer"},
                            },
                        }
                    ),
                    **group_write,
                },
            }
        },
        "/api/groups/{session_id}/participants/{participant_id}/{restriction}": {
            "post": {
                "summary": "Mute or remove a participant for the rest of the session "
                "(a removed participant cannot rejoin)",
                "parameters": [
                    SESSION_PARAM,
                    {"name": "participant_id", "in": "path", "required": True, "schema": STRING},
                    {
                        "name": "restriction",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": ["mute", "remove"]},
                    },
                ],
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "properties": {
                                "mute": {"type": "boolean"},
                                "remove": {"type": "boolean"},
                            },
                        }
                    ),
                    **group_write,
                },
            }
        },
        "/api/groups/{session_id}/agenda": action(
            "Pin a short agenda (empty unpins); new participants see it on joining",
            {"type": "object", "properties": {"pinned_agenda": _nullable("string")}},
            _body({"agenda": {"type": "string", "maxLength": 500}}, []),
        ),
        "/api/groups/{session_id}/end": action(
            "End the session now",
            {"type": "object", "properties": {"state": STRING}},
        ),
        "/api/announcements": {
            "get": {
                "summary": "Announcements, newest first, with their counts",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["announcements"],
                            "properties": {
                                "announcements": {"type": "array", "items": {"type": "object"}}
                            },
                        }
                    ),
                    **_errors(*READ),
                },
            },
            "post": {
                "summary": "Send news to the residents subscribed to a topic and language",
                "requestBody": _body(
                    {
                        "topic": STRING,
                        "language": {"type": "string", "enum": list(LANGUAGES)},
                        "text": {"type": "string", "maxLength": 1000},
                        "session_id": _nullable("string"),
                    },
                    ["topic", "language", "text"],
                ),
                "responses": {"201": _ok(ANNOUNCEMENT_COUNTS, "Created"), **group_write},
            },
        },
        "/api/announcements/{announcement_id}": {
            "get": {
                "summary": "How many were delivered, failed or withdrawn",
                "parameters": [
                    {"name": "announcement_id", "in": "path", "required": True, "schema": STRING}
                ],
                "responses": {"200": _ok(ANNOUNCEMENT_COUNTS), **_errors(*READ, 404)},
            }
        },
    }


def document() -> Schema:
    paths: dict[str, Schema] = {
        "/api/login": {
            "post": {
                "summary": "Sign in; answers with the session cookie and a CSRF token",
                "security": [],
                "requestBody": _body(
                    {
                        "username": {"type": "string", "maxLength": 100},
                        "password": {"type": "string", "maxLength": 1000},
                        "totp": {"type": "string", "maxLength": 20},
                    },
                    ["username", "password"],
                ),
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["csrf_token", "user_id"],
                            "properties": {"csrf_token": STRING, "user_id": STRING},
                        }
                    ),
                    **_errors(400, 401, 403, 422, 429),
                },
            }
        },
        "/api/logout": {
            "post": {"summary": "Sign out", "responses": {"200": _ok(OK_SCHEMA), **_errors(*READ)}}
        },
        "/api/logout-everywhere": {
            "post": {
                "summary": "End every session of the signed-in user",
                "responses": {"200": _ok(OK_SCHEMA), **_errors(*READ)},
            }
        },
        "/api/me": {
            "get": {
                "summary": "The signed-in user and the session's CSRF token",
                "responses": {"200": _ok(_ref("Me")), **_errors(*READ)},
            }
        },
        "/api/me/password": {
            "post": {
                "summary": "Change the password (other sessions end)",
                "requestBody": _body(
                    {"current": STRING, "new": {"type": "string", "minLength": 12}},
                    ["current", "new"],
                ),
                "responses": {"200": _ok(OK_SCHEMA), **_errors(400, 401, 403, 422)},
            }
        },
        "/api/me/display-name": {
            "post": {
                "summary": "Set the name residents see",
                "requestBody": _body({"display_name": STRING}, ["display_name"]),
                "responses": {
                    "200": _ok({"type": "object", "properties": {"display_name": STRING}}),
                    **_errors(400, 401, 403, 422),
                },
            }
        },
        "/api/queues": {
            "get": {
                "summary": "Queues with waiting counts, members (transfer targets) and topics",
                "responses": {
                    "200": _ok({"type": "array", "items": _ref("Queue")}),
                    **_errors(*READ),
                },
            }
        },
        "/api/conversations": {
            "get": {
                "summary": "Conversations the user may see (metadata only, no content)",
                "description": "Open ones in serving order (urgent first, then longest "
                "waiting); `state=closed` newest closed first.",
                "parameters": [
                    {
                        "name": "state",
                        "in": "query",
                        "schema": {"type": "string", "enum": [*STATES, "open", "waiting"]},
                    },
                    {"name": "queue", "in": "query", "schema": STRING},
                ],
                "responses": {
                    "200": _ok({"type": "array", "items": _ref("ConversationSummary")}),
                    **_errors(*READ, 422),
                },
            }
        },
        "/api/conversations/{id}": {
            "get": {
                "summary": "The redacted transcript (audited; a privacy officer gives a reason)",
                "parameters": [
                    ID_PARAM,
                    {"name": "reason", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {"200": _ok(_ref("Transcript")), **_errors(*READ, 404, 422)},
            }
        },
        "/api/conversations/{id}/claim": _conversation_post("Claim", None, ACTION_OK),
        "/api/conversations/{id}/release": _conversation_post(
            "Put back in the queue", None, ACTION_OK
        ),
        "/api/conversations/{id}/reply": _conversation_post(
            "Reply to the resident",
            _body({"text": {"type": "string", "maxLength": 4000}}, ["text"]),
            {"type": "object", "properties": {"ok": {"type": "boolean"}, "message": STRING}},
        ),
        "/api/conversations/{id}/note": _conversation_post(
            "Add an internal note (never sent)",
            _body({"text": {"type": "string", "maxLength": 4000}}, ["text"]),
            {"type": "object", "properties": {"ok": {"type": "boolean"}, "note": STRING}},
        ),
        "/api/conversations/{id}/transfer": _conversation_post(
            "Transfer to a queue or a counsellor (exactly one)",
            _body({"queue": STRING, "user": STRING, "note": STRING}, []),
            ACTION_OK,
        ),
        "/api/conversations/{id}/close": _conversation_post(
            "Close with an outcome and close tags (code unknown_close_tag: a tag the "
            "conversation's queue does not offer)",
            _body(
                {
                    "outcome": {"type": "string", "enum": list(OUTCOMES)},
                    "tags": {
                        "type": "array",
                        "items": STRING,
                        "maxItems": 20,
                        "description": "ids of close tags the conversation's queue offers "
                        "(GET /api/queues/{queue}/close-tags), at most 10 distinct",
                    },
                },
                [],
            ),
            ACTION_OK,
        ),
        "/api/conversations/{id}/reveal": _conversation_post(
            "Reveal one hidden item, for a recorded reason",
            _body(
                {"item": STRING, "reason": {"type": "string", "minLength": 5}}, ["item", "reason"]
            ),
            {"type": "object", "properties": {"item": STRING, "value": STRING}},
        ),
        "/api/conversations/{id}/block": _conversation_post(
            "Block the resident's pseudonym for a number of days (ends the chat)",
            _body(
                {
                    "days": {"type": "integer", "minimum": 1, "maximum": 365},
                    "reason": {"type": "string", "minLength": 5},
                },
                ["days", "reason"],
            ),
            {
                "type": "object",
                "properties": {"ok": {"type": "boolean"}, "block": STRING, "expires_at": STRING},
            },
        ),
        "/api/canned-replies": {
            "get": {
                "summary": "Canned replies in a language, for a queue",
                "parameters": [
                    {"name": "language", "in": "query", "schema": STRING},
                    {"name": "queue", "in": "query", "schema": STRING},
                ],
                "responses": {
                    "200": _ok(
                        {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": STRING,
                                    "title": STRING,
                                    "body": STRING,
                                    "language": STRING,
                                    "queue": _nullable("string"),
                                },
                            },
                        }
                    ),
                    **_errors(*READ),
                },
            }
        },
        "/api/dashboard": {
            "get": {
                "summary": "Supervisor numbers",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["queues", "waiting", "counsellors_online"],
                            "properties": {
                                "queues": {"type": "array", "items": {"type": "object"}},
                                "waiting": {"type": "integer"},
                                "urgent": {"type": "integer"},
                                "active": {"type": "integer"},
                                "longest_wait_seconds": {"type": "integer"},
                                "counsellors_online": {"type": "integer"},
                                "conversations_today": {"type": "integer"},
                                "feedback": {"type": "object"},
                            },
                        }
                    ),
                    **_errors(*READ),
                },
            }
        },
        "/api/blocks": {
            "get": {
                "summary": "Blocks of the queues the user works in or supervises, newest first",
                "responses": {
                    "200": _ok({"type": "array", "items": _ref("Block")}),
                    **_errors(*READ),
                },
            }
        },
        "/api/blocks/{id}/lift": {
            "post": {
                "summary": "Lift an active block",
                "parameters": [ID_PARAM],
                "responses": {"200": _ok(OK_SCHEMA), **_errors(*WRITE)},
            }
        },
        "/api/users/locked": {
            "get": {
                "summary": "Accounts sign-in limits refuse now (supervisors: their queues' "
                "counsellors; admins: everyone)",
                "responses": {
                    "200": _ok({"type": "array", "items": _ref("LockedAccount")}),
                    **_errors(*READ),
                },
            }
        },
        "/api/users/{id}/unlock": {
            "post": {
                "summary": "Lift every sign-in refusal of an account (audited)",
                "parameters": [ID_PARAM],
                "responses": {"200": _ok(OK_SCHEMA), **_errors(400, 401, 403, 404)},
            }
        },
        "/api/audit": {
            "get": {
                "summary": "Recent audit records (privacy officer)",
                "parameters": [
                    {"name": name, "in": "query", "schema": STRING}
                    for name in ("action", "actor", "conversation")
                ]
                + [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                    }
                ],
                "responses": {
                    "200": _ok({"type": "array", "items": {"type": "object"}}),
                    **_errors(*READ, 422),
                },
            }
        },
        "/api/audit/verify": {
            "get": {
                "summary": "Verify the audit chain",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["ok", "checked"],
                            "properties": {
                                "ok": {"type": "boolean"},
                                "checked": {"type": "integer"},
                                "first_bad_seq": _nullable("integer"),
                                "problem": _nullable("string"),
                                "detail": STRING,
                            },
                        }
                    ),
                    **_errors(*READ),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {"200": _ok({"type": "object"})},
            }
        },
    }
    paths.update(_admin_paths())
    paths.update(_close_tag_paths())
    paths.update(_group_paths())
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
            "schemas": SCHEMAS,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "somesossu_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            },
        },
        "security": [{"session": [], "csrf": []}],
    }


@routes.get("/api/openapi.json")
async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(document())
