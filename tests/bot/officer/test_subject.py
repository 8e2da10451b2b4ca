"""Subject requests by reference code: export with the resident's own words, and erasure."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlmodel import func, select

from bot.officer.common import OfficerError
from bot.officer.subject import erase_subject, export_subject, find_subject, write_export
from bot.sealing import KeyPurpose
from bot.store import audit as audit_store
from bot.store.tables import Conversation, DataKeyRow, Message
from tests.bot.officer.scenario import AINO_PHONE, build
from tests.support.chat import Harness


async def test_the_code_is_accepted_however_it_is_typed(harness: Harness) -> None:
    scenario = await build(harness)
    exact = await find_subject(harness.core, scenario.aino_code)
    assert exact.conversation_ids == (scenario.aino_conversation,)
    sloppy = scenario.aino_code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert (await find_subject(harness.core, sloppy)).conversation_ids == exact.conversation_ids
    with pytest.raises(OfficerError):
        await find_subject(harness.core, "not a code")


async def test_export_gives_the_resident_their_own_words_and_the_replies_in_an_owner_only_file(
    harness: Harness, tmp_path: Path
) -> None:
    scenario = await build(harness)
    match = await find_subject(harness.core, scenario.aino_code)
    export = await export_subject(harness.core, match, reason="pyyntö 7/2026")
    [conversation] = export.conversations
    texts = [(m.author, m.text) for m in conversation.messages]
    assert ("resident", f"Soita minulle {AINO_PHONE}, asia koskee vuokraa") in texts
    assert ("counsellor", "Kiitos, soitan sinulle huomenna.") in texts
    assert all("[PHONE]" not in text for _author, text in texts)
    path = tmp_path / "export.md"
    write_export(export, path, as_json=False)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    markdown = path.read_text()
    assert AINO_PHONE in markdown and scenario.aino_code in markdown
    async with harness.core.database.session() as session:
        records = [r async for r in audit_store.iterate(session)]
    last = records[-1]
    assert (str(last.action), last.actor_id, last.actor_role) == (
        "export",
        "privacy_officer:cli",
        "privacy_officer",
    )
    assert last.subject_ref == match.pseudonym
    assert last.object_id == scenario.aino_conversation
    assert AINO_PHONE not in repr(records)


async def test_export_shows_placeholders_once_the_pii_vault_is_gone(harness: Harness) -> None:
    scenario = await build(harness)
    async with harness.core.database.session() as session:
        await harness.core.keys.destroy(
            session, scenario.aino_conversation, (KeyPurpose.PII_VAULT,)
        )
    match = await find_subject(harness.core, scenario.aino_code)
    export = await export_subject(harness.core, match)
    resident = [m for m in export.conversations[0].messages if m.author == "resident"]
    assert any("[PHONE]" in m.text and m.withheld == 1 for m in resident)


async def test_erase_shreds_the_keys_and_rows_of_that_resident_only(harness: Harness) -> None:
    scenario = await build(harness)
    match = await find_subject(harness.core, scenario.aino_code)
    assert await erase_subject(harness.core, match) == 1
    async with harness.core.database.session() as session:
        left = set((await session.execute(select(Conversation.id))).scalars())
        keys = set((await session.execute(select(DataKeyRow.owner_id))).scalars())
        messages = (
            await session.execute(
                select(func.count())
                .select_from(Message)
                .where(Message.conversation_id == scenario.aino_conversation)
            )
        ).scalar_one()
        records = [r async for r in audit_store.iterate(session)]
    assert left == {scenario.bertta_conversation}
    assert scenario.aino_conversation not in keys and scenario.bertta_conversation in keys
    assert messages == 0
    assert (str(records[-1].action), records[-1].subject_ref) == ("erase", match.pseudonym)
    assert (await find_subject(harness.core, scenario.aino_code)).conversation_ids == ()
