"""Routing by language (issue 21): a Russian-speaking resident reaches a Russian-speaking
counsellor first; nobody waits for ever for one; nobody who speaks it means a fallback
queue or an "interpreter needed" mark."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.access import Staff
from bot.actions import admin as admin_actions
from bot.actions import conversations as actions
from bot.errors import ActionError
from bot.store.tables import Conversation, Queue
from tests.bot.officer.scenario import conversation_of
from tests.support.chat import Harness, Resident


async def waiting_in(harness: Harness, name: str, language: str) -> tuple[Resident, str]:
    resident = harness.resident(name)
    await resident.write("hello")
    await resident.press(f"lang:{language}")
    await resident.press("topic:housing")
    return resident, await conversation_of(harness, resident)


async def with_languages(harness: Harness, staff: Staff, *languages: str) -> None:
    admin = await harness.staff(f"admin-{staff.user_id[:6]}", role="admin", queues=())
    await admin_actions.update_user(
        harness.core, admin.actor(), staff.user_id, role=str(staff.role),
        queues=sorted(staff.queues), active=True, totp_enforced=False,
        max_concurrent=staff.max_concurrent, languages=list(languages),
    )  # fmt: skip


async def conversation(harness: Harness, conversation_id: str) -> Conversation:
    async with harness.core.database.session() as session:
        found = await session.get(Conversation, conversation_id)
    assert found is not None
    return found


async def test_a_russian_speaking_resident_reaches_a_russian_speaking_counsellor_first(
    harness: Harness,
) -> None:
    anna = await harness.staff("anna")  # Finnish and Swedish only
    olga = await harness.staff("olga")
    await with_languages(harness, anna, "fi", "sv")
    await with_languages(harness, olga, "ru", "fi")
    _, waiting = await waiting_in(harness, "ivan", "ru")
    assert not (await conversation(harness, waiting)).interpreter_needed

    with pytest.raises(ActionError) as refused:
        await actions.claim(harness.core, anna, waiting)
    assert refused.value.code == "language_reserved" and refused.value.status == 409
    claimed = await actions.claim(harness.core, olga, waiting)
    assert claimed.assigned_to == olga.user_id


async def test_after_the_first_minutes_anyone_in_the_queue_may_claim(harness: Harness) -> None:
    anna = await harness.staff("anna")
    olga = await harness.staff("olga")
    await with_languages(harness, anna, "fi")
    await with_languages(harness, olga, "ru")
    _, waiting = await waiting_in(harness, "ivan", "ru")
    minutes = harness.core.settings.language_first_minutes
    later = harness.core.now() + timedelta(minutes=minutes, seconds=1)
    harness.core.clock = lambda: later
    assert (await actions.claim(harness.core, anna, waiting)).assigned_to == anna.user_id


async def test_without_languages_set_everyone_serves_their_queues_languages(
    harness: Harness,
) -> None:
    anna = await harness.staff("anna")  # no languages of her own: the queue's
    _, waiting = await waiting_in(harness, "aino", "fi")
    assert not (await conversation(harness, waiting)).interpreter_needed
    assert (await actions.claim(harness.core, anna, waiting)).assigned_to == anna.user_id


async def test_nobody_speaks_it_marks_an_interpreter_or_routes_to_the_fallback_queue(
    harness: Harness,
) -> None:
    anna = await harness.staff("anna")
    await with_languages(harness, anna, "fi")
    _, first = await waiting_in(harness, "amal", "ar")
    marked = await conversation(harness, first)
    assert marked.interpreter_needed and marked.queue_id == "general"
    # Nothing to wait for: nobody in the queue speaks it, so anyone may claim at once.
    assert (await actions.claim(harness.core, anna, first)).assigned_to == anna.user_id

    ada = await harness.staff("ada", role="admin", queues=())
    async with harness.core.database.session() as session:
        session.add(Queue(id="multilingual", name="Multilingual", languages=["ar", "ru"]))
    await harness.staff("samir", queues=("multilingual",))  # serves its queue's languages
    async with harness.core.database.session() as session:
        general = await session.get(Queue, "general")
        assert general is not None
    await admin_actions.save_queue(
        harness.core, ada.actor(), "general", name=general.name, languages=general.languages,
        opening_hours=general.opening_hours, transcript_days=general.transcript_days,
        pii_vault_hours=general.pii_vault_hours, language_fallback="multilingual",
    )  # fmt: skip
    _, second = await waiting_in(harness, "amira", "ar")
    routed = await conversation(harness, second)
    assert routed.queue_id == "multilingual" and not routed.interpreter_needed
