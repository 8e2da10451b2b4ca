"""A consultant in the web chat, over the real socket: the consent question arrives with its
Yes / No buttons, the yes pressed on the socket lets the consultant in, their reply arrives
under their name and organisation, and the End button sends them away."""

from __future__ import annotations

import pytest

from bot.actions import consultations as consult
from bot.actions import conversations as actions
from bot.errors import ActionError
from tests.adapters.conftest import WebChat, conversation_of, counsellor
from tests.adapters.test_webchat import triaged
from tests.support.consultants import ORGANISATION, consultant

pytestmark = pytest.mark.asyncio


async def test_yes_and_end_pressed_in_the_web_chat_let_the_consultant_in_and_out(
    webchat: WebChat,
) -> None:
    core = webchat.service.core
    texts = core.texts
    resident, token = await triaged(webchat, "sv")
    tiina = await counsellor(webchat.service, "tiina", "Tiina")
    conversation = await conversation_of(webchat.service, token)
    await actions.claim(core, tiina, conversation.id)
    guest = await consultant(core)
    invited = await consult.invite(
        core, tiina, conversation.id, consultant_id=guest.user_id, purpose="immigration"
    )
    question = texts.text(
        "sv",
        "consult_question",
        name="Veli",
        organisation=ORGANISATION,
        purpose=texts.text("sv", "consult_purpose_immigration"),
    )
    await resident.next(lambda f: f["type"] == "message" and f["text"] == question)
    buttons = await resident.next_of("choices")
    assert [c["value"] for c in buttons["choices"]] == ["consult:yes", "consult:no"]
    with pytest.raises(ActionError):
        await consult.read(core, guest, invited.id)

    await resident.send({"type": "choice", "value": "consult:yes", "client_id": "yes"})
    await resident.next_of("delivered", client_id="yes")
    agreed = texts.text("sv", "consult_agreed")
    await resident.next(lambda f: f["type"] == "message" and f["text"] == agreed)
    await resident.send({"type": "message", "text": "Mitt uppehållstillstånd", "client_id": "m"})
    await resident.next_of("delivered", client_id="m")
    seen = [m.text for m in (await consult.read(core, guest, invited.id)).messages]
    assert "Mitt uppehållstillstånd" in seen

    await consult.reply(core, guest, invited.id, "Jag hjälper gärna.")
    reply = await resident.next(lambda f: f["type"] == "message" and f["from"] == "counsellor")
    assert (reply["text"], reply["display_name"]) == (
        "Jag hjälper gärna.",
        f"Veli ({ORGANISATION})",
    )

    await resident.send({"type": "choice", "value": "consult:end", "client_id": "end"})
    await resident.next_of("delivered", client_id="end")
    ended = texts.text("sv", "consult_ended")
    await resident.next(lambda f: f["type"] == "message" and f["text"] == ended)
    with pytest.raises(ActionError):
        await consult.read(core, guest, invited.id)
