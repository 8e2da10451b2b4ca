"""News of sessions: consent, opt-in, announcements to exactly the opted-in, withdrawal, expiry."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.groups import announcements
from bot.groups.jobs import group_sweep
from bot.groups.tables import NewsOptIn
from bot.store.tables import DataKeyRow
from tests.bot.groups.support import open_session, participant_of, shift_clock
from tests.support.chat import Harness
from tests.support.raw import raw_database


async def test_news_command_shows_plain_consent_text_before_anything_is_kept(
    groups: Harness,
) -> None:
    aino = groups.resident("aino")
    await aino.write("/news")
    consent = aino.texts()[-1]
    assert "90" in consent  # how long it is kept
    assert aino.choices()[0].startswith("news:")
    async with groups.core.database.session() as session:
        assert list((await session.execute(select(NewsOptIn))).scalars()) == []


async def test_announcement_reaches_exactly_the_opted_in_residents(
    groups: Harness, other: Harness
) -> None:
    staff = await groups.staff("mod")
    group = await open_session(groups, staff)
    fan, fan_other_platform, wrong_topic, wrong_language, bystander = (
        groups.resident("fan"),
        other.resident("fan2"),
        groups.resident("topic"),
        groups.resident("lang", language_hint="sv"),
        groups.resident("bystander"),
    )
    await fan.write("/news")
    await fan.press("news:other:fi")
    await fan_other_platform.write("tilaa uutiset 6")  # "other" is the sixth topic
    await wrong_topic.press("news:housing:fi")
    await wrong_language.press("news:other:sv")
    await bystander.write("hei")
    before = {
        r.sender_id: len(r.texts())
        for r in (fan, fan_other_platform, wrong_topic, wrong_language, bystander)
    }

    sent = await announcements.send(
        groups.core,
        staff,
        topic_id="other",
        language="fi",
        text="Etäkahvila torstaina",
        session_id=group.id,
    )
    assert sent.recipients == 2
    await groups.deliver()
    await other.deliver()
    for resident in (fan, fan_other_platform):
        new = resident.new_since(before[resident.sender_id])
        assert len(new) == 1 and "Etäkahvila torstaina" in new[0] and group.code in new[0]
        assert f"group:join:{group.code}" in resident.choices()
    for resident in (wrong_topic, wrong_language, bystander):
        assert resident.new_since(before[resident.sender_id]) == []
    counts = await announcements.counts(groups.core, sent.id)
    assert (counts.delivered, counts.failed, counts.withdrawn, counts.pending) == (2, 0, 0, 0)
    # The announcement's join button works.
    await fan.press(f"group:join:{group.code}")
    assert (await participant_of(fan)).session_id == group.id
    raw = await raw_database(groups.service)
    assert b"user-fan" not in raw and b"chat-fan" not in raw


async def test_withdrawal_is_honoured_even_for_an_announcement_already_queued(
    groups: Harness,
) -> None:
    staff = await groups.staff("mod")
    stays, leaves = groups.resident("stays"), groups.resident("leaves")
    await stays.press("news:other:fi")
    await leaves.press("news:other:fi")
    sent = await announcements.send(
        groups.core, staff, topic_id="other", language="fi", text="Uutinen"
    )
    # Withdrawn before the outbox got to it: it must not go out.
    await leaves.write("/stopnews")
    texts = groups.core.texts
    assert leaves.texts()[-1] == texts.text("fi", "news_withdrawn")
    assert not any("Uutinen" in text for text in leaves.texts())
    assert any("Uutinen" in text for text in stays.texts())
    counts = await announcements.counts(groups.core, sent.id)
    assert (counts.recipients, counts.delivered, counts.withdrawn) == (2, 1, 1)
    before = len(leaves.texts())
    await announcements.send(groups.core, staff, topic_id="other", language="fi", text="Toinen")
    await groups.deliver()
    assert leaves.new_since(before) == []
    async with groups.core.database.session() as session:
        owners = list((await session.execute(select(DataKeyRow.owner_id))).scalars())
        remaining = list((await session.execute(select(NewsOptIn))).scalars())
    assert len(remaining) == 1
    assert sum(1 for owner in owners if owner.startswith("news:")) == 1


async def test_stop_news_without_a_subscription_says_so(groups: Harness) -> None:
    aino = groups.resident("aino")
    await aino.write("lopeta uutiset")
    assert aino.texts()[-1] == groups.core.texts.text("fi", "news_none")


async def test_opt_in_expires_after_the_configured_period(groups: Harness) -> None:
    staff = await groups.staff("mod")
    aino = groups.resident("aino")
    await aino.press("news:other:fi")
    shift_clock(groups, timedelta(days=91))
    assert (await group_sweep(groups.core)).expired_opt_ins == 1
    before = len(aino.texts())
    sent = await announcements.send(
        groups.core, staff, topic_id="other", language="fi", text="Myöhässä"
    )
    await groups.deliver()
    assert sent.recipients == 0 and aino.new_since(before) == []


async def test_unknown_news_topic_gets_a_clear_answer(groups: Harness) -> None:
    aino = groups.resident("aino")
    await aino.write("/news 99")
    word = "tilaa uutiset"
    assert aino.texts()[-1] == groups.core.texts.text("fi", "news_unknown_topic", news_word=word)
