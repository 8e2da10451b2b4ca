"""Close tags over HTTP: the close API refuses typed tags; who may read and manage queue tags."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.actions import admin as admin_actions
from tests.support.chat import Harness
from tests.support.raw import raw_database

from .helpers import headers, login, waiting_conversation

Client = TestClient[Any, Any]
HETU = "131052-308T"
TAGS = "/api/queues/{queue}/close-tags"


async def test_closing_with_a_typed_tag_answers_a_json_error_and_stores_nothing(
    harness: Harness, client: Client
) -> None:
    await harness.staff("anna")
    conversation = await waiting_conversation(harness)
    csrf = await login(client, "anna")
    refused = await client.post(
        f"/api/conversations/{conversation}/close",
        json={"outcome": "other", "tags": [f"asiakas {HETU}", "Maija Virtanenzq"]},
        headers=headers(csrf),
    )
    assert refused.status == 422
    answer = await refused.json()
    assert answer["code"] == "unknown_close_tag"
    assert HETU not in await refused.text() and "Virtanenzq" not in await refused.text()
    listed = await (await client.get("/api/conversations")).json()
    assert [(c["id"], c["state"], c["tags"]) for c in listed] == [(conversation, "queued", [])]
    raw = await raw_database(harness.service)
    assert HETU.encode() not in raw and b"Virtanenzq" not in raw


async def test_counsellors_close_with_the_tags_an_admin_defined_and_retired_ones_drop_out(
    harness: Harness, client: Client
) -> None:
    await harness.staff("ada", role="admin", queues=())
    await harness.staff("anna")
    admin_csrf = await login(client, "ada")
    defined = await client.post(
        TAGS.format(queue="general"),
        json={"id": "debt", "label": "Velat / Debts"},
        headers=headers(admin_csrf),
    )
    assert defined.status == 200, await defined.text()
    assert (await defined.json())["retired"] is False

    conversation = await waiting_conversation(harness)
    csrf = await login(client, "anna")
    offered = await (await client.get(TAGS.format(queue="general"))).json()
    assert {"debt", "housing"} <= {tag["id"] for tag in offered}
    assert next(t["label"] for t in offered if t["id"] == "debt") == "Velat / Debts"
    closed = await client.post(
        f"/api/conversations/{conversation}/close",
        json={"outcome": "advice_given", "tags": ["debt"]},
        headers=headers(csrf),
    )
    assert closed.status == 200, await closed.text()
    listed = await (await client.get("/api/conversations?state=closed")).json()
    assert [c["tags"] for c in listed] == [["debt"]]

    admin_csrf = await login(client, "ada")
    retired = await client.post(
        TAGS.format(queue="general") + "/debt/retire", headers=headers(admin_csrf)
    )
    assert (await retired.json())["retired"] is True
    offered = await (await client.get(TAGS.format(queue="general"))).json()
    assert "debt" not in {tag["id"] for tag in offered}
    every = await (await client.get(TAGS.format(queue="general") + "?include_retired=true")).json()
    assert [t["id"] for t in every if t["retired"]] == ["debt"]


async def test_an_admin_manages_tags_on_the_queue_settings_page(
    harness: Harness, client: Client
) -> None:
    await harness.staff("ada", role="admin", queues=())
    csrf = await login(client, "ada")
    page = await client.get("/console/admin/queues")
    assert page.status == 200
    html = await page.text()
    assert 'id="close-tags-general"' in html and "Retire housing" in html

    made = await client.post(
        "/console/admin/queues/general/close-tags",
        data={"csrf_token": csrf, "id": "debt", "label": "Velat"},
        allow_redirects=False,
    )
    assert made.status == 303
    retired = await client.post(
        "/console/admin/queues/general/close-tags/debt/retire",
        data={"csrf_token": csrf},
        allow_redirects=False,
    )
    assert retired.status == 303
    html = await (await client.get("/console/admin/queues")).text()
    assert "Offer again debt" in html

    refused = await client.post(
        "/console/admin/queues/general/close-tags",
        data={"csrf_token": csrf, "id": "person", "label": "Maija Virtanenzq"},
    )
    assert refused.status == 422
    assert "must not contain personal data" in await refused.text()


async def test_the_close_form_offers_no_free_text_field(harness: Harness, client: Client) -> None:
    await harness.staff("anna")
    conversation = await waiting_conversation(harness)
    await login(client, "anna")
    html = await (await client.get(f"/console/conversations/{conversation}")).text()
    assert '<fieldset id="close-tags">' in html
    assert '<input id="close-tags"' not in html


# Who may do what with a queue's close tags; the lead's route x role table takes these rows.
# "colleague" is a counsellor of another queue; unknown queues answer 404 to everyone allowed.
EXPECTED: dict[str, dict[str, int]] = {
    "GET /api/queues/general/close-tags": {
        "counsellor": 200,
        "colleague": 403,
        "supervisor": 200,
        "privacy_officer": 200,
        "admin": 200,
    },
    "POST /api/queues/general/close-tags": {
        "counsellor": 403,
        "colleague": 403,
        "supervisor": 403,
        "privacy_officer": 403,
        "admin": 200,
    },
    "POST /api/queues/general/close-tags/housing/retire": {
        "counsellor": 403,
        "colleague": 403,
        "supervisor": 403,
        "privacy_officer": 403,
        "admin": 200,
    },
    "POST /api/queues/general/close-tags/housing/reinstate": {
        "counsellor": 403,
        "colleague": 403,
        "supervisor": 403,
        "privacy_officer": 403,
        "admin": 200,
    },
    "GET /api/queues/nowhere/close-tags": {"counsellor": 404, "admin": 404},
    "POST /console/admin/queues/general/close-tags": {"supervisor": 403, "admin": 303},
    "POST /console/admin/queues/general/close-tags/housing/retire": {
        "counsellor": 403,
        "admin": 303,
    },
}


@pytest.mark.parametrize(
    ("route", "who", "status"),
    [(route, who, status) for route, by in EXPECTED.items() for who, status in by.items()],
)
async def test_who_may_read_and_manage_close_tags(
    harness: Harness, client: Client, route: str, who: str, status: int
) -> None:
    await admin_actions.save_queue(
        harness.core,
        (await harness.staff("root", role="admin", queues=())).actor(),
        "legal",
        name="Legal advice",
        languages=["fi"],
        opening_hours={},
        transcript_days=30,
        pii_vault_hours=24,
    )
    queues = {"colleague": ("legal",), "admin": (), "privacy_officer": ()}.get(who, ("general",))
    role = "counsellor" if who == "colleague" else who
    await harness.staff("someone", role=role, queues=queues)
    csrf = await login(client, "someone")
    method, path = route.split(" ")
    if path.startswith("/console/"):
        answer = await client.post(
            path, data={"csrf_token": csrf, "id": "debt", "label": "Velat"}, allow_redirects=False
        )
    elif method == "POST":
        answer = await client.post(
            path, json={"id": "debt", "label": "Velat"}, headers=headers(csrf)
        )
    else:
        answer = await client.get(path)
    assert answer.status == status, await answer.text()
    if path.startswith("/api/") and status >= 400:
        assert set(await answer.json()) == {"code", "message"}
