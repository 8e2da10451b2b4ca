"""Subject requests by reference code: export with the resident's own words, and erasure."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from sqlmodel import func, select

from bot.officer.common import OfficerError
from bot.officer.subject import (
    erase_subject,
    export_subject,
    files_directory,
    find_subject,
    write_export,
)
from bot.sealing import KeyPurpose
from bot.store import audit as audit_store
from bot.store.tables import Conversation, DataKeyRow, Message
from tests.bot.officer.scenario import AINO_PHONE, CODE, build, start
from tests.support.chat import Harness
from tests.support.files import SECRET_NAME, opus_voice, photo_with_gps


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


async def resident_with_files(harness: Harness) -> str:
    """A resident who sent a photo and a voice message: their reference code."""
    cecilia = harness.resident("cecilia")
    await start(cecilia)
    await cecilia.send_file(photo_with_gps(120, 80))
    await cecilia.send_file(opus_voice())
    await cecilia.write("/code")
    [code] = {m for text in cecilia.texts() for m in CODE.findall(text)}
    return code


async def test_export_gives_the_resident_the_files_they_sent_as_stored_in_owner_only_files(
    harness: Harness, tmp_path: Path
) -> None:
    code = await resident_with_files(harness)
    export = await export_subject(harness.core, await find_subject(harness.core, code))
    assert sorted(f.kind for f in export.files) == ["photo", "voice"]
    path = tmp_path / "export.json"
    write_export(export, path, as_json=True)

    folder = files_directory(path)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    written = {p.name: p for p in folder.iterdir()}
    photo = next(f for f in export.files if f.kind == "photo")
    assert photo.name.endswith(".jpg") and written[photo.name].read_bytes() == photo.data
    assert photo.data.startswith(b"\xff\xd8") and SECRET_NAME.encode() not in photo.data
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written.values())
    messages = [m for c in json.loads(path.read_text())["conversations"] for m in c["messages"]]
    described = [m["file"] for m in messages if m["file"] is not None]
    assert {(d["name"], d["kind"], d["size"]) for d in described} == {
        (f.name, f.kind, len(f.data)) for f in export.files
    }
    assert [m["text"] for m in messages if m["file"] and photo.name in m["text"]]


async def test_export_says_a_file_was_deleted_once_its_own_retention_passed(
    harness: Harness,
) -> None:
    code = await resident_with_files(harness)
    match = await find_subject(harness.core, code)
    [conversation_id] = match.conversation_ids
    async with harness.core.database.session() as session:
        await harness.core.keys.destroy(session, conversation_id, (KeyPurpose.ATTACHMENT,))
    export = await export_subject(harness.core, match)
    assert export.files == []
    notes = [m.text for c in export.conversations for m in c.messages if "file" in m.text]
    assert len(notes) == 2 and all("deleted under the retention rules" in n for n in notes)
