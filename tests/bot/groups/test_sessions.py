"""Session life cycle: schedule, moderation, ending, and what the database keeps afterwards."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import col, select

from bot.groups import moderation
from bot.groups.jobs import group_sweep
from bot.groups.sessions import GroupState
from bot.groups.tables import GroupAttendance, GroupMessage, GroupParticipant, GroupSession
from bot.store.tables import AuditRow, DataKeyRow, OutboxRow
from privacy.crypto import unseal
from tests.bot.groups.support import join, open_session, participant_of, shift_clock
from tests.support.chat import Harness
from tests.support.raw import raw_database


async def _state(harness: Harness, session_id: str) -> GroupSession:
    async with harness.core.database.session() as session:
        found = await session.get(GroupSession, session_id)
    assert found is not None
    return found


async def test_sessions_open_and_end_on_schedule(groups: Harness) -> None:
    from datetime import UTC, datetime

    from bot.groups.sessions import SessionDraft, create_session

    moderator = await groups.staff("mod")
    now = datetime.now(UTC)
    group = await create_session(
        groups.core,
        moderator,
        SessionDraft(
            title="Valmennuspäivä",
            description="",
            language="fi",
            topic_id="work",
            starts_at=now + timedelta(hours=1),
            ends_at=now + timedelta(hours=2),
            capacity=5,
            channels=("test",),
        ),
    )
    aino = groups.resident("aino")
    await join(aino, group.code)
    assert "ei ole vielä alkanut" in aino.texts()[-1] or "not started" in aino.texts()[-1]
    await group_sweep(groups.core)
    assert (await _state(groups, group.id)).state == GroupState.SCHEDULED
    shift_clock(groups, timedelta(hours=1, minutes=1))
    assert (await group_sweep(groups.core)).opened == 1
    assert (await _state(groups, group.id)).state == GroupState.OPEN
    await join(aino, group.code)
    await participant_of(aino)
    shift_clock(groups, timedelta(hours=2, minutes=1))
    assert (await group_sweep(groups.core)).ended == 1
    await groups.deliver()
    assert (await _state(groups, group.id)).state == GroupState.ENDED
    assert aino.choices()[0].startswith("group:fb:")


async def test_raw_database_holds_no_group_message_text_after_the_session_ends(
    groups: Harness, other: Harness
) -> None:
    moderator = await groups.staff("mod")
    group = await open_session(groups, moderator)
    aino, bertil = groups.resident("aino"), other.resident("bertil")
    await join(aino)
    await join(bertil)
    await aino.write("Salainen kahvilaviesti numero yksi")
    await other.deliver()
    await bertil.write("Toinen salainen vastaus")
    await moderation.post(groups.core, moderator, group.id, "Ohjaajan tervehdys ryhmälle")
    await groups.deliver()
    await other.deliver()
    await moderation.end(groups.core, moderator, group.id)
    await groups.deliver()
    await other.deliver()
    async with groups.core.database.session() as session:
        assert list((await session.execute(select(GroupMessage))).scalars()) == []
        assert list((await session.execute(select(GroupParticipant))).scalars()) == []
        keys = (
            await session.execute(
                select(DataKeyRow).where(DataKeyRow.owner_id == f"group:{group.id}")
            )
        ).scalars()
        assert list(keys) == []
        attendance = await session.get(GroupAttendance, group.id)
    assert attendance is not None and attendance.joined == 2
    raw = await raw_database(groups.service)
    for plaintext in ("Salainen kahvilaviesti", "Toinen salainen", "Ohjaajan tervehdys"):
        assert plaintext.encode() not in raw


async def test_a_kept_transcript_is_shredded_when_its_time_is_up(groups: Harness) -> None:
    moderator = await groups.staff("mod")
    group = await open_session(groups, moderator, keep_transcript_hours=2)
    aino = groups.resident("aino")
    await join(aino)
    await aino.write("tämä jää hetkeksi talteen")
    await moderation.end(groups.core, moderator, group.id)
    view = await moderation.live_view(groups.core, moderator, group.id)
    assert [m.text for m in view.messages] == ["tämä jää hetkeksi talteen"]
    shift_clock(groups, timedelta(hours=2, minutes=1))
    assert (await group_sweep(groups.core)).shredded == 1
    async with groups.core.database.session() as session:
        assert list((await session.execute(select(GroupMessage))).scalars()) == []


async def test_moderator_posts_under_display_name_and_removes_a_message(
    groups: Harness, other: Harness
) -> None:
    moderator = await groups.staff("mod", display_name="Ohjaaja Anna")
    group = await open_session(groups, moderator)
    aino, bertil = groups.resident("aino"), other.resident("bertil")
    await join(aino)
    await join(bertil)
    await moderation.post(groups.core, moderator, group.id, "Tervetuloa kaikki")
    await groups.deliver()
    await other.deliver()
    expected = groups.core.texts.text(
        "fi", "group_moderator_says", name="Ohjaaja Anna", text="Tervetuloa kaikki"
    )
    assert aino.texts()[-1] == expected and bertil.texts()[-1] == expected
    await aino.write("tämä viesti poistetaan")
    await other.deliver()
    async with groups.core.database.session() as session:
        message = (
            await session.execute(
                select(GroupMessage).where(col(GroupMessage.participant_id).is_not(None))
            )
        ).scalar_one()
    name = (await participant_of(aino)).nickname
    delivered_id = other.adapter.sent[bertil.address][-1]
    assert delivered_id.text.endswith("tämä viesti poistetaan")
    notified = await moderation.remove_message(groups.core, moderator, group.id, message.id)
    assert notified == 1
    # The notice carries the platform's delivery id to retract, inside the sealed payload.
    async with groups.core.database.session() as session:
        row = (
            await session.execute(select(OutboxRow).where(OutboxRow.state == "pending"))
        ).scalar_one()
        system = await groups.core.keys.system_key(session)
    payload = json.loads(unseal(system, row.sealed_payload, aad=f"outbox:{row.id}"))
    assert payload["retract"] and payload["retract"][0].startswith("d")
    await other.deliver()
    removed = groups.core.texts.text("fi", "group_message_removed", nickname=name)
    assert bertil.texts()[-1] == removed
    view = await moderation.live_view(groups.core, moderator, group.id)
    assert [m.removed for m in view.messages] == [False, True]
    assert "poistetaan" not in "".join(m.text for m in view.messages)


async def test_only_the_sessions_moderators_may_moderate(groups: Harness) -> None:
    import pytest

    from bot.errors import ActionError

    moderator = await groups.staff("mod")
    outsider = await groups.staff("outsider")
    group = await open_session(groups, moderator)
    with pytest.raises(ActionError) as refused:
        await moderation.post(groups.core, outsider, group.id, "hei")
    assert refused.value.code == "forbidden"
    with pytest.raises(ActionError):
        await moderation.live_view(groups.core, outsider, group.id)


async def test_every_moderation_action_is_audited(groups: Harness) -> None:
    moderator = await groups.staff("mod")
    group = await open_session(groups, moderator)
    aino = groups.resident("aino")
    await join(aino)
    participant = await participant_of(aino)
    await moderation.pin_agenda(groups.core, moderator, group.id, "1. Esittäytyminen")
    await moderation.post(groups.core, moderator, group.id, "Aloitetaan")
    await moderation.restrict(groups.core, moderator, group.id, participant.id, remove=False)
    await moderation.restrict(groups.core, moderator, group.id, participant.id, remove=True)
    await moderation.live_view(groups.core, moderator, group.id)
    await moderation.end(groups.core, moderator, group.id)
    async with groups.core.database.session() as session:
        rows = list(
            (
                await session.execute(
                    select(AuditRow).where(AuditRow.actor_id == moderator.user_id)
                )
            ).scalars()
        )
    actions = [(row.action, row.object_type) for row in rows]
    for expected in (
        ("create", "group_session"),
        ("update", "group_session"),
        ("reply", "group_message"),
        ("block", "group_participant"),
        ("read", "group_session"),
        ("close", "group_session"),
    ):
        assert expected in actions
    assert sum(1 for a in actions if a == ("block", "group_participant")) == 2


async def test_attendance_counts_who_stayed_and_feedback_counts_once(groups: Harness) -> None:
    moderator = await groups.staff("mod")
    group = await open_session(groups, moderator)
    aino, bertil = groups.resident("aino"), groups.resident("bertil")
    await join(aino)
    await join(bertil)
    await bertil.write("/leave")
    shift_clock(groups, timedelta(minutes=30))
    await moderation.end(groups.core, moderator, group.id)
    await groups.deliver()
    yes = aino.choices()[0]
    await aino.press(yes)
    await aino.press(yes)
    async with groups.core.database.session() as session:
        attendance = await session.get(GroupAttendance, group.id)
    assert attendance is not None
    assert (attendance.joined, attendance.stayed) == (2, 1)
    assert (attendance.feedback_useful, attendance.feedback_not_useful) == (1, 0)
    assert attendance.feedback_tokens == []
