"""Every console API route × role × relation to the resource, against the real app.

The routes are read from the app's router, so a route added without an entry in `TABLE` fails
`test_every_api_route_has_an_entry`. A cell's expectation is the status (and, for lists, whether
the resource is listed); refusals must say why with the JSON error shape (`unauthenticated`,
`forbidden`), not by accident. One service per module; each cell gets fresh resources and the
open conversations of earlier cells are closed first, so no cell depends on another.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import update
from sqlmodel import col, select

from bot.access import Staff
from bot.actions import admin as admin_actions
from bot.actions import close_tags, library
from bot.actions import conversations as actions
from bot.actions.context import SYSTEM, Actor, unit_of_work
from bot.actions.users import create_user
from bot.app import Service, build_service, build_web_app, prepare_database
from bot.config import load_settings
from bot.console import setup_console
from bot.events import Author
from bot.groups.sessions import SessionDraft, create_session, open_session
from bot.groups.tables import GroupSession
from bot.ids import new_id
from bot.messages import store_message
from bot.roles import Role
from bot.sealed_formats import REPLY_ADDRESS
from bot.sealing import KeyPurpose
from bot.store.tables import CannedReply, Conversation, PiiItem
from privacy.crypto import seal
from tests.support.chat import InProcessAdapter
from tests.support.db import POSTGRES_URL, database_url, postgres_admin
from tests.support.files import pdf_with_extras

pytestmark = pytest.mark.asyncio(loop_scope="module")

Client = TestClient[Any, Any]
PASSWORD = "a long test password"
ROLES = ("anonymous", "counsellor", "supervisor", "privacy_officer", "admin")
# The supervisor here supervises "general" only: another queue's conversations and blocks are
# not theirs (a supervisor of no particular queue oversees all; see test_blocks.py).
# Blocks and close tags belong to a queue: "own_queue" is "general", "other_queue" "nuoret".
# Relation of a conversation to the acting user (and to the queue "general" they work in):
# own = active, claimed by the user; colleague = active, claimed by a counsellor of the same
# queue; waiting = queued in the same queue, unclaimed; other_queue = queued in "nuoret".
CONVERSATION = ("own", "colleague", "waiting", "other_queue")
NOT_CLAIMING = ("colleague", "waiting", "other_queue")  # roles that never hold a conversation
BLOCK = ("own_queue", "other_queue")  # a block made in "general" or in "nuoret"
NONE = ("-",)

Expect = int | tuple[int, bool]  # a status, or (200, listed?) for list routes


def each(**by_role: Expect) -> dict[str, dict[str, Expect]]:
    """One expectation per role, for routes that take no conversation or block."""
    return {role: {"-": expect} for role, expect in by_role.items()}


def conv(
    counsellor: tuple[Expect, Expect, Expect, Expect],
    supervisor: tuple[Expect, Expect, Expect, Expect],
    privacy_officer: tuple[Expect, Expect, Expect],
    admin: tuple[Expect, Expect, Expect],
) -> dict[str, dict[str, Expect]]:
    """Conversation routes: (own, colleague, waiting, other_queue) per role."""
    return {
        "anonymous": dict.fromkeys(NOT_CLAIMING, 401),
        "counsellor": dict(zip(CONVERSATION, counsellor, strict=True)),
        "supervisor": dict(zip(CONVERSATION, supervisor, strict=True)),
        "privacy_officer": dict(zip(NOT_CLAIMING, privacy_officer, strict=True)),
        "admin": dict(zip(NOT_CLAIMING, admin, strict=True)),
    }


def blocks(**by_role: tuple[Expect, Expect]) -> dict[str, dict[str, Expect]]:
    return {role: dict(zip(BLOCK, pair, strict=True)) for role, pair in by_role.items()}


LISTED, HIDDEN = (200, True), (200, False)
FORM = pdf_with_extras(pages=1)
REFUSED_4 = (403, 403, 403)
GONE = 404  # another queue's conversation (or block) is not even named to a counsellor


@dataclass(frozen=True)
class Route:
    """What a route takes (`resource`), the body it is sent, and the expected answers."""

    expect: dict[str, dict[str, Expect]]
    resource: str = "none"  # conversation, block, group, user, canned, self, login, none
    body: Callable[[int], dict[str, Any]] | None = None
    query: str = ""


def _group_body(n: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "title": f"Ryhmä {n}",
        "language": "fi",
        "topic": "other",
        "starts_at": (now + timedelta(minutes=5)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
        "channels": ["test"],
    }


OPEN_TO_STAFF = each(anonymous=401, counsellor=200, supervisor=200, privacy_officer=200, admin=200)
QUEUE_WORK = each(anonymous=401, counsellor=200, supervisor=200, privacy_officer=403, admin=403)
ADMIN_ONLY = each(anonymous=401, counsellor=403, supervisor=403, privacy_officer=403, admin=200)
AUDITOR_ONLY = each(anonymous=401, counsellor=403, supervisor=403, privacy_officer=200, admin=403)
# Group sessions here are moderated by a colleague: a counsellor who is not a moderator is
# refused; supervisors moderate every session. Unknown message or participant ids are 404.
MODERATOR = each(anonymous=401, counsellor=403, supervisor=200, privacy_officer=403, admin=403)
MODERATOR_UNKNOWN_ITEM = each(
    anonymous=401, counsellor=403, supervisor=404, privacy_officer=403, admin=403
)

TABLE: dict[tuple[str, str], Route] = {
    # ---- sign-in and one's own account (each cell on a fresh user of the role) ----------
    ("POST", "/api/login"): Route(
        each(anonymous=200, counsellor=200, supervisor=200, privacy_officer=200, admin=200),
        resource="login",
    ),
    ("POST", "/api/logout"): Route(OPEN_TO_STAFF, resource="self"),
    ("POST", "/api/logout-everywhere"): Route(OPEN_TO_STAFF, resource="self"),
    ("GET", "/api/me"): Route(OPEN_TO_STAFF),
    ("POST", "/api/me/password"): Route(
        OPEN_TO_STAFF,
        resource="self",
        body=lambda n: {"current": PASSWORD, "new": f"another long password {n}"},
    ),
    ("POST", "/api/me/display-name"): Route(
        OPEN_TO_STAFF, resource="self", body=lambda n: {"display_name": f"Name {n}"}
    ),
    ("GET", "/api/openapi.json"): Route(
        each(anonymous=200, counsellor=200, supervisor=200, privacy_officer=200, admin=200)
    ),
    # ---- queues and conversations -----------------------------------------------------
    ("GET", "/api/queues"): Route(OPEN_TO_STAFF),
    ("GET", "/api/canned-replies"): Route(
        each(anonymous=401, counsellor=200, supervisor=200, privacy_officer=403, admin=200)
    ),
    ("GET", "/api/conversations"): Route(
        conv(
            (LISTED, LISTED, LISTED, HIDDEN),
            (LISTED, LISTED, LISTED, LISTED),
            (LISTED, LISTED, LISTED),
            (LISTED, LISTED, LISTED),
        ),
        resource="conversation",
    ),
    ("GET", "/api/conversations/{id}"): Route(
        # The reason is ignored for staff reading under the rule; an auditor must give one.
        conv((200, 403, 200, GONE), (200, 200, 200, 403), (200, 200, 200), REFUSED_4),
        resource="conversation",
        query="?reason=route+table+check",
    ),
    ("GET", "/api/conversations/{id}/earlier"): Route(
        # Queue work on the conversation at hand; without the resident's consent an empty list.
        conv((200, 403, 200, GONE), (200, 200, 200, 403), REFUSED_4, REFUSED_4),
        resource="conversation",
    ),
    ("GET", "/api/conversations/{id}/earlier/{earlier}"): Route(
        # The probe names no earlier conversation of the resident: 404 wherever access holds.
        conv((404, 403, 404, GONE), (404, 404, 404, 403), REFUSED_4, REFUSED_4),
        resource="conversation",
    ),
    ("GET", "/api/conversations/{id}/attachments/{attachment}"): Route(
        # The probe names no file of the conversation: 404 wherever reading it is allowed (an
        # auditor with a reason, as for the transcript).
        conv((404, 403, 404, GONE), (404, 404, 404, 403), (404, 404, 404), REFUSED_4),
        resource="conversation",
        query="?reason=route+table+check",
    ),
    ("POST", "/api/conversations/{id}/claim"): Route(
        # Held already: 409 from the atomic update, whoever holds it.
        conv((409, 409, 200, GONE), (409, 409, 200, 403), REFUSED_4, REFUSED_4),
        resource="conversation",
    ),
    ("POST", "/api/conversations/{id}/release"): Route(
        conv((200, 403, 409, GONE), (200, 200, 409, 409), REFUSED_4, REFUSED_4),
        resource="conversation",
    ),
    ("POST", "/api/conversations/{id}/reply"): Route(
        conv((200, 403, 409, GONE), (200, 200, 409, 409), REFUSED_4, REFUSED_4),
        resource="conversation",
        body=lambda n: {"text": "Hei, autan mielelläni."},
    ),
    ("POST", "/api/conversations/{id}/note"): Route(
        conv((200, 403, 200, GONE), (200, 200, 200, 403), REFUSED_4, REFUSED_4),
        resource="conversation",
        body=lambda n: {"text": "check housing benefit"},
    ),
    ("POST", "/api/conversations/{id}/transfer"): Route(
        conv((200, 403, 409, GONE), (200, 200, 409, 409), REFUSED_4, REFUSED_4),
        resource="conversation",
        body=lambda n: {"queue": "general"},
    ),
    ("POST", "/api/conversations/{id}/close"): Route(
        conv((200, 403, 200, GONE), (200, 200, 200, 403), REFUSED_4, REFUSED_4),
        resource="conversation",
        body=lambda n: {"outcome": "advice_given"},
    ),
    ("POST", "/api/conversations/{id}/reveal"): Route(
        # A refused reveal answers like a missing item: it does not confirm the item exists.
        conv((200, 404, 200, GONE), (200, 200, 200, 404), (200, 200, 200), REFUSED_4),
        resource="conversation",
        body=lambda n: {"reason": "needed the number to call back"},
    ),
    ("POST", "/api/conversations/{id}/block"): Route(
        conv((200, 403, 200, GONE), (200, 200, 200, 403), REFUSED_4, REFUSED_4),
        resource="conversation",
        body=lambda n: {"days": 7, "reason": "repeated abusive messages"},
    ),
    # ---- consultants: the probe names no consultant account or consultation ---------------
    ("GET", "/api/consultants"): Route(QUEUE_WORK),
    ("GET", "/api/conversations/{id}/consultants"): Route(
        conv((200, 403, 200, GONE), (200, 200, 200, 403), REFUSED_4, REFUSED_4),
        resource="conversation",
    ),
    ("POST", "/api/conversations/{id}/consultants"): Route(
        # Only a held conversation takes a consultant (409 while it waits); the probe's
        # consultant does not exist (422) wherever inviting is allowed.
        conv((422, 403, 409, GONE), (422, 422, 409, 403), REFUSED_4, REFUSED_4),
        resource="conversation",
        body=lambda n: {"consultant": "no-such-consultant", "purpose": "debt"},
    ),
    ("DELETE", "/api/conversations/{id}/consultants/{consultation}"): Route(
        conv((404, 403, 404, GONE), (404, 404, 404, 403), REFUSED_4, REFUSED_4),
        resource="conversation",
    ),
    ("POST", "/api/conversations/{id}/consultants/{consultation}/share"): Route(
        conv((404, 403, 404, GONE), (404, 404, 404, 403), REFUSED_4, REFUSED_4),
        resource="conversation",
        body=lambda n: {"messages": ["no-such-message"]},
    ),
    # A consultant's own view: no role of the table is a consultant (tests/bot/console/
    # test_consultations.py signs one in).
    ("GET", "/api/consultations"): Route(
        NOT_CONSULTANT := each(
            anonymous=401, counsellor=403, supervisor=403, privacy_officer=403, admin=403
        )
    ),
    ("GET", "/api/consultations/{consultation}"): Route(NOT_CONSULTANT),
    ("POST", "/api/consultations/{consultation}/reply"): Route(
        NOT_CONSULTANT, body=lambda n: {"text": "Hei"}
    ),
    ("PUT", "/api/admin/users/{id}/consultant"): Route(
        # The probe's account is a counsellor's: not a consultant account (404).
        each(anonymous=401, counsellor=403, supervisor=403, privacy_officer=403, admin=404),
        resource="user",
        body=lambda n: {
            "organisation": "Velkaneuvonta ry",
            "valid_until": "2099-01-01T00:00:00+00:00",
        },
    ),
    # ---- blocks: a block belongs to the queue it was made in ------------------------------
    ("GET", "/api/blocks"): Route(
        blocks(
            anonymous=(401, 401),
            counsellor=(LISTED, HIDDEN),
            supervisor=(LISTED, HIDDEN),
            privacy_officer=(LISTED, LISTED),
            admin=(403, 403),
        ),
        resource="block",
    ),
    ("POST", "/api/blocks/{id}/lift"): Route(
        blocks(
            anonymous=(401, 401),
            counsellor=(200, GONE),
            supervisor=(200, GONE),
            privacy_officer=(403, 403),
            admin=(403, 403),
        ),
        resource="block",
    ),
    # ---- close tags: each queue's own; admins manage them --------------------------------
    ("GET", "/api/queues/{queue}/close-tags"): Route(
        blocks(
            anonymous=(401, 401),
            counsellor=(200, 403),
            supervisor=(200, 403),
            privacy_officer=(200, 200),
            admin=(200, 200),
        ),
        resource="queue",
    ),
    ("POST", "/api/queues/{queue}/close-tags"): Route(
        blocks(
            anonymous=(401, 401),
            counsellor=(403, 403),
            supervisor=(403, 403),
            privacy_officer=(403, 403),
            admin=(200, 200),
        ),
        resource="queue",
        body=lambda n: {"id": f"tag{n}", "label": f"Tagi {n}"},
    ),
    ("POST", "/api/queues/{queue}/close-tags/{tag}/retire"): Route(ADMIN_ONLY, resource="tag"),
    ("POST", "/api/queues/{queue}/close-tags/{tag}/reinstate"): Route(ADMIN_ONLY, resource="tag"),
    # ---- locked sign-ins: supervisors for their queues' counsellors, admins for all ------
    ("GET", "/api/users/locked"): Route(
        each(anonymous=401, counsellor=403, supervisor=200, privacy_officer=403, admin=200)
    ),
    ("POST", "/api/users/{id}/unlock"): Route(
        each(anonymous=401, counsellor=403, supervisor=200, privacy_officer=403, admin=200),
        resource="user",
    ),
    # ---- supervision and audit --------------------------------------------------------
    ("GET", "/api/dashboard"): Route(
        each(anonymous=401, counsellor=403, supervisor=200, privacy_officer=403, admin=200)
    ),
    ("GET", "/api/reports/summary"): Route(
        each(anonymous=401, counsellor=403, supervisor=200, privacy_officer=403, admin=200)
    ),
    ("GET", "/api/reports/counts"): Route(
        each(anonymous=401, counsellor=403, supervisor=200, privacy_officer=403, admin=200)
    ),
    ("GET", "/api/reports/counts.csv"): Route(
        each(anonymous=401, counsellor=403, supervisor=200, privacy_officer=403, admin=200)
    ),
    ("GET", "/api/audit"): Route(AUDITOR_ONLY),
    ("GET", "/api/audit/verify"): Route(AUDITOR_ONLY),
    ("GET", "/api/audit/verify/progress"): Route(AUDITOR_ONLY),
    # ---- administration ---------------------------------------------------------------
    ("GET", "/api/admin/users"): Route(ADMIN_ONLY),
    ("POST", "/api/admin/users"): Route(
        ADMIN_ONLY,
        body=lambda n: {"username": f"made{n}", "role": "counsellor", "queues": ["general"]},
    ),
    ("PUT", "/api/admin/users/{id}"): Route(
        ADMIN_ONLY, resource="user", body=lambda n: {"display_name": f"Renamed {n}"}
    ),
    ("POST", "/api/admin/users/{id}/reset-password"): Route(ADMIN_ONLY, resource="user"),
    ("GET", "/api/admin/queues"): Route(ADMIN_ONLY),
    ("PUT", "/api/admin/queues/{id}"): Route(
        ADMIN_ONLY,
        resource="new_id",
        body=lambda n: {"name": f"Jono {n}", "languages": ["fi"], "opening_hours": {}},
    ),
    ("PUT", "/api/admin/topics/{id}"): Route(
        ADMIN_ONLY,
        resource="new_id",
        body=lambda n: {"queue": "general", "labels": {"fi": f"Aihe {n}"}},
    ),
    ("GET", "/api/admin/canned-replies"): Route(ADMIN_ONLY),
    ("POST", "/api/admin/canned-replies"): Route(
        ADMIN_ONLY,
        body=lambda n: {"language": "fi", "title": f"Vastaus {n}", "body": "Hei!"},
    ),
    ("PUT", "/api/admin/canned-replies/{id}"): Route(
        ADMIN_ONLY,
        resource="canned",
        body=lambda n: {"language": "fi", "title": f"Vastaus {n}", "body": "Moi!"},
    ),
    ("DELETE", "/api/admin/canned-replies/{id}"): Route(ADMIN_ONLY, resource="canned"),
    # ---- the document library -----------------------------------------------------------
    ("GET", "/api/library"): Route(OPEN_TO_STAFF),
    ("POST", "/api/admin/library"): Route(
        # The probe sends JSON where the file itself belongs: refused as invalid input once
        # the role passes (publishing a real file: tests/bot/console/test_library.py).
        each(anonymous=401, counsellor=403, supervisor=403, privacy_officer=403, admin=422),
        query="?language=fi&title=Lomake",
        body=lambda n: {"file": "not a file"},
    ),
    ("DELETE", "/api/admin/library/{id}"): Route(ADMIN_ONLY, resource="document"),
    ("POST", "/api/conversations/{id}/documents"): Route(
        # The probe names no published document: 404 wherever sending is allowed.
        conv((404, 403, 409, GONE), (404, 404, 409, 409), REFUSED_4, REFUSED_4),
        resource="conversation",
        body=lambda n: {"document": "no-such-document"},
    ),
    # ---- group sessions and announcements ---------------------------------------------
    ("GET", "/api/groups"): Route(QUEUE_WORK),
    ("POST", "/api/groups"): Route(
        each(anonymous=401, counsellor=201, supervisor=201, privacy_officer=403, admin=403),
        body=_group_body,
    ),
    ("GET", "/api/groups/{session_id}"): Route(MODERATOR, resource="group"),
    ("GET", "/api/groups/{session_id}/live"): Route(
        # A websocket: once allowed, a plain GET is refused for lack of the upgrade.
        each(anonymous=401, counsellor=403, supervisor=400, privacy_officer=403, admin=403),
        resource="group",
    ),
    ("POST", "/api/groups/{session_id}/messages"): Route(
        each(anonymous=401, counsellor=403, supervisor=201, privacy_officer=403, admin=403),
        resource="group",
        body=lambda n: {"text": "Tervetuloa!"},
    ),
    ("DELETE", "/api/groups/{session_id}/messages/{message_id}"): Route(
        MODERATOR_UNKNOWN_ITEM, resource="group"
    ),
    ("POST", "/api/groups/{session_id}/participants/{participant_id}/{restriction}"): Route(
        MODERATOR_UNKNOWN_ITEM, resource="group"
    ),
    ("POST", "/api/groups/{session_id}/agenda"): Route(
        MODERATOR, resource="group", body=lambda n: {"agenda": "1. Tervetuloa"}
    ),
    ("POST", "/api/groups/{session_id}/end"): Route(MODERATOR, resource="group"),
    ("GET", "/api/announcements"): Route(QUEUE_WORK),
    ("POST", "/api/announcements"): Route(
        each(anonymous=401, counsellor=201, supervisor=201, privacy_officer=403, admin=403),
        body=lambda n: {"topic": "housing", "language": "fi", "text": "Tiedote"},
    ),
    ("GET", "/api/announcements/{announcement_id}"): Route(
        # Announcements are service-wide: any queue worker may read the counts (none here).
        each(anonymous=401, counsellor=404, supervisor=404, privacy_officer=403, admin=403),
        resource="announcement",
    ),
}


# ---- the service, its users and fresh resources ------------------------------------------


@dataclass
class World:
    service: Service
    server: TestServer
    staff: dict[str, Staff]
    clients: dict[str, tuple[Client, str]] = field(default_factory=dict)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    block_ids: dict[str, str] = field(default_factory=dict)

    @property
    def core(self) -> Any:
        return self.service.core

    async def user(self, username: str, role: str, queues: tuple[str, ...]) -> Staff:
        user = await create_user(
            self.core,
            SYSTEM,
            username=username,
            role=Role(role),
            password=PASSWORD,
            queues=queues,
            display_name=username.title(),
        )
        return Staff.of(user, queues)

    async def signed_in(self, username: str) -> tuple[Client, str]:
        client: Client = TestClient(self.server)
        await client.start_server()
        answer = await client.post("/api/login", json={"username": username, "password": PASSWORD})
        assert answer.status == 200, await answer.text()
        return client, str((await answer.json())["csrf_token"])

    async def close_open_conversations(self) -> None:
        async with self.core.database.session() as session:
            await session.execute(
                update(Conversation)
                .where(col(Conversation.state) != "closed")
                .values(state="closed", closed_at=self.core.now())
            )

    async def conversation(self, queue: str, holder: Staff | None) -> tuple[str, str]:
        """A conversation with one resident message holding a phone number: (id, item id)."""
        core = self.core
        conversation_id = new_id()
        now = core.now()
        async with unit_of_work(core) as work:
            key = core.keys.create(work.session, conversation_id, KeyPurpose.CONVERSATION)
            core.keys.create(work.session, conversation_id, KeyPurpose.PII_VAULT)
            conversation = Conversation(
                id=conversation_id,
                pseudonym=new_id(),
                channel="test",
                state="active" if holder else "queued",
                language="fi",
                topic_id="housing",
                queue_id=queue,
                assigned_to=holder.user_id if holder else None,
                sealed_reply_address=seal(
                    key, f"chat-{conversation_id}", aad=REPLY_ADDRESS.context(conversation_id)
                ),
                queued_at=now,
                claimed_at=now if holder else None,
                created_at=now,
                updated_at=now,
                last_activity_at=now,
            )
            work.session.add(conversation)
            await work.session.flush()
            await store_message(work, conversation, Author.RESIDENT, "soita 040 123 4567")
        async with core.database.session() as session:
            item = (
                await session.execute(
                    select(PiiItem.id).where(PiiItem.conversation_id == conversation_id)
                )
            ).scalar_one()
        return conversation_id, item

    async def for_relation(self, role: str, relation: str) -> tuple[str, str]:
        holder = {
            "own": self.staff.get(role),
            "colleague": self.staff["ben"],
            "waiting": None,
            "other_queue": None,
        }[relation]
        return await self.conversation("nuoret" if relation == "other_queue" else "general", holder)

    async def block(self, relation: str) -> str:
        queue = "general" if relation == "own_queue" else "nuoret"
        conversation, _ = await self.conversation(queue, None)
        blocker = self.staff["sari" if relation == "own_queue" else "otto"]
        created = await actions.block(
            self.core, blocker, conversation, days=7, reason="table check block"
        )
        return created.id

    async def group(self) -> str:
        draft = _group_body(next(self.counter))
        created = await create_session(
            self.core,
            self.staff["ben"],
            SessionDraft(
                title=draft["title"],
                description="",
                language="fi",
                topic_id="other",
                starts_at=datetime.fromisoformat(draft["starts_at"]),
                ends_at=datetime.fromisoformat(draft["ends_at"]),
                capacity=5,
                channels=("test",),
            ),
        )
        async with unit_of_work(self.core) as work:
            group = await work.session.get(GroupSession, created.id)
            assert group is not None
            await open_session(work, group)
        return created.id

    async def close_tag(self) -> str:
        tag = f"probe{next(self.counter)}"
        await close_tags.save_tag(
            self.core, self.staff["admin"].actor(), "general", tag, label="Koe"
        )
        return tag

    async def document(self) -> str:
        return await library.publish(
            self.core, self.staff["admin"].actor(), language="fi", title="Lomake", data=FORM
        )

    async def canned(self) -> str:
        async with self.core.database.session() as session:
            reply = CannedReply(language="fi", title="Pohja", body="Hei!", position=0)
            session.add(reply)
        return reply.id


ROLE_USERS = {
    "counsellor": ("anna", ("general",)),
    "supervisor": ("sari", ("general",)),
    "privacy_officer": ("olli", ()),
    "admin": ("ada", ()),
}


@pytest.fixture(scope="module")
def database_overrides(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """On PostgreSQL, this module's own database (made outside the event loop)."""
    if not POSTGRES_URL:
        yield {}
        return
    template = request.getfixturevalue("postgres_template")
    name = f"t_{uuid.uuid4().hex[:16]}"
    asyncio.run(postgres_admin(f"CREATE DATABASE {name} TEMPLATE {template}"))
    yield {"database_url": database_url(name)}
    asyncio.run(postgres_admin(f"DROP DATABASE {name} WITH (FORCE)"))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(
    tmp_path_factory: pytest.TempPathFactory, database_overrides: dict[str, str]
) -> AsyncIterator[World]:
    from argon2 import PasswordHasher

    from bot import passwords

    patch = pytest.MonkeyPatch()
    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    patch.setattr(passwords, "_hasher", fast)
    patch.setattr(passwords, "_DUMMY_HASH", fast.hash("dummy password for timing"))
    for name in list(os.environ):
        if name.startswith("SOMESOSSU_"):
            patch.delenv(name)
    data_dir: Path = tmp_path_factory.mktemp("routes") / "data"
    settings = load_settings(data_dir=data_dir, log_format="text", **database_overrides)
    service = build_service(settings)
    await prepare_database(service)
    adapter = InProcessAdapter()
    service.add_adapter(adapter)
    await adapter.start(service.dispatcher.receive)
    await admin_actions.save_queue(
        service.core,
        Actor("table-admin", "admin"),
        "nuoret",
        name="Nuoret",
        languages=["fi"],
        opening_hours={"always_open": True},
        transcript_days=30,
        pii_vault_hours=24,
    )
    app = build_web_app(service)
    setup_console(app)
    server = TestServer(app)
    await server.start_server()
    world = World(service, server, {})
    try:
        for role, (username, queues) in ROLE_USERS.items():
            world.staff[role] = await world.user(username, role, queues)
            world.clients[role] = await world.signed_in(username)
        world.staff["sari"] = world.staff["supervisor"]
        world.staff["ben"] = await world.user("ben", "counsellor", ("general",))
        world.staff["otto"] = await world.user("otto", "counsellor", ("nuoret",))
        anonymous: Client = TestClient(server)
        await anonymous.start_server()
        world.clients["anonymous"] = (anonymous, "")
        yield world
    finally:
        for client, _ in world.clients.values():
            await client.session.close()
        await server.close()
        await service.core.database.dispose()
        patch.undo()


# ---- the tests -----------------------------------------------------------------------------


def api_routes(world: World) -> set[tuple[str, str]]:
    found = set()
    for route in world.server.app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = str(info.get("path") or info.get("formatter") or "")
        if path.startswith("/api/") and route.method not in ("HEAD", "OPTIONS"):
            found.add((route.method, path))
    return found


async def test_every_api_route_has_an_entry(world: World) -> None:
    present = api_routes(world)
    missing = sorted(present - TABLE.keys())
    assert not missing, f"routes without an authorisation entry in TABLE: {missing}"
    stale = sorted(TABLE.keys() - present)
    assert not stale, f"TABLE entries for routes that no longer exist: {stale}"


async def test_every_entry_names_every_role_and_relation() -> None:
    for key, route in TABLE.items():
        assert set(route.expect) == set(ROLES), key
        for role, cells in route.expect.items():
            wanted = {
                "conversation": CONVERSATION
                if role in ("counsellor", "supervisor")
                else NOT_CLAIMING,
                "block": BLOCK,
                "queue": BLOCK,
            }.get(route.resource, NONE)
            assert tuple(cells) == wanted, (key, role)


@pytest.mark.parametrize(("method", "path"), list(TABLE), ids=[f"{m} {p}" for m, p in TABLE])
async def test_route_answers_each_role_and_relation_as_the_table_says(
    world: World, method: str, path: str
) -> None:
    route = TABLE[(method, path)]
    wrong = []
    for role, cells in route.expect.items():
        for relation, expected in cells.items():
            got = await _probe(world, method, path, route, role, relation, expected)
            if got is not None:
                wrong.append(f"{role}/{relation}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


async def _probe(
    world: World, method: str, path: str, route: Route, role: str, relation: str, want: Expect
) -> str | None:
    """Run one cell; None when it answered as expected, else what it answered."""
    await world.close_open_conversations()
    n = next(world.counter)
    client, csrf = world.clients[role]
    fresh: Client | None = None
    subject = ""
    params: dict[str, str] = {}
    body = route.body(n) if route.body else None
    params["consultation"] = "no-such-consultation"
    if route.resource == "conversation":
        subject, item = await world.for_relation(role, relation)
        params.update(id=subject, earlier="no-such-conversation", attachment="no-such-file")
        if path.endswith("/reveal"):
            body = {**(body or {}), "item": item}
    elif route.resource == "block":
        subject = await world.block(relation)
        params["id"] = subject
    elif route.resource == "queue":
        params["queue"] = "general" if relation == "own_queue" else "nuoret"
    elif route.resource == "tag":
        params.update(queue="general", tag=await world.close_tag())
    elif route.resource == "group":
        params.update(
            session_id=await world.group(),
            message_id="no-such-message",
            participant_id="no-such-participant",
            restriction="mute",
        )
    elif route.resource == "announcement":
        params["announcement_id"] = "no-such-announcement"
    elif route.resource == "user":
        params["id"] = (await world.user(f"spare{n}", "counsellor", ("general",))).user_id
    elif route.resource == "canned":
        params["id"] = await world.canned()
    elif route.resource == "document":
        params["id"] = await world.document()
    elif route.resource == "new_id":
        params["id"] = f"probe{n}"
    elif route.resource in ("self", "login") and role != "anonymous":
        # Sign-outs and password changes end sessions: a fresh user of the role takes them.
        username = f"{role}{n}"
        queues = ROLE_USERS[role][1]
        await world.user(username, role, queues)
        if route.resource == "login":
            body = {"username": username, "password": PASSWORD}
        else:
            fresh, csrf = await world.signed_in(username)
            client = fresh
    elif route.resource == "login":
        username = f"anonymous{n}"
        await world.user(username, "counsellor", ("general",))
        body = {"username": username, "password": PASSWORD}
        fresh = TestClient(world.server)
        await fresh.start_server()
        client = fresh
    if route.resource == "login" and role != "anonymous":
        fresh = TestClient(world.server)
        await fresh.start_server()
        client = fresh
    url = path.format(**params) + route.query
    try:
        headers = {"X-CSRF-Token": csrf} if csrf else {}
        async with client.request(method, url, json=body, headers=headers) as answer:
            status = answer.status
            payload = await answer.json() if answer.content_type == "application/json" else None
    finally:
        if fresh is not None:
            await fresh.session.close()
    expected_status = want[0] if isinstance(want, tuple) else want
    if status != expected_status:
        return f"{status} {payload if isinstance(payload, dict) else ''}"
    if status in (401, 403) and route.resource != "login":
        code = payload.get("code") if isinstance(payload, dict) else None
        if code != {401: "unauthenticated", 403: "forbidden"}[status]:
            return f"{status} with code {code!r}"
    if isinstance(want, tuple):
        listed = isinstance(payload, list) and any(row.get("id") == subject for row in payload)
        if listed != want[1]:
            return f"listed={listed}"
    return None
