"""Admin writes through the pages' forms and the JSON API: users, queues (opening hours,
retention), topics and canned replies; each audited, and refused for every other role."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import select

from bot.hours import OpeningHours
from bot.store import users as user_store
from bot.store.tables import AuditRow, CannedReply, Queue, StaffUser, Topic
from tests.support.chat import Harness

from .helpers import audit_rows, headers, login

Client = TestClient[Any, Any]

OFFICE_HOURS = {
    "always_open": False,
    "timezone": "Europe/Helsinki",
    "weekly": {"mon": [["09:00", "16:00"]], "tue": [["09:00", "16:00"]]},
}
BACKWARDS = {"weekly": {"mon": [["17:00", "09:00"]]}}


async def admin_form(harness: Harness, client: Client) -> str:
    await harness.staff("ada", role="admin", queues=())
    return await login(client, "ada")


async def queue(harness: Harness, queue_id: str = "general") -> Queue:
    async with harness.core.database.session() as session:
        found = await session.get(Queue, queue_id)
    assert found is not None
    return found


async def topic(harness: Harness, topic_id: str) -> Topic | None:
    async with harness.core.database.session() as session:
        return await session.get(Topic, topic_id)


async def canned(harness: Harness) -> list[CannedReply]:
    async with harness.core.database.session() as session:
        return list((await session.execute(select(CannedReply))).scalars())


def audited(rows: list[AuditRow], action: str, object_type: str) -> list[AuditRow]:
    return [r for r in rows if r.action == action and r.object_type == object_type]


def queue_form(csrf: str, **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": csrf,
        "id": "general",
        "name": "General",
        "languages": "fi,sv,en",
        "opening_hours": "{}",
        "transcript_days": "30",
        "pii_vault_hours": "24",
        "active": "on",
    }
    return {**form, **changes}


# ---- users ---------------------------------------------------------------------------------


async def test_an_admin_creates_a_user_with_queues_through_the_form(
    harness: Harness, client: Client
) -> None:
    csrf = await admin_form(harness, client)
    page = await client.post(
        "/console/admin/users",
        data={
            "csrf_token": csrf,
            "username": "new.counsellor",
            "display_name": "Noora",
            "role": "counsellor",
            "queues": "general",
        },
    )
    assert page.status == 200
    shown = re.search(r"shown once\): (\S+)</p>", await page.text())
    assert shown is not None
    async with harness.core.database.session() as session:
        user = await user_store.by_username(session, "new.counsellor")
        assert user is not None
        assert await user_store.queue_ids(session, user.id) == ["general"]
    assert user.must_change_password and user.display_name == "Noora"
    created = audited(await audit_rows(harness), "create", "staff_user")
    assert [r.object_id for r in created][-1] == user.id
    assert shown.group(1) not in repr([r.model_dump() for r in await audit_rows(harness)])

    # The one-time password works once, and only for changing it.
    other = TestClient(client.server)
    try:
        await login(other, "new.counsellor", shown.group(1).replace("&amp;", "&"))
        assert (await other.get("/api/queues")).status == 403
    finally:
        await other.session.close()


async def test_an_admin_creates_and_changes_a_user_through_the_json_api(
    harness: Harness, client: Client
) -> None:
    csrf = await admin_form(harness, client)
    created = await client.post(
        "/api/admin/users",
        json={"username": "sam", "role": "supervisor", "queues": ["general"]},
        headers=headers(csrf),
    )
    assert created.status == 200, await created.text()
    user = await created.json()
    assert user["queues"] == ["general"] and user["must_change_password"]
    assert len(user["one_time_password"]) >= 12
    changed = await client.put(
        f"/api/admin/users/{user['id']}",
        json={"role": "counsellor", "max_concurrent": 5, "totp_enforced": True},
        headers=headers(csrf),
    )
    assert changed.status == 200, await changed.text()
    after = await changed.json()
    assert (after["role"], after["max_concurrent"], after["totp_enforced"]) == (
        "counsellor",
        5,
        True,
    )
    assert after["queues"] == ["general"]  # left out: kept
    assert "one_time_password" not in after
    listed = await (await client.get("/api/admin/users")).json()
    assert {u["username"] for u in listed} == {"ada", "sam"}
    assert "password_hash" not in str(listed) and "totp_secret" not in str(listed)
    rows = await audit_rows(harness)
    assert audited(rows, "create", "staff_user")[-1].object_id == user["id"]
    assert audited(rows, "update", "staff_user")[-1].purpose == "role supervisor->counsellor"

    unknown_queue = await client.post(
        "/api/admin/users",
        json={"username": "x", "role": "counsellor", "queues": ["nope"]},
        headers=headers(csrf),
    )
    assert unknown_queue.status == 422
    assert (await unknown_queue.json())["message"] == "no queue 'nope'"


# ---- queues: opening hours and retention ----------------------------------------------------


async def test_opening_hours_and_retention_change_through_the_form(
    harness: Harness, client: Client
) -> None:
    import json

    csrf = await admin_form(harness, client)
    saved = await client.post(
        "/console/admin/queues",
        data=queue_form(
            csrf,
            opening_hours=json.dumps(OFFICE_HOURS),
            transcript_days="90",
            pii_vault_hours="48",
        ),
        allow_redirects=False,
    )
    assert saved.status == 303
    stored = await queue(harness)
    assert OpeningHours.from_json(stored.opening_hours) == OpeningHours.from_json(OFFICE_HOURS)
    assert (stored.transcript_days, stored.pii_vault_hours) == (90, 48)
    row = audited(await audit_rows(harness), "update", "queue")[-1]
    assert row.object_id == "general" and row.purpose == "retention 90d/48h"


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ('{"weekly": {"mon": [["17:00", "09:00"]]}}', "start must be before end"),
        ('{"weekly": {"someday": []}}', "weekly.someday: unknown weekday"),
        ('{"timezone": "Mars/Olympus"}', "timezone: unknown zone"),
        ("[1, 2", "opening hours must be a JSON object"),
    ],
)
async def test_a_bad_schedule_is_refused_with_a_clear_message_and_nothing_changes(
    harness: Harness, client: Client, hours: str, message: str
) -> None:
    csrf = await admin_form(harness, client)
    before = await queue(harness)
    refused = await client.post(
        "/console/admin/queues",
        data=queue_form(csrf, opening_hours=hours, transcript_days="7"),
        allow_redirects=False,
    )
    assert refused.status == 422
    assert message in await refused.text()
    after = await queue(harness)
    assert (after.opening_hours, after.transcript_days) == (
        before.opening_hours,
        before.transcript_days,
    )
    assert not audited(await audit_rows(harness), "update", "queue")


async def test_queues_change_through_the_json_api_and_bad_hours_are_refused(
    harness: Harness, client: Client
) -> None:
    csrf = await admin_form(harness, client)
    body = {
        "name": "Evening line",
        "languages": ["fi", "en"],
        "opening_hours": OFFICE_HOURS,
        "transcript_days": 14,
        "pii_vault_hours": 12,
    }
    created = await client.put("/api/admin/queues/evening", json=body, headers=headers(csrf))
    assert created.status == 200, await created.text()
    answer = await created.json()
    assert (answer["transcript_days"], answer["pii_vault_hours"]) == (14, 12)
    assert answer["opening_hours"]["weekly"]["mon"] == [["09:00", "16:00"]]
    refused = await client.put(
        "/api/admin/queues/evening",
        json={**body, "opening_hours": BACKWARDS, "transcript_days": 1},
        headers=headers(csrf),
    )
    assert refused.status == 422
    assert await refused.json() == {
        "code": "invalid_input",
        "message": "opening hours: weekly.mon[0]: start must be before end",
    }
    assert (await queue(harness, "evening")).transcript_days == 14
    days_out_of_range = await client.put(
        "/api/admin/queues/evening", json={**body, "transcript_days": 0}, headers=headers(csrf)
    )
    assert days_out_of_range.status == 422
    rows = await audit_rows(harness)
    assert [r.action for r in rows if r.object_type == "queue" and r.actor_role == "admin"] == [
        "create"
    ]
    listed = await (await client.get("/api/admin/queues")).json()
    assert {q["id"] for q in listed} == {"general", "evening"}


# ---- topics ------------------------------------------------------------------------------


async def test_topics_with_labels_per_language_are_added_and_edited(
    harness: Harness, client: Client
) -> None:
    csrf = await admin_form(harness, client)
    added = await client.post(
        "/console/admin/topics",
        data={
            "csrf_token": csrf,
            "id": "studies",
            "queue_id": "general",
            "label_fi": "Opiskelu",
            "label_en": "Studies",
            "active": "on",
        },
        allow_redirects=False,
    )
    assert added.status == 303
    stored = await topic(harness, "studies")
    assert stored is not None and stored.labels == {"fi": "Opiskelu", "en": "Studies"}
    edited = await client.put(
        "/api/admin/topics/studies",
        json={"queue": "general", "labels": {"fi": "Opinnot", "sv": "Studier"}},
        headers=headers(csrf),
    )
    assert edited.status == 200, await edited.text()
    assert (await edited.json())["labels"] == {"fi": "Opinnot", "sv": "Studier"}
    unlabelled = await client.put(
        "/api/admin/topics/studies",
        json={"queue": "general", "labels": {"fi": " "}},
        headers=headers(csrf),
    )
    assert unlabelled.status == 422
    unknown_language = await client.put(
        "/api/admin/topics/studies",
        json={"queue": "general", "labels": {"xx": "Xx"}},
        headers=headers(csrf),
    )
    assert unknown_language.status == 422
    stored = await topic(harness, "studies")
    assert stored is not None and stored.labels == {"fi": "Opinnot", "sv": "Studier"}
    rows = [r.action for r in await audit_rows(harness) if r.object_type == "topic"]
    assert rows == ["create", "update"]
    page = await (await client.get("/console/admin/queues")).text()
    assert 'value="Opinnot"' in page


# ---- canned replies --------------------------------------------------------------------------


async def test_canned_replies_are_added_edited_and_deleted_through_the_forms(
    harness: Harness, client: Client
) -> None:
    csrf = await admin_form(harness, client)
    before = {r.id for r in await canned(harness)}
    added = await client.post(
        "/console/admin/canned",
        data={"csrf_token": csrf, "language": "fi", "title": "Tervetuloa", "body": "Hei!"},
        allow_redirects=False,
    )
    assert added.status == 303
    (new,) = [r for r in await canned(harness) if r.id not in before]
    page = await (await client.get("/console/admin/canned")).text()
    assert f'name="id" value="{new.id}"' in page  # the edit form
    edited = await client.post(
        "/console/admin/canned",
        data={
            "csrf_token": csrf,
            "id": new.id,
            "language": "sv",
            "title": "Välkommen",
            "body": "Hej!",
            "queue_id": "general",
        },
        allow_redirects=False,
    )
    assert edited.status == 303
    (changed,) = [r for r in await canned(harness) if r.id == new.id]
    assert (changed.language, changed.title, changed.body, changed.queue_id) == (
        "sv",
        "Välkommen",
        "Hej!",
        "general",
    )
    empty = await client.post(
        "/console/admin/canned",
        data={"csrf_token": csrf, "id": new.id, "language": "sv", "title": "", "body": ""},
    )
    assert empty.status == 422
    deleted = await client.post(
        f"/console/admin/canned/{new.id}/delete",
        data={"csrf_token": csrf},
        allow_redirects=False,
    )
    assert deleted.status == 303
    assert new.id not in {r.id for r in await canned(harness)}
    rows = [r for r in await audit_rows(harness) if r.object_type == "canned_reply"]
    assert [(r.action, r.object_id) for r in rows] == [
        ("create", new.id),
        ("update", new.id),
        ("delete", new.id),
    ]


async def test_canned_replies_are_added_edited_and_deleted_through_the_json_api(
    harness: Harness, client: Client
) -> None:
    csrf = await admin_form(harness, client)
    added = await client.post(
        "/api/admin/canned-replies",
        json={"language": "en", "title": "Hello", "body": "Hello, how can I help?"},
        headers=headers(csrf),
    )
    assert added.status == 200, await added.text()
    reply = await added.json()
    edited = await client.put(
        f"/api/admin/canned-replies/{reply['id']}",
        json={"language": "en", "title": "Hi", "body": "Hi!", "queue": "general"},
        headers=headers(csrf),
    )
    assert (await edited.json())["queue"] == "general"
    missing = await client.put(
        "/api/admin/canned-replies/nope",
        json={"language": "en", "title": "Hi", "body": "Hi!"},
        headers=headers(csrf),
    )
    assert missing.status == 404
    listed = await (await client.get("/api/admin/canned-replies")).json()
    assert {
        "id": reply["id"],
        "title": "Hi",
        "body": "Hi!",
        "language": "en",
        "queue": "general",
    } in (listed)
    gone = await client.delete(f"/api/admin/canned-replies/{reply['id']}", headers=headers(csrf))
    assert gone.status == 200
    again = await client.delete(f"/api/admin/canned-replies/{reply['id']}", headers=headers(csrf))
    assert again.status == 404
    rows = [r.action for r in await audit_rows(harness) if r.object_type == "canned_reply"]
    assert rows == ["create", "update", "delete"]


# ---- refused for everyone else ---------------------------------------------------------------

WRITES = [
    ("POST", "/console/admin/users", {"username": "eve", "role": "admin"}),
    ("POST", "/console/admin/queues", {"id": "general", "name": "Hacked", "transcript_days": "1"}),
    ("POST", "/console/admin/topics", {"id": "x", "queue_id": "general", "label_fi": "X"}),
    ("POST", "/console/admin/canned", {"language": "fi", "title": "X", "body": "X"}),
    ("POST", "/console/admin/canned/{reply}/delete", {}),
    ("POST", "/api/admin/users", {"username": "eve", "role": "admin"}),
    ("PUT", "/api/admin/users/{me}", {"role": "admin"}),
    ("POST", "/api/admin/users/{me}/reset-password", {}),
    ("PUT", "/api/admin/queues/general", {"name": "Hacked", "transcript_days": 1}),
    ("PUT", "/api/admin/topics/x", {"queue": "general", "labels": {"fi": "X"}}),
    ("POST", "/api/admin/canned-replies", {"language": "fi", "title": "X", "body": "X"}),
    ("PUT", "/api/admin/canned-replies/{reply}", {"language": "fi", "title": "X", "body": "X"}),
    ("DELETE", "/api/admin/canned-replies/{reply}", {}),
]


@pytest.mark.parametrize("role", ["counsellor", "supervisor", "privacy_officer"])
async def test_admin_writes_are_refused_for_every_other_role_and_change_nothing(
    harness: Harness, client: Client, role: str
) -> None:
    staff = await harness.staff("user", role=role)
    csrf = await login(client, "user")
    replies = await canned(harness)
    for method, template, body in WRITES:
        path = template.format(me=staff.user_id, reply=replies[0].id)
        if path.startswith("/api/"):
            response = await client.request(method, path, json=body, headers=headers(csrf))
            assert (response.status, (await response.json())["code"]) == (403, "forbidden"), path
        else:
            response = await client.request(
                method, path, data={**body, "csrf_token": csrf}, allow_redirects=False
            )
            assert response.status == 403, path
    for path in ("/api/admin/users", "/api/admin/queues", "/api/admin/canned-replies"):
        assert (await client.get(path)).status == 403
    async with harness.core.database.session() as session:
        users = list((await session.execute(select(StaffUser))).scalars())
    assert [(u.username, u.role) for u in users] == [("user", role)]
    assert (await queue(harness)).name != "Hacked"
    assert await topic(harness, "x") is None
    assert {r.id for r in await canned(harness)} == {r.id for r in replies}
    rows = await audit_rows(harness)
    assert not [r for r in rows if r.actor_id == staff.user_id and r.action != "sign_in"]
