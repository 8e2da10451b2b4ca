"""The console websocket: forwards hub events (ids only) to the pages that may see them.

Never sends content: pages re-fetch through the API, which checks access and audits. The
session and role are checked again on every incoming frame and before forwarding events, and
a watched conversation's events pass only while the user may still act on it (`access.
may_follow`; for a consultant, while the resident has them in the chat: `access.
consultant_may_follow`); when that ends, so does the watch (`watch_ended`). Never forwards
otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import weakref
from collections import Counter
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from bot.access import (
    Denial,
    Staff,
    consultant_may_follow,
    may_follow,
    may_moderate,
    works_in,
)
from bot.actions import auth as auth_actions
from bot.actions.auth import Authenticated
from bot.groups.sessions import group_topic
from bot.groups.tables import GroupSession
from bot.hub import HubEvent, Subscription
from bot.hub_topics import queue_topic
from bot.roles import Capability, Role, can
from bot.service import SERVICE
from bot.store import conversations as conversation_store

from .auth import COOKIE, ConsoleError, authenticated

routes = web.RouteTableDef()
CONNECTED = web.AppKey("console_connected", Counter[str])
OPEN_SOCKETS = web.AppKey("console_sockets", weakref.WeakSet[web.WebSocketResponse])
# Between frames from the page, the session is re-checked at least this often.
RECHECK_SECONDS = 20.0
MAX_WATCHED = 20
CONVERSATION = "conversation:"
URGENT = "conversation.urgent"
# Events (on the staff and queue topics) after which who may follow a conversation can differ.
ACCESS_CHANGES = frozenset(
    {
        "conversation.claimed",
        "conversation.released",
        "conversation.queued",
        "conversation.transferred",
        "conversation.closed",
        "conversation.erased",
    }
)


def topics_for(staff: Staff) -> set[str]:
    topics: set[str] = set()
    if can(staff.role, Capability.WORK_QUEUES) or can(staff.role, Capability.SEE_ALL_QUEUES):
        topics.add("staff")
        topics.update(queue_topic(queue) for queue in staff.queues)
    if can(staff.role, Capability.AUDIT):
        topics.add("staff")
    return topics


class LiveSession:
    """One open console socket: its user, its subscription, the conversations it watches."""

    def __init__(self, request: web.Request, ws: web.WebSocketResponse, found: Authenticated):
        self.request = request
        self.ws = ws
        self.token = request.cookies.get(COOKIE, "")
        self.staff = Staff.of(found.user, found.queues)
        self.checked_at = time.monotonic()
        self.subscription: Subscription | None = None

    async def recheck(self) -> bool:
        """The session is still valid and the role unchanged; else the socket closes."""
        found = await auth_actions.resume(self.request.app[SERVICE].core, self.token)
        self.checked_at = time.monotonic()
        if found is None or found.user.role != str(self.staff.role):
            return False
        self.staff = Staff.of(found.user, found.queues)
        # Queues or claims may have changed since the watch began: decide every watch again.
        await self.recheck_watched()
        if self.subscription is not None:
            watched = {t for t in self.subscription.topics if t.startswith(CONVERSATION)}
            groups = {t for t in self.subscription.topics if t.startswith("group:")}
            # A moderator taken off a session stops seeing it at the next frame.
            groups = {t for t in groups if await self._moderates(t.removeprefix("group:"))}
            self.subscription.topics.clear()
            self.subscription.topics.update(topics_for(self.staff) | watched | groups)
        return True

    async def _moderates(self, session_id: str) -> bool:
        async with self.request.app[SERVICE].core.database.session() as session:
            group = await session.get(GroupSession, session_id)
        return group is not None and may_moderate(self.staff, group)

    async def watch_group(self, session_id: str) -> bool:
        """Follow a group session's events; only its moderators may."""
        if self.subscription is None or not await self._moderates(session_id):
            return False
        watched = [t for t in self.subscription.topics if t.startswith("group:")]
        if len(watched) >= MAX_WATCHED:
            return False
        self.subscription.topics.add(group_topic(session_id))
        return True

    async def _decide(self, conversation_id: str) -> Denial | None:
        core = self.request.app[SERVICE].core
        async with core.database.session() as session:
            if self.staff.role is Role.CONSULTANT:
                # Only the conversations they were let into, from their joining to their end.
                return await consultant_may_follow(session, self.staff, conversation_id, core.now())
            conversation = await conversation_store.get(session, conversation_id)
        return may_follow(self.staff, conversation)

    async def watch(self, conversation_id: str) -> bool:
        if self.subscription is None or await self._decide(conversation_id) is not None:
            return False
        watched = [t for t in self.subscription.topics if t.startswith(CONVERSATION)]
        if len(watched) >= MAX_WATCHED:
            return False
        self.subscription.topics.add(CONVERSATION + conversation_id)
        return True

    def unwatch(self, conversation_id: str) -> None:
        if self.subscription is not None:
            self.subscription.topics.discard(CONVERSATION + conversation_id)

    def watching(self, conversation_id: str) -> bool:
        return self.subscription is not None and (
            CONVERSATION + conversation_id in self.subscription.topics
        )

    async def still_allowed(
        self, conversation_id: str, decided: dict[str, Denial | None] | None = None
    ) -> bool:
        """Re-check a watch; one that lost access ends with a `watch_ended` frame.

        `decided` holds the decisions of one batch of events: they were all committed before
        the batch was taken, so one query (made after) is as fresh as a query per event.
        """
        decided = {} if decided is None else decided
        if conversation_id not in decided:
            decided[conversation_id] = await self._decide(conversation_id)
        denial = decided[conversation_id]
        if denial is None:
            return True
        if self.watching(conversation_id):
            self.unwatch(conversation_id)
            await self.send(
                {"type": "watch_ended", "conversation": conversation_id, "reason": str(denial)}
            )
        return False

    async def recheck_watched(self) -> None:
        if self.subscription is None:
            return
        for topic in [t for t in self.subscription.topics if t.startswith(CONVERSATION)]:
            await self.still_allowed(topic.removeprefix(CONVERSATION))

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send_str(json.dumps(frame))


@routes.get("/console/ws")
async def console_socket(request: web.Request) -> web.StreamResponse:
    try:
        found = authenticated(request)
    except ConsoleError as error:
        raise web.HTTPUnauthorized(reason=error.code) from None
    ws = web.WebSocketResponse(heartbeat=30, max_msg_size=4096)
    await ws.prepare(request)
    live = LiveSession(request, ws, found)
    request.app[OPEN_SOCKETS].add(ws)
    connected = request.app[CONNECTED]
    connected[live.staff.user_id] += 1
    hub = request.app[SERVICE].core.hub
    try:
        with hub.subscribe(topics_for(live.staff)) as subscription:
            live.subscription = subscription
            pump = asyncio.create_task(_forward(live, subscription), name="console-ws-forward")
            try:
                await live.send({"type": "hello", "user": live.staff.user_id})
                await _receive(live)
            finally:
                pump.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pump
    finally:
        connected[live.staff.user_id] -= 1
        if connected[live.staff.user_id] <= 0:
            del connected[live.staff.user_id]
    return ws


async def _receive(live: LiveSession) -> None:
    async for message in live.ws:
        if message.type != WSMsgType.TEXT:
            break
        # Every frame: is this still a valid session with the same role?
        if not await live.recheck():
            await live.send({"type": "signed_out"})
            await live.ws.close(code=4401, message=b"signed out")
            return
        try:
            frame = json.loads(message.data)
        except json.JSONDecodeError:
            await live.send({"type": "error", "code": "invalid_json"})
            continue
        if not isinstance(frame, dict):
            await live.send({"type": "error", "code": "invalid_json"})
            continue
        kind = frame.get("type")
        if kind == "ping":
            await live.send({"type": "pong"})
        elif kind == "watch" and isinstance(frame.get("conversation"), str):
            conversation_id = frame["conversation"][:64]
            if await live.watch(conversation_id):
                await live.send({"type": "watching", "conversation": conversation_id})
            else:
                await live.send({"type": "error", "code": "forbidden"})
        elif kind == "watch" and isinstance(frame.get("group"), str):
            session_id = frame["group"][:64]
            if await live.watch_group(session_id):
                await live.send({"type": "watching", "group": session_id})
            else:
                await live.send({"type": "error", "code": "forbidden"})
        elif kind == "unwatch" and live.subscription is not None:
            live.unwatch(str(frame.get("conversation")))
            live.subscription.topics.discard(f"group:{frame.get('group')}")
        else:
            await live.send({"type": "error", "code": "unknown_frame"})


async def _forward(live: LiveSession, subscription: Subscription) -> None:
    while True:
        batch: list[HubEvent] = [await subscription.get()]
        while not subscription.queue.empty():
            batch.append(subscription.queue.get_nowait())
        if time.monotonic() - live.checked_at > RECHECK_SECONDS and not await live.recheck():
            await live.send({"type": "signed_out"})
            await live.ws.close(code=4401, message=b"signed out")
            return
        decided: dict[str, Denial | None] = {}
        for event in batch:
            if not await _may_forward(live, subscription, event, decided):
                continue
            payload = {k: v for k, v in event.payload.items() if isinstance(v, str | int | bool)}
            await live.send(
                {"type": "event", "topic": event.topic, "kind": event.kind, "payload": payload}
            )


async def _may_forward(
    live: LiveSession,
    subscription: Subscription,
    event: HubEvent,
    decided: dict[str, Denial | None],
) -> bool:
    if event.topic not in subscription.topics:
        return False  # unwatched or a queue the user left since the event was queued
    if event.topic.startswith(CONVERSATION):
        # A watch taken before a claim or transfer must not outlive the access it was given.
        return await live.still_allowed(event.topic.removeprefix(CONVERSATION), decided)
    subject = event.payload.get("conversation")
    if event.kind == URGENT and event.topic == "staff":
        # An urgent alert sounds for those who work in its queue, once: who follows the
        # queue's topic already heard it there (a supervisor of every queue follows none).
        queue = event.payload.get("queue")
        return (
            isinstance(queue, str)
            and works_in(live.staff, queue)
            and queue_topic(queue) not in subscription.topics
        )
    if event.kind in ACCESS_CHANGES and isinstance(subject, str) and live.watching(subject):
        # End the watch now, not at the conversation's next event (which might never come).
        await live.still_allowed(subject, decided)
    return True


async def close_all(app: web.Application) -> None:
    """Close open console sockets with 1001 when the server shuts down (pages reconnect)."""
    sockets = app[OPEN_SOCKETS]
    for ws in [*sockets]:
        await ws.close(code=WSCloseCode.GOING_AWAY)
