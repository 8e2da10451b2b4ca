"""Console JSON API of group sessions and announcements, and the moderators' live socket.

Thin: checks the role, parses the body, calls `bot.groups` actions (which audit); never writes a
table itself and never returns a participant's pseudonym, platform or reply address.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any

from aiohttp import WSMsgType, web
from sqlmodel import col, func, select

from bot.access import may_moderate
from bot.errors import ServiceError
from bot.groups import announcements, moderation
from bot.groups.sessions import GroupState, SessionDraft, create_session, group_topic, session_json
from bot.groups.tables import Announcement, GroupParticipant, GroupSession
from bot.local_time import zone_label
from bot.roles import Capability
from bot.service import SERVICE
from bot.store.tables import Topic
from bot.texts import LANGUAGES

from . import pages
from .api import int_field, json_body, text_field
from .auth import staff_of

routes = web.RouteTableDef()


def _time(body: dict[str, Any], name: str) -> datetime:
    raw = body.get(name)
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError:
        raise ServiceError("invalid_input", f"{name} must be an ISO date and time") from None


def _strings(body: dict[str, Any], name: str) -> tuple[str, ...]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ServiceError("invalid_input", f"{name} must be a list of strings")
    return tuple(value)


@routes.get("/console/groups")
async def groups_page(request: web.Request) -> web.Response:
    """The moderators' page: sessions, the live session and its tools, announcements."""
    staff_of(request, Capability.WORK_QUEUES)
    service = request.app[SERVICE]
    async with service.core.database.session() as session:
        topics = list(
            (
                await session.execute(
                    select(Topic).where(col(Topic.active)).order_by(col(Topic.position))
                )
            ).scalars()
        )
    return pages.render(
        request,
        "groups.html",
        page="groups",
        # (id, label): the topic's label in the console language, its id when it has none.
        topics=[
            (t.id, announcements.topic_label(t, pages.console_language(request))) for t in topics
        ],
        languages=LANGUAGES,
        channels=[a.name for a in service.adapters],
        agenda_max=moderation.AGENDA_MAX,
        announcement_max=announcements.ANNOUNCEMENT_MAX,
        zone_label=_zone_words(request),
    )


def _zone_words(request: web.Request) -> str:
    """The service's zone as the form labels say it, in the console language; in English
    exactly `zone_label`'s words ("Finnish time", "Europe/Stockholm time")."""
    zone = request.app[SERVICE].core.settings.zone
    if zone_label(zone) == "Finnish time":
        return pages.page_text(request, "groups.zone_finland")
    return pages.page_text(request, "groups.zone_other", zone=zone.key)


@routes.get("/api/groups")
async def list_sessions(request: web.Request) -> web.Response:
    staff_of(request, Capability.WORK_QUEUES)
    core = request.app[SERVICE].core
    async with core.database.session() as session:
        groups = list(
            (
                await session.execute(
                    select(GroupSession).order_by(col(GroupSession.starts_at).desc()).limit(200)
                )
            ).scalars()
        )
        counts = dict(
            (
                await session.execute(
                    select(GroupParticipant.session_id, func.count())
                    .where(
                        col(GroupParticipant.left_at).is_(None),
                        col(GroupParticipant.removed).is_(False),
                    )
                    .group_by(col(GroupParticipant.session_id))
                )
            ).all()
        )
    return web.json_response(
        {"sessions": [session_json(g, int(counts.get(g.id, 0))) for g in groups]}
    )


@routes.post("/api/groups")
async def create(request: web.Request) -> web.Response:
    staff = staff_of(request, Capability.WORK_QUEUES)
    body = await json_body(request)
    draft = SessionDraft(
        title=text_field(body, "title", limit=200),
        description=text_field(body, "description", required=False, limit=2000),
        language=text_field(body, "language", limit=8),
        topic_id=text_field(body, "topic", limit=64),
        starts_at=_time(body, "starts_at"),
        ends_at=_time(body, "ends_at"),
        capacity=int_field(body, "capacity", 12),
        channels=_strings(body, "channels"),
        moderators=_strings(body, "moderators"),
        keep_transcript_hours=int_field(body, "keep_transcript_hours", 0),
    )
    group = await create_session(request.app[SERVICE].core, staff, draft)
    return web.json_response(session_json(group), status=201)


@routes.get("/api/groups/{session_id}")
async def live(request: web.Request) -> web.Response:
    """The live session: participants by nickname and the redacted messages (audited)."""
    staff = staff_of(request, Capability.WORK_QUEUES)
    view = await moderation.live_view(
        request.app[SERVICE].core, staff, request.match_info["session_id"]
    )
    present = sum(1 for p in view.participants if p.left_at is None and not p.removed)
    return web.json_response(
        {
            **session_json(view.session, present),
            "participant_list": [
                {
                    "id": p.id,
                    "nickname": p.nickname,
                    "channel": p.channel,
                    "language": p.language,
                    "present": p.left_at is None and not p.removed,
                    "muted": p.muted,
                    "removed": p.removed,
                }
                for p in view.participants
            ],
            "messages": [
                {
                    "id": m.id,
                    "nickname": m.nickname,
                    "moderator": m.moderator,
                    "text": m.text,
                    "at": m.at.isoformat(),
                    "held_back": m.held_back,
                    "removed": m.removed,
                }
                for m in view.messages
            ],
        }
    )


async def _act(request: web.Request, action: Any, *args: Any, **kwargs: Any) -> Any:
    staff = staff_of(request, Capability.WORK_QUEUES)
    return await action(request.app[SERVICE].core, staff, *args, **kwargs)


@routes.post("/api/groups/{session_id}/messages")
async def post(request: web.Request) -> web.Response:
    body = await json_body(request)
    text = text_field(body, "text")
    message_id = await _act(request, moderation.post, request.match_info["session_id"], text)
    return web.json_response({"message": message_id}, status=201)


@routes.delete("/api/groups/{session_id}/messages/{message_id}")
async def remove_message(request: web.Request) -> web.Response:
    notified = await _act(
        request,
        moderation.remove_message,
        request.match_info["session_id"],
        request.match_info["message_id"],
    )
    return web.json_response({"removed": True, "notified": notified})


@routes.post("/api/groups/{session_id}/participants/{participant_id}/{restriction}")
async def restrict(request: web.Request) -> web.Response:
    restriction = request.match_info["restriction"]
    if restriction not in ("mute", "remove"):
        raise ServiceError("not_found", "unknown action")
    await _act(
        request,
        moderation.restrict,
        request.match_info["session_id"],
        request.match_info["participant_id"],
        remove=restriction == "remove",
    )
    return web.json_response({restriction: True})


@routes.post("/api/groups/{session_id}/agenda")
async def agenda(request: web.Request) -> web.Response:
    body = await json_body(request)
    text = text_field(body, "agenda", required=False, limit=moderation.AGENDA_MAX)
    await _act(request, moderation.pin_agenda, request.match_info["session_id"], text)
    return web.json_response({"pinned_agenda": text.strip() or None})


@routes.post("/api/groups/{session_id}/end")
async def end(request: web.Request) -> web.Response:
    await _act(request, moderation.end, request.match_info["session_id"])
    return web.json_response({"state": str(GroupState.ENDED)})


@routes.get("/api/groups/{session_id}/live")
async def live_socket(request: web.Request) -> web.StreamResponse:
    """Hub events of one session (ids and kinds only) for its moderators."""
    staff = staff_of(request, Capability.WORK_QUEUES)
    core = request.app[SERVICE].core
    session_id = request.match_info["session_id"]
    async with core.database.session() as session:
        group = await session.get(GroupSession, session_id)
    if group is None:
        raise ServiceError("not_found", "no such group session")
    if not may_moderate(staff, group):
        raise ServiceError("forbidden", "only this session's moderators may watch it")
    socket = web.WebSocketResponse(heartbeat=30)
    if not socket.can_prepare(request).ok:
        raise ServiceError("invalid_input", "this address is a websocket", status=400)
    await socket.prepare(request)
    with core.hub.subscribe({group_topic(session_id)}) as subscription:

        async def forward() -> None:
            while True:
                event = await subscription.get()
                await socket.send_json({"kind": event.kind, **event.payload})

        task = asyncio.create_task(forward())
        try:
            async for message in socket:
                if message.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                    break
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    return socket


@routes.post("/api/announcements")
async def send_announcement(request: web.Request) -> web.Response:
    body = await json_body(request)
    session_id = body.get("session_id")
    if session_id is not None and not isinstance(session_id, str):
        raise ServiceError("invalid_input", "session_id must be a string")
    counts = await _act(
        request,
        announcements.send,
        topic_id=text_field(body, "topic", limit=64),
        language=text_field(body, "language", limit=8),
        text=text_field(body, "text", limit=announcements.ANNOUNCEMENT_MAX),
        session_id=session_id,
    )
    return web.json_response(_counts_json(counts), status=201)


@routes.get("/api/announcements/{announcement_id}")
async def announcement_counts(request: web.Request) -> web.Response:
    staff_of(request, Capability.WORK_QUEUES)
    counts = await announcements.counts(
        request.app[SERVICE].core, request.match_info["announcement_id"]
    )
    return web.json_response(_counts_json(counts))


@routes.get("/api/announcements")
async def list_announcements(request: web.Request) -> web.Response:
    staff_of(request, Capability.WORK_QUEUES)
    async with request.app[SERVICE].core.database.session() as session:
        rows = list(
            (
                await session.execute(
                    select(Announcement).order_by(col(Announcement.created_at).desc()).limit(100)
                )
            ).scalars()
        )
    return web.json_response(
        {
            "announcements": [
                {
                    "id": a.id,
                    "topic": a.topic_id,
                    "language": a.language,
                    "session_id": a.session_id,
                    "created_at": a.created_at.isoformat(),
                    "recipients": a.recipients,
                    "delivered": a.delivered,
                    "failed": a.failed,
                    "withdrawn": a.withdrawn,
                }
                for a in rows
            ]
        }
    )


def _counts_json(counts: announcements.AnnouncementCounts) -> dict[str, Any]:
    return {
        "id": counts.id,
        "recipients": counts.recipients,
        "delivered": counts.delivered,
        "failed": counts.failed,
        "withdrawn": counts.withdrawn,
        "pending": counts.pending,
    }


GROUPS_READY = web.AppKey("console_groups_ready", bool)


def setup_group_routes(app: web.Application) -> None:
    """Add the group API to an app that has the console's guard (a second call does nothing)."""
    if app.get(GROUPS_READY):
        return
    app[GROUPS_READY] = True
    app.router.add_routes(routes)
