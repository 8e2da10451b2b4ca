"""Counsellor identity: residents see a chosen display name or a neutral word, never a login."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.access import Staff, resident_name
from bot.actions import auth as auth_actions
from bot.actions import conversations as actions
from bot.actions.auth import AuthError
from bot.actions.context import SYSTEM
from bot.actions.residents import resident_view
from bot.actions.users import UserError, create_user
from bot.roles import Role
from bot.store.tables import Conversation, StaffUser
from tests.support.chat import Harness, Resident

PASSWORD = "a long test password"


async def new_counsellor(harness: Harness, username: str, display_name: str | None) -> Staff:
    user = await create_user(
        harness.core,
        SYSTEM,
        username=username,
        role=Role.COUNSELLOR,
        password=PASSWORD,
        queues=("general",),
        display_name=display_name,
    )
    # As the console builds it for a signed-in user.
    return Staff.of(user, ["general"])


async def waiting(harness: Harness, name: str = "resident") -> tuple[str, Resident]:
    resident = harness.resident(name)
    await resident.write("hei")
    await resident.press("lang:fi")
    await resident.press("topic:housing")
    await resident.write("tarvitsen apua")
    async with harness.core.database.session() as session:
        found = (await session.execute(select(Conversation))).scalars().all()
    [conversation] = [c for c in found if c.state == "queued"]
    return conversation.id, resident


async def test_a_counsellor_without_a_display_name_is_a_neutral_word_to_residents(
    harness: Harness,
) -> None:
    counsellor = await new_counsellor(harness, "maija", None)
    conversation, resident = await waiting(harness)
    await actions.claim(harness.core, counsellor, conversation)
    await actions.reply(harness.core, counsellor, conversation, "Hei, miten voin auttaa?")
    await harness.deliver()
    neutral = harness.core.texts.text("fi", "webchat_counsellor")
    sent = resident.received
    joined = harness.core.texts.text("fi", "counsellor_joined", name=neutral)
    assert joined in [o.text for o in sent]
    for outbound in sent:
        assert "maija" not in outbound.text.casefold()
        assert outbound.display_name in (None, neutral)
    [reply] = [o for o in sent if o.text == "Hei, miten voin auttaa?"]
    assert reply.display_name is None  # the front end shows its word for "counsellor"


async def test_an_existing_account_whose_name_is_its_login_never_shows_the_login(
    harness: Harness,
) -> None:
    # Accounts made before the rule stored the login as their display name.
    counsellor = await new_counsellor(harness, "pekka", None)
    async with harness.core.database.session() as session:
        user = await session.get(StaffUser, counsellor.user_id)
        assert user is not None and user.display_name == "pekka"
        assert resident_name(user) == ""
    conversation, resident = await waiting(harness)
    await actions.claim(harness.core, counsellor, conversation)
    await actions.reply(harness.core, counsellor, conversation, "Hei")
    await harness.deliver()
    channel = harness.adapter.channel
    view = await resident_view(harness.core, channel, resident.sender_id)
    counsellor_entries = [e for e in view.history if e.author == "counsellor"]
    assert counsellor_entries and all(e.display_name is None for e in counsellor_entries)
    assert all("pekka" not in e.text for e in view.history)


async def test_a_chosen_display_name_is_what_residents_see(harness: Harness) -> None:
    counsellor = await new_counsellor(harness, "tiina.k", "Tiina")
    conversation, resident = await waiting(harness)
    await actions.claim(harness.core, counsellor, conversation)
    await harness.deliver()
    joined = harness.core.texts.text("fi", "counsellor_joined", name="Tiina")
    assert joined in resident.texts()


async def test_a_display_name_that_is_the_login_is_refused(harness: Harness) -> None:
    with pytest.raises(UserError, match="login"):
        await new_counsellor(harness, "maija", "maija")
    counsellor = await new_counsellor(harness, "maija", "Maija K")
    with pytest.raises(AuthError, match="login"):
        await auth_actions.set_display_name(harness.core, counsellor.user_id, " maija ")
    assert await auth_actions.set_display_name(harness.core, counsellor.user_id, "M") == "M"
