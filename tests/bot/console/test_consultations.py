"""Consultants through the console's JSON API: an admin sets the account's organisation and
end date, the counsellor invites, the consultant reads and writes only after the resident's
yes and only until the counsellor ends it or the account's end date passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.bot.console.helpers import headers, login, shift_clock, waiting_conversation
from tests.support.chat import Harness

Client = TestClient[Any, Any]

ORGANISATION = "Maahanmuuttoneuvonta ry"


async def test_an_invited_consultant_reads_and_writes_only_while_let_in(
    harness: Harness, client: Client
) -> None:
    await harness.staff("ada", role="admin", queues=())
    consultant = await harness.staff("mira", role="consultant", queues=(), display_name="Mira")
    await harness.staff("anna", display_name="Anna")
    conversation = await waiting_conversation(harness, text="Oleskelulupa-asia")
    resident = harness.resident("resident")

    admin_csrf = await login(client, "ada")
    until = (datetime.now(UTC) + timedelta(days=14)).isoformat()
    saved = await client.put(
        f"/api/admin/users/{consultant.user_id}/consultant",
        json={"organisation": ORGANISATION, "valid_until": until},
        headers=headers(admin_csrf),
    )
    assert saved.status == 200, await saved.text()
    bad = await client.put(
        f"/api/admin/users/{consultant.user_id}/consultant",
        json={"organisation": ORGANISATION, "valid_until": "next week"},
        headers=headers(admin_csrf),
    )
    assert (bad.status, (await bad.json())["code"]) == (422, "invalid_input")

    csrf = await login(client, "anna")
    assert (
        await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    ).status == 200
    listed = await (await client.get("/api/consultants")).json()
    assert [(c["id"], c["organisation"]) for c in listed] == [(consultant.user_id, ORGANISATION)]
    invited = await client.post(
        f"/api/conversations/{conversation}/consultants",
        json={"consultant": consultant.user_id, "purpose": "immigration"},
        headers=headers(csrf),
    )
    assert invited.status == 201, await invited.text()
    consultation = (await invited.json())["id"]
    await harness.deliver()

    async with TestClient(client.server) as other:
        other_csrf = await login(other, "mira")
        mine = await (await other.get("/api/consultations")).json()
        assert [(c["id"], c["state"]) for c in mine] == [(consultation, "asked")]
        early = await other.get(f"/api/consultations/{consultation}")
        assert (early.status, (await early.json())["code"]) == (403, "forbidden")
        assert (await other.get(f"/api/conversations/{conversation}")).status == 403

        await resident.press("consult:yes")
        await resident.write("Lupa päättyy kuukauden päästä")
        seen = await (await other.get(f"/api/consultations/{consultation}")).json()
        assert seen["consultation"]["state"] == "joined"
        texts = [m["text"] for m in seen["messages"]]
        assert "Lupa päättyy kuukauden päästä" in texts
        assert "Oleskelulupa-asia" not in texts
        wrote = await other.post(
            f"/api/consultations/{consultation}/reply",
            json={"text": "Hei, katsotaan yhdessä."},
            headers=headers(other_csrf),
        )
        assert wrote.status == 200
        await harness.deliver()
        assert resident.last().display_name == f"Mira ({ORGANISATION})"

        earlier = await (await client.get(f"/api/conversations/{conversation}")).json()
        [first] = [m["id"] for m in earlier["messages"] if m["text"] == "Oleskelulupa-asia"]
        shown = await client.post(
            f"/api/conversations/{conversation}/consultants/{consultation}/share",
            json={"messages": [first]},
            headers=headers(csrf),
        )
        assert (await shown.json()) == {"ok": True, "shared": 1}
        seen = await (await other.get(f"/api/consultations/{consultation}")).json()
        assert [m["shared"] for m in seen["messages"] if m["id"] == first] == [True]
        bad = await client.post(
            f"/api/conversations/{conversation}/consultants/{consultation}/share",
            json={"messages": "all"},
            headers=headers(csrf),
        )
        assert bad.status == 422

        ended = await client.delete(
            f"/api/conversations/{conversation}/consultants/{consultation}",
            headers=headers(csrf),
        )
        assert ended.status == 200
        after = await other.get(f"/api/consultations/{consultation}")
        assert after.status == 403
        states = await (await client.get(f"/api/conversations/{conversation}/consultants")).json()
        assert [(c["state"], c["ended_by"]) for c in states] == [("ended", "counsellor")]

        shift_clock(harness, timedelta(days=15))
        assert (await other.get("/api/consultations")).status == 401


@pytest.mark.parametrize("body", [{"consultant": "x", "purpose": "Matti's debts"}, {}])
async def test_an_invitation_without_a_listed_purpose_is_refused(
    harness: Harness, client: Client, body: dict[str, str]
) -> None:
    await harness.staff("anna")
    conversation = await waiting_conversation(harness)
    csrf = await login(client, "anna")
    await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    refused = await client.post(
        f"/api/conversations/{conversation}/consultants", json=body, headers=headers(csrf)
    )
    assert (refused.status, (await refused.json())["code"]) == (422, "invalid_input")


async def test_an_admin_sets_a_consultants_organisation_and_last_day_on_the_users_page(
    harness: Harness, client: TestClient[Any, Any]
) -> None:
    from sqlmodel import select

    from bot.store.consultations import ConsultantAccount

    await harness.staff("ada", role="admin", queues=())
    expert = await harness.staff("ville", role="consultant", queues=())
    csrf = await login(client, "ada")
    page = await client.get("/console/admin/users")
    assert "Set the organisation and the last day" in await page.text()
    url = f"/console/admin/users/{expert.user_id}/consultant"
    last_day = (datetime.now(UTC) + timedelta(days=30)).date()
    form = {"csrf_token": csrf, "organisation": "Velkaneuvonta ry", "valid_until": str(last_day)}
    saved = await client.post(url, data=form, allow_redirects=False)
    assert saved.status == 303
    async with harness.core.database.session() as session:
        [account] = list((await session.execute(select(ConsultantAccount))).scalars())
    assert account.organisation == "Velkaneuvonta ry"
    zone = harness.core.settings.zone
    assert account.valid_until.astimezone(zone).date() == last_day
    assert account.valid_until.astimezone(zone).hour == 23
    shown = await (await client.get("/console/admin/users")).text()
    assert 'value="Velkaneuvonta ry"' in shown and f'value="{last_day}"' in shown

    for bad in (
        {"organisation": "Matti Virtanen 040 123 4567", "valid_until": str(last_day)},
        {"organisation": "Velkaneuvonta ry", "valid_until": "ensi kuussa"},
        {"organisation": "Velkaneuvonta ry", "valid_until": "2020-01-01"},
    ):
        refused = await client.post(url, data={"csrf_token": csrf, **bad}, allow_redirects=False)
        assert refused.status == 422
        assert 'role="alert"' in await refused.text()
    async with harness.core.database.session() as session:
        [kept] = list((await session.execute(select(ConsultantAccount))).scalars())
    assert kept.organisation == "Velkaneuvonta ry"
