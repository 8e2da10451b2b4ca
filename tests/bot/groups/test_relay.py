"""Group sessions through the real core: joining, relaying, redaction, crisis, bad input."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.events import RetryableDeliveryError
from bot.groups.sessions import GroupLimits
from bot.store.tables import OutboxRow
from tests.bot.groups.support import join, open_session, participant_of, shift_clock
from tests.support.chat import Harness


async def test_participants_on_two_platforms_see_each_other_only_by_nickname(
    groups: Harness, other: Harness
) -> None:
    moderator = await groups.staff("mod")
    await open_session(groups, moderator)
    aino, bertil = groups.resident("aino"), other.resident("bertil")
    await join(aino)
    await join(bertil)
    aino_name = (await participant_of(aino)).nickname
    bertil_name = (await participant_of(bertil)).nickname
    assert aino_name != bertil_name
    assert len(aino_name.split()) == 2  # adjective + animal, in Finnish

    before = len(bertil.texts())
    await aino.write("Hei kaikki, mitä kuuluu?")
    await other.deliver()
    relayed = bertil.new_since(before)
    assert relayed == [f"{aino_name}: Hei kaikki, mitä kuuluu?"]

    before = len(aino.texts())
    await bertil.write("Hyvää, kiitos!")
    assert aino.new_since(before) == [f"{bertil_name}: Hyvää, kiitos!"]
    everything = "\n".join(aino.texts() + bertil.texts())
    for secret in ("user-aino", "user-bertil", "chat-aino", "chat-bertil"):
        assert secret not in everything


async def test_sender_does_not_get_their_own_message_back(groups: Harness, other: Harness) -> None:
    moderator = await groups.staff("mod")
    await open_session(groups, moderator)
    aino, bertil = groups.resident("aino"), other.resident("bertil")
    await join(aino)
    await join(bertil)
    before = len(aino.texts())
    await aino.write("Moikka")
    assert aino.new_since(before) == []


async def test_phone_number_is_hidden_before_relay_and_sender_told_kindly(
    groups: Harness, other: Harness
) -> None:
    moderator = await groups.staff("mod")
    await open_session(groups, moderator)
    aino, bertil = groups.resident("aino"), other.resident("bertil")
    await join(aino)
    await join(bertil)
    before_a, before_b = len(aino.texts()), len(bertil.texts())
    await aino.write("Soita minulle 040 123 4567")
    await other.deliver()
    relayed = bertil.new_since(before_b)
    assert len(relayed) == 1 and "[PHONE]" in relayed[0]
    assert "040" not in relayed[0] and "4567" not in relayed[0]
    notice = groups.core.texts.text("fi", "pii_hidden_notice")
    assert aino.new_since(before_a) == [notice]


async def test_crisis_phrase_alerts_moderators_and_only_the_sender_gets_emergency_numbers(
    groups: Harness, other: Harness
) -> None:
    moderator = await groups.staff("mod")
    group = await open_session(groups, moderator)
    aino, bertil = groups.resident("aino"), other.resident("bertil")
    await join(aino)
    await join(bertil)
    before_a, before_b = len(aino.texts()), len(bertil.texts())
    with groups.core.hub.subscribe({f"group:{group.id}"}) as live:
        await aino.write("haluan tappaa itseni")
        kinds = []
        while not live.queue.empty():
            kinds.append((await live.get()).kind)
    assert "group.crisis" in kinds
    assert any("112" in text for text in aino.new_since(before_a))
    await other.deliver()
    assert bertil.new_since(before_b) == []


async def test_muted_participant_is_told_and_not_relayed(groups: Harness, other: Harness) -> None:
    from bot.groups import moderation

    moderator = await groups.staff("mod")
    group = await open_session(groups, moderator)
    aino, bertil = groups.resident("aino"), other.resident("bertil")
    await join(aino)
    await join(bertil)
    await moderation.restrict(
        groups.core, moderator, group.id, (await participant_of(aino)).id, remove=False
    )
    await groups.deliver()
    muted = groups.core.texts.text("fi", "group_muted")
    assert aino.texts()[-1] == muted
    before_a, before_b = len(aino.texts()), len(bertil.texts())
    await aino.write("kuuleeko kukaan")
    await other.deliver()
    assert bertil.new_since(before_b) == []
    assert aino.new_since(before_a) == [muted]


async def test_removed_participant_cannot_rejoin_and_others_carry_on(
    groups: Harness, other: Harness
) -> None:
    from bot.groups import moderation

    moderator = await groups.staff("mod")
    group = await open_session(groups, moderator)
    aino, bertil, cai = groups.resident("aino"), other.resident("bertil"), other.resident("cai")
    await join(aino)
    await join(bertil)
    await join(cai)
    await moderation.restrict(
        groups.core, moderator, group.id, (await participant_of(aino)).id, remove=True
    )
    await groups.deliver()
    texts = groups.core.texts
    assert aino.texts()[-1] == texts.text("fi", "group_removed", title="Etäkahvila")
    await join(aino)
    assert aino.texts()[-1] == texts.text("fi", "group_removed_cannot_rejoin", title="Etäkahvila")
    # Not a participant any more: what they write takes the ordinary one-to-one path.
    before_b = len(bertil.texts())
    await aino.write("päästäkää takaisin")
    await other.deliver()
    assert bertil.new_since(before_b) == []
    await bertil.write("jatketaan")
    await other.deliver()
    assert cai.texts()[-1].endswith(": jatketaan")


async def test_full_closed_unknown_and_wrong_platform_joins_get_clear_messages(
    groups: Harness, other: Harness
) -> None:
    from bot.actions.context import SYSTEM, unit_of_work
    from bot.groups.sessions import end_session, load_session

    texts = groups.core.texts
    moderator = await groups.staff("mod")
    group = await open_session(groups, moderator, capacity=2, channels=("test",))
    a, b, c = groups.resident("a"), groups.resident("b"), groups.resident("c")
    await join(a)
    await join(b)
    await join(c)
    assert c.texts()[-1] == texts.text("fi", "group_full", title="Etäkahvila")
    await join(c, "EIOLE42")
    assert c.texts()[-1] == texts.text("fi", "group_unknown", code="EIOLE42")
    stranger = other.resident("d")
    await join(stranger)
    assert stranger.texts()[-1] == texts.text("fi", "group_wrong_channel", title="Etäkahvila")
    async with unit_of_work(groups.core) as work:
        await end_session(work, await load_session(work, group.id), SYSTEM)
    await join(c)
    assert c.texts()[-1] == texts.text("fi", "group_closed", title="Etäkahvila")


async def test_a_flood_from_one_participant_is_limited_and_the_session_carries_on(
    groups: Harness, other: Harness
) -> None:
    moderator = await groups.staff("mod")
    await open_session(groups, moderator)
    aino, bertil, cai = groups.resident("aino"), other.resident("bertil"), other.resident("cai")
    await join(aino)
    await join(bertil)
    await join(cai)
    limit = GroupLimits().messages_per_window
    before_a, before_b = len(aino.texts()), len(bertil.texts())
    for number in range(limit + 5):
        await aino.write(f"viesti {number}")
    await other.deliver()
    assert len(bertil.new_since(before_b)) == limit
    assert aino.new_since(before_a) == [groups.core.texts.text("fi", "rate_limited")]
    await cai.write("minä myös")
    await other.deliver()
    assert bertil.texts()[-1].endswith(": minä myös")


async def test_oversized_message_is_refused_in_the_participants_language(
    groups: Harness, other: Harness
) -> None:
    moderator = await groups.staff("mod")
    await open_session(groups, moderator)
    aino = groups.resident("aino", language_hint="sv")
    bertil = other.resident("bertil")
    await join(aino)
    await join(bertil)
    before_b = len(bertil.texts())
    limit = groups.core.settings.max_message_chars
    await aino.write("x" * (limit + 1))
    assert aino.texts()[-1] == groups.core.texts.text("sv", "too_long", max=limit)
    await other.deliver()
    assert bertil.new_since(before_b) == []


async def test_leaving_is_one_command_and_then_messages_are_not_relayed(
    groups: Harness, other: Harness
) -> None:
    moderator = await groups.staff("mod")
    await open_session(groups, moderator)
    aino, bertil = groups.resident("aino"), other.resident("bertil")
    await join(aino)
    await join(bertil)
    name = (await participant_of(aino)).nickname
    await aino.write("poistu ryhmästä")
    texts = groups.core.texts
    assert aino.texts()[-1] == texts.text("fi", "group_left")
    await other.deliver()
    assert bertil.texts()[-1] == texts.text("fi", "group_participant_left", nickname=name)
    before_b = len(bertil.texts())
    await aino.write("hei taas")
    await other.deliver()
    assert bertil.new_since(before_b) == []


async def test_rejoining_keeps_the_same_nickname(groups: Harness) -> None:
    moderator = await groups.staff("mod")
    await open_session(groups, moderator)
    aino = groups.resident("aino")
    await join(aino)
    first = (await participant_of(aino)).nickname
    await aino.write("/leave")
    await join(aino)
    assert (await participant_of(aino)).nickname == first


async def test_ordinary_messages_of_non_participants_take_the_normal_path(
    groups: Harness,
) -> None:
    resident = groups.resident("aino")
    await resident.write("hei")
    # The normal flow answers with the privacy notice and the language question.
    assert resident.texts(), "the normal flow answered"
    assert resident.choices()  # the language question


async def test_relayed_messages_reach_a_participant_in_order_even_when_the_first_is_retried(
    groups: Harness, other: Harness
) -> None:
    moderator = await groups.staff("mod")
    await open_session(groups, moderator)
    aino, bertil = groups.resident("aino"), other.resident("bertil")
    await join(aino)
    await join(bertil)
    name = (await participant_of(aino)).nickname
    before = len(bertil.texts())
    other.adapter.failures.append(RetryableDeliveryError("network"))
    await aino.write("ensimmäinen")
    await aino.write("toinen")
    # The first is waiting for its retry: the second must wait behind it, not overtake it.
    assert bertil.new_since(before) == []
    async with groups.core.database.session() as session:
        rows = list((await session.execute(select(OutboxRow))).scalars())
    threads = {row.thread for row in rows if row.state == "pending"}
    assert threads == {f"group:{(await participant_of(bertil)).id}"}
    shift_clock(groups, timedelta(minutes=1))
    await other.deliver()
    assert bertil.new_since(before) == [f"{name}: ensimmäinen", f"{name}: toinen"]
