"""Managed close tags: closings name only tags their queue offers; admins alone define them."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.access import Staff
from bot.actions import admin as admin_actions
from bot.actions import close_tags as tag_actions
from bot.actions import conversations as actions
from bot.actions.admin import AdminError
from bot.errors import ActionError
from bot.officer.stats import gather_statistics
from bot.store.tables import AuditRow, Conversation
from tests.support.chat import Harness
from tests.support.raw import raw_database

HETU = "131052-308T"
NAME = "Maija Virtanenzq"


async def waiting_conversation(harness: Harness, resident: str = "resident") -> str:
    talker = harness.resident(resident)
    await talker.write("hei")
    await talker.press("lang:fi")
    await talker.press("topic:housing")
    await talker.write("tarvitsen apua")
    async with harness.core.database.session() as session:
        newest = await session.execute(
            select(Conversation.id).order_by(col(Conversation.created_at).desc()).limit(1)
        )
        return newest.scalar_one()


async def conversation(harness: Harness, conversation_id: str) -> Conversation:
    async with harness.core.database.session() as session:
        found = await session.get(Conversation, conversation_id)
    assert found is not None
    return found


async def admin(harness: Harness) -> Staff:
    return await harness.staff("ada", role="admin", queues=())


async def test_a_typed_tag_holding_an_identity_code_or_a_name_is_refused_and_never_stored(
    harness: Harness,
) -> None:
    counsellor = await harness.staff("anna")
    conversation_id = await waiting_conversation(harness)
    with pytest.raises(ActionError) as refused:
        await actions.close(
            harness.core, counsellor, conversation_id, outcome="other", tags=[HETU, NAME]
        )
    assert refused.value.code == "unknown_close_tag"
    assert HETU not in str(refused.value) and "Virtanenzq" not in str(refused.value)
    assert (await conversation(harness, conversation_id)).state != "closed"
    raw = await raw_database(harness.service)
    for secret in (HETU, "Virtanenzq"):
        assert secret.encode() not in raw
        assert secret.lower().encode() not in raw


async def test_a_defined_tag_closes_by_id_and_a_corrected_label_keeps_old_closings(
    harness: Harness,
) -> None:
    actor = (await admin(harness)).actor()
    await tag_actions.save_tag(harness.core, actor, "general", "debt", label="Velat / Debts")
    counsellor = await harness.staff("anna")
    conversation_id = await waiting_conversation(harness)
    await actions.close(harness.core, counsellor, conversation_id, tags=["debt", "housing"])
    assert (await conversation(harness, conversation_id)).close_tags == ["debt", "housing"]

    await tag_actions.save_tag(harness.core, actor, "general", "debt", label="Velat / Debt")
    stats = await gather_statistics(harness.core)
    assert "general/debt" in stats.close_tags
    assert stats.close_tag_labels["general/debt"] == "Velat / Debt"
    assert (
        "Velat / Debt [general/debt]" in dict(stats.tables())["Close tags of closed conversations"]
    )


async def test_a_retired_tag_is_no_longer_offered_or_accepted_but_is_still_counted(
    harness: Harness,
) -> None:
    actor = (await admin(harness)).actor()
    counsellor = await harness.staff("anna")
    first = await waiting_conversation(harness, "first")
    await actions.close(harness.core, counsellor, first, tags=["money"])
    await tag_actions.retire(harness.core, actor, "general", "money")

    offered = await tag_actions.tags_for(harness.core, counsellor, "general")
    assert "money" not in [tag.id for tag in offered]
    every = await tag_actions.tags_for(harness.core, counsellor, "general", include_retired=True)
    assert [tag.id for tag in every if tag.retired_at is not None] == ["money"]
    second = await waiting_conversation(harness, "second")
    with pytest.raises(ActionError) as refused:
        await actions.close(harness.core, counsellor, second, tags=["money"])
    assert refused.value.code == "unknown_close_tag"

    stats = await gather_statistics(harness.core)
    assert stats.close_tags["general/money"] == "<5"  # counted once, suppressed as any cell
    assert stats.close_tag_labels["general/money"].endswith("(retired)")

    await tag_actions.reinstate(harness.core, actor, "general", "money")
    await actions.close(harness.core, counsellor, second, tags=["money"])


async def test_a_tag_of_another_queue_is_refused(harness: Harness) -> None:
    actor = (await admin(harness)).actor()
    await admin_actions.save_queue(
        harness.core,
        actor,
        "legal",
        name="Legal advice",
        languages=["fi"],
        opening_hours={},
        transcript_days=30,
        pii_vault_hours=24,
    )
    await tag_actions.save_tag(harness.core, actor, "legal", "contract", label="Sopimus")
    counsellor = await harness.staff("anna")
    conversation_id = await waiting_conversation(harness)
    with pytest.raises(ActionError) as refused:
        await actions.close(harness.core, counsellor, conversation_id, tags=["contract"])
    assert refused.value.code == "unknown_close_tag"


@pytest.mark.parametrize("role", ["counsellor", "supervisor", "privacy_officer"])
async def test_only_administrators_define_retire_or_reinstate_tags(
    harness: Harness, role: str
) -> None:
    actor = (await harness.staff("someone", role=role)).actor()
    with pytest.raises(AdminError) as defining:
        await tag_actions.save_tag(harness.core, actor, "general", "debt", label="Velat")
    with pytest.raises(AdminError) as retiring:
        await tag_actions.retire(harness.core, actor, "general", "housing")
    with pytest.raises(AdminError) as reinstating:
        await tag_actions.reinstate(harness.core, actor, "general", "housing")
    assert {defining.value.code, retiring.value.code, reinstating.value.code} == {"forbidden"}
    offered = await tag_actions.tags_for(harness.core, await admin(harness), "general")
    assert "debt" not in [tag.id for tag in offered] and "housing" in [t.id for t in offered]


@pytest.mark.parametrize(
    ("tag_id", "label"),
    [
        ("person", NAME),
        ("code", f"asiakas {HETU}"),
        ("phone", "soita 040 123 4567"),
        (HETU.lower(), "Identity code as an id"),
        ("with space", "Spaces"),
        ("toolong", "x" * 61),
    ],
)
async def test_a_tag_holding_personal_data_or_a_malformed_id_is_refused(
    harness: Harness, tag_id: str, label: str
) -> None:
    actor = (await admin(harness)).actor()
    with pytest.raises(AdminError) as refused:
        await tag_actions.save_tag(harness.core, actor, "general", tag_id, label=label)
    assert refused.value.code == "invalid_input"
    assert HETU not in str(refused.value) and "Virtanenzq" not in str(refused.value)


async def test_tag_changes_are_audited_without_their_labels(harness: Harness) -> None:
    actor = (await admin(harness)).actor()
    await tag_actions.save_tag(harness.core, actor, "general", "debt", label="Velat")
    await tag_actions.save_tag(harness.core, actor, "general", "debt", label="Velat ja ulosotto")
    await tag_actions.retire(harness.core, actor, "general", "debt")
    async with harness.core.database.session() as session:
        rows = list(
            (await session.execute(select(AuditRow).where(AuditRow.object_type == "close_tag")))
            .scalars()
            .all()
        )
    assert [(r.action, r.object_id, r.purpose, r.unit) for r in rows] == [
        ("create", "general/debt", "", "general"),
        ("update", "general/debt", "label changed", "general"),
        ("update", "general/debt", "retired", "general"),
    ]
