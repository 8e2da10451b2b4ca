"""The document library: an administrator publishes a form (made safe), a counsellor sends it
to the resident they hold, and a withdrawn form is neither offered, sent nor served."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlmodel import select

from bot.store.library import LibraryDocument, LibrarySend
from tests.bot.console.helpers import audit_rows, headers, login, waiting_conversation
from tests.support.chat import Harness
from tests.support.files import SECRET_NAME, opus_voice, pdf_with_extras

Client = TestClient[Any, Any]
OCTETS = {"Content-Type": "application/octet-stream"}


async def publish(
    client: Client, csrf: str, data: bytes, *, title: str = "Asumistukihakemus", lang: str = "fi"
) -> Any:
    return await client.post(
        "/api/admin/library",
        params={"language": lang, "title": title},
        data=data,
        headers={**headers(csrf), **OCTETS},
    )


async def stored(harness: Harness) -> list[LibraryDocument]:
    async with harness.core.database.session() as session:
        return list((await session.execute(select(LibraryDocument))).scalars())


async def test_an_administrator_publishes_a_form_without_its_metadata(
    harness: Harness, client: Client
) -> None:
    await harness.staff("ada", role="admin", queues=())
    csrf = await login(client, "ada")
    answer = await publish(client, csrf, pdf_with_extras(pages=1))
    assert answer.status == 201, await answer.text()
    published = await answer.json()
    assert (published["language"], published["title"], published["kind"]) == (
        "fi",
        "Asumistukihakemus",
        "document",
    )
    [document] = await stored(harness)
    assert document.media_type == "application/pdf" and document.size == len(document.data)
    for secret in (SECRET_NAME.encode(), b"Secret Office", b"SECRET-FIELD", b"SECRET-EMBEDDED"):
        assert secret not in document.data
    [record] = [r for r in await audit_rows(harness) if r.object_type == "library_document"]
    assert (record.action, record.object_id) == ("create", document.id)


async def test_what_cannot_be_a_form_is_refused_and_only_administrators_publish(
    harness: Harness, client: Client
) -> None:
    await harness.staff("ada", role="admin", queues=())
    await harness.staff("anna")
    csrf = await login(client, "ada")
    for data in (b"not a file at all", opus_voice()):
        answer = await publish(client, csrf, data)
        assert answer.status == 422 and (await answer.json())["code"] == "invalid_input"
    assert (await publish(client, csrf, pdf_with_extras(), lang="xx")).status == 422
    wrong_type = await client.post(
        "/api/admin/library",
        params={"language": "fi", "title": "Lomake"},
        json={"file": "no"},
        headers=headers(csrf),
    )
    assert wrong_type.status == 422
    assert await stored(harness) == []
    await client.post("/api/logout", headers=headers(csrf))
    counsellor = await login(client, "anna")
    assert (await publish(client, counsellor, pdf_with_extras())).status == 403


async def test_a_counsellor_sends_a_form_to_the_resident_they_hold(
    harness: Harness, client: Client
) -> None:
    await harness.staff("ada", role="admin", queues=())
    await harness.staff("anna", display_name="Anna S")
    admin = await login(client, "ada")
    form = await (await publish(client, admin, pdf_with_extras())).json()
    swedish = await (await publish(client, admin, pdf_with_extras(), lang="sv")).json()
    await client.post("/api/logout", headers=headers(admin))

    conversation = await waiting_conversation(harness)
    csrf = await login(client, "anna")
    listed = await (await client.get("/api/library", params={"language": "fi"})).json()
    assert [d["id"] for d in listed] == [form["id"]]
    every = await (await client.get("/api/library")).json()
    assert {d["id"] for d in every} == {form["id"], swedish["id"]}

    body = {"document": form["id"]}
    url = f"/api/conversations/{conversation}/documents"
    waiting = await client.post(url, json=body, headers=headers(csrf))
    assert waiting.status == 409  # not claimed: nobody sends in a chat they do not hold
    await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    sent = await client.post(url, json=body, headers=headers(csrf))
    assert sent.status == 200, await sent.text()
    message = (await sent.json())["message"]
    await harness.deliver()

    resident = harness.resident("resident")
    outbound = resident.last()
    assert outbound.document is not None and outbound.text == "Asumistukihakemus"
    [document] = [d for d in await stored(harness) if d.id == form["id"]]
    assert outbound.document.data == document.data
    assert outbound.document.file_name == "asumistukihakemus.pdf"
    assert outbound.display_name == "Anna S"
    transcript = await (await client.get(f"/api/conversations/{conversation}")).json()
    [shown] = [m for m in transcript["messages"] if m["id"] == message]
    assert (shown["kind"], shown["text"], shown["author"]) == (
        "document",
        "Asumistukihakemus",
        "counsellor",
    )
    async with harness.core.database.session() as session:
        [send] = list((await session.execute(select(LibrarySend))).scalars())
    assert (send.conversation_id, send.message_id) == (conversation, message)
    [record] = [r for r in await audit_rows(harness) if r.object_id == message]
    assert record.action == "reply" and record.purpose == f"library document {form['id']}"


async def test_a_withdrawn_form_is_neither_offered_nor_sent(
    harness: Harness, client: Client
) -> None:
    await harness.staff("ada", role="admin", queues=())
    await harness.staff("anna")
    admin = await login(client, "ada")
    form = await (await publish(client, admin, pdf_with_extras())).json()
    gone = await client.delete(f"/api/admin/library/{form['id']}", headers=headers(admin))
    assert gone.status == 200
    again = await client.delete(f"/api/admin/library/{form['id']}", headers=headers(admin))
    assert again.status == 404
    await client.post("/api/logout", headers=headers(admin))

    conversation = await waiting_conversation(harness)
    csrf = await login(client, "anna")
    assert await (await client.get("/api/library")).json() == []
    await client.post(f"/api/conversations/{conversation}/claim", headers=headers(csrf))
    sent = await client.post(
        f"/api/conversations/{conversation}/documents",
        json={"document": form["id"]},
        headers=headers(csrf),
    )
    assert sent.status == 404
    assert (await client.get(f"/chat/library/{form['id']}")).status == 404
