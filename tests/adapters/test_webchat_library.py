"""A library document on the web chat: a message with a same-origin download link, kept in the
history the tab replays, and the file served as a download that no cache keeps."""

from __future__ import annotations

from bot.actions import conversations as actions
from bot.actions import library
from bot.actions.context import Actor
from tests.adapters.conftest import WebChat, conversation_of, counsellor
from tests.adapters.test_webchat import triaged
from tests.support.files import SECRET_NAME, pdf_with_extras


async def test_a_resident_gets_a_form_as_a_download_link_that_serves_the_clean_file(
    webchat: WebChat,
) -> None:
    core = webchat.service.core
    resident, token = await triaged(webchat, "fi")
    anna = await counsellor(webchat.service, "anna", "Anna S")
    conversation = await conversation_of(webchat.service, token)
    await actions.claim(core, anna, conversation.id)
    form = await library.publish(
        core,
        Actor("admin-1", "admin"),
        language="fi",
        title="Toimeentulotuki: ohje",
        data=pdf_with_extras(pages=1),
    )
    message = await library.send(core, anna, conversation.id, form)
    await webchat.service.outbox.deliver_due()

    frame = await resident.next(lambda f: f["type"] == "message" and f.get("id") == message)
    assert frame["kind"] == "document" and frame["text"] == "Toimeentulotuki: ohje"
    assert frame["document"] == {"url": f"/chat/library/{form}", "title": "Toimeentulotuki: ohje"}

    download = await webchat.client.get(frame["document"]["url"])
    assert download.status == 200
    data = await download.read()
    assert data.startswith(b"%PDF-") and SECRET_NAME.encode() not in data
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="toimeentulotuki-ohje.pdf"'
    )

    # A new tab of the same resident replays it with its link.
    again = await webchat.connect()
    _token, history = await again.hello(token=token, lang="fi")
    [replayed] = [m for m in history["messages"] if m["id"] == message]
    assert replayed["document"] == frame["document"]


async def test_an_unknown_or_withdrawn_document_is_not_served(webchat: WebChat) -> None:
    core = webchat.service.core
    admin = Actor("admin-1", "admin")
    form = await library.publish(
        core, admin, language="fi", title="Lomake", data=pdf_with_extras(pages=1)
    )
    assert (await webchat.client.get(f"/chat/library/{form}")).status == 200
    await library.withdraw(core, admin, form)
    for url in (f"/chat/library/{form}", "/chat/library/nope", "/chat/library/" + "x" * 80):
        answer = await webchat.client.get(url)
        assert answer.status == 404 and answer.headers["Cache-Control"] == "no-store"
