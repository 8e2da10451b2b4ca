"""The console's JSON API: a whole conversation, access rules, errors and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.console.openapi import document
from tests.support.chat import Harness

from .helpers import audit_rows, headers, login, waiting_conversation

Client = TestClient[Any, Any]


async def test_a_counsellor_claims_replies_notes_reveals_and_closes(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna", display_name="Anna S")
    conversation = await waiting_conversation(harness, text="soita minulle 040 1234567")
    csrf = await login(client, "anna")

    listed = await (await client.get("/api/conversations?state=waiting")).json()
    assert [c["id"] for c in listed] == [conversation]
    assert listed[0]["language"] == "fi" and listed[0]["topic"] == "housing"

    assert (
        await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    ).status == 200
    reply = await client.post(
        f"/api/conversations/{conversation}/reply",
        json={"text": "Hei, autan mielelläni."},
        headers=headers(csrf),
    )
    assert reply.status == 200
    resident = harness.resident("resident")
    # The app's own outbox worker runs too: wait for the reply instead of one sweep.
    await harness.settle(lambda: resident.last().text == "Hei, autan mielelläni.")
    assert resident.last().display_name == "Anna S"

    note = await client.post(
        f"/api/conversations/{conversation}/note",
        json={"text": "check housing benefit"},
        headers=headers(csrf),
    )
    assert note.status == 200
    transcript = await (await client.get(f"/api/conversations/{conversation}")).json()
    assert "040 1234567" not in str(transcript)
    chips = [p for m in transcript["messages"] for p in m["placeholders"] if p["item"]]
    assert chips and chips[0]["kind"] == "phone"
    assert [n["text"] for n in transcript["notes"]] == ["check housing benefit"]

    without_reason = await client.post(
        f"/api/conversations/{conversation}/reveal",
        json={"item": chips[0]["item"]},
        headers=headers(csrf),
    )
    assert without_reason.status == 422
    assert (await without_reason.json())["code"] == "reason_required"
    revealed = await client.post(
        f"/api/conversations/{conversation}/reveal",
        json={"item": chips[0]["item"], "reason": "resident asked for a call back"},
        headers=headers(csrf),
    )
    assert revealed.status == 200
    assert "1234567" in (await revealed.json())["value"].replace(" ", "")

    closed = await client.post(
        f"/api/conversations/{conversation}/close",
        json={"outcome": "referred_client_process", "tags": ["housing"]},
        headers=headers(csrf),
    )
    assert closed.status == 200
    rows = await audit_rows(harness)
    actions = [r.action for r in rows]
    assert {"sign_in", "claim", "reply", "note", "read", "reveal", "close"} <= set(actions)
    reveal = next(r for r in rows if r.action == "reveal" and r.outcome == "success")
    assert reveal.purpose == "resident asked for a call back"


async def test_every_read_of_content_is_covered_by_an_audit_record(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    conversation = await waiting_conversation(harness)
    await login(client, "anna")
    for _ in range(2):
        assert (await client.get(f"/api/conversations/{conversation}")).status == 200
    # The page refetches on every event: one record per window (tests/bot/test_read_audit.py).
    reads = [r for r in await audit_rows(harness) if r.action == "read"]
    assert [(r.subject_ref, r.outcome) for r in reads] == [(conversation, "success")]


async def test_another_counsellor_sees_a_claimed_conversation_exists_but_not_its_content(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    await harness.staff("ben")
    conversation = await waiting_conversation(harness)
    csrf = await login(client, "anna")
    await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    await client.post("/api/logout", headers=headers(csrf))
    await login(client, "ben")
    listed = await (await client.get("/api/conversations")).json()
    assert [(c["id"], c["readable"], c["mine"]) for c in listed] == [(conversation, False, False)]
    refused = await client.get(f"/api/conversations/{conversation}")
    assert refused.status == 403
    assert (await refused.json())["code"] == "forbidden"


async def test_a_second_claim_answers_409_already_claimed(harness: Harness, client: Client) -> None:
    await harness.staff("anna")
    await harness.staff("ben")
    conversation = await waiting_conversation(harness)
    csrf = await login(client, "anna")
    await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    csrf = await login(client, "ben")
    second = await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    assert second.status == 409
    assert await second.json() == {
        "code": "already_claimed",
        "message": "someone else claimed this conversation first",
    }


async def test_a_privacy_officer_reads_only_with_a_reason(harness: Harness, client: Client) -> None:
    await harness.staff("olli", role="privacy_officer", queues=())
    conversation = await waiting_conversation(harness)
    await login(client, "olli")
    refused = await client.get(f"/api/conversations/{conversation}")
    assert refused.status == 422
    assert (await refused.json())["code"] == "reason_required"
    allowed = await client.get(
        f"/api/conversations/{conversation}", params={"reason": "complaint case 12 review"}
    )
    assert allowed.status == 200
    read = [r for r in await audit_rows(harness) if r.action == "read"][-1]
    assert read.actor_role == "privacy_officer" and read.purpose == "complaint case 12 review"


async def test_transfer_to_another_queue_puts_the_conversation_back_in_line(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna", role="supervisor")
    conversation = await waiting_conversation(harness)
    csrf = await login(client, "anna")
    await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    queues = await (await client.get("/api/queues")).json()
    assert queues[0]["id"] == "general" and queues[0]["members"]
    moved = await client.post(
        f"/api/conversations/{conversation}/transfer",
        json={"queue": "general", "note": "needs a Swedish speaker"},
        headers=headers(csrf),
    )
    assert moved.status == 200
    summary = (await (await client.get("/api/conversations?state=queued")).json())[0]
    assert summary["id"] == conversation and summary["assigned_to"] is None


async def test_canned_replies_come_in_the_residents_language(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    await login(client, "anna")
    finnish = await (await client.get("/api/canned-replies?language=fi&queue=general")).json()
    assert finnish and {r["language"] for r in finnish} == {"fi"}


async def test_errors_are_json_with_a_stable_code(harness: Harness, client: Client) -> None:
    await harness.staff("anna")
    csrf = await login(client, "anna")
    missing = await client.get("/api/conversations/nope")
    assert missing.status == 404 and (await missing.json())["code"] == "not_found"
    bad = await client.post(
        "/api/conversations/nope/reply",
        data="{",
        headers={**headers(csrf), "Content-Type": "application/json"},
    )
    assert bad.status == 400 and (await bad.json())["code"] == "invalid_json"
    unknown = await client.get("/api/nothing-here")
    assert unknown.status == 404 and (await unknown.json())["code"] == "not_found"


async def test_blocking_a_resident_ends_the_chat_and_lists_the_block(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    conversation = await waiting_conversation(harness)
    csrf = await login(client, "anna")
    await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    blocked = await client.post(
        f"/api/conversations/{conversation}/block",
        json={"days": 7, "reason": "repeated abusive messages"},
        headers=headers(csrf),
    )
    assert blocked.status == 200
    blocks = await (await client.get("/api/blocks")).json()
    assert len(blocks) == 1 and blocks[0]["active"]
    lifted = await client.post(f"/api/blocks/{blocks[0]['id']}/lift", headers=headers(csrf))
    assert lifted.status == 200
    assert not (await (await client.get("/api/blocks")).json())[0]["active"]


async def test_dashboard_counts_waiting_conversations(harness: Harness, client: Client) -> None:
    await harness.staff("sari", role="supervisor")
    await waiting_conversation(harness)
    await login(client, "sari")
    numbers = await (await client.get("/api/dashboard")).json()
    assert numbers["waiting"] == 1
    assert numbers["conversations_today"] == 1
    assert numbers["counsellors_online"] >= 1


def test_the_openapi_document_covers_every_api_route(client: Client) -> None:
    documented = {
        (path, method.upper()) for path, item in document()["paths"].items() for method in item
    }
    served = {
        (route.resource.canonical, route.method)
        for route in client.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/")
        and route.method != "HEAD"
    }
    assert served == documented


async def test_openapi_json_is_served(client: Client) -> None:
    response = await client.get("/api/openapi.json")
    assert response.status == 200
    assert (await response.json())["openapi"].startswith("3.1")
