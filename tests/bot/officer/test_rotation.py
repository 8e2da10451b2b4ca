"""Key rotation: every data key re-wrapped and verified, resumable, old version retired last."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.actions import conversations as actions
from bot.app import build_service
from bot.config import Settings
from bot.officer.common import OfficerError
from bot.officer.rotation import add_kek_version, key_status, retire_version, rewrap_all
from bot.store import audit as audit_store
from bot.store.tables import DataKeyRow
from privacy.keyfile import read_key_file
from tests.bot.officer.scenario import AINO_PHONE, build
from tests.support.chat import Harness


async def _versions(harness: Harness) -> list[int]:
    async with harness.core.database.session() as session:
        return sorted((await session.execute(select(DataKeyRow.kek_version))).scalars())


async def _readable_with_fresh_service(settings: Settings, conversation_id: str) -> str:
    # A new process' view: only the key file on disk, nothing cached in memory.
    service = build_service(settings)
    try:
        from bot.actions.conversations import Staff
        from bot.roles import Role

        officer = Staff("officer", Role.PRIVACY_OFFICER, "Officer", frozenset())
        transcript = await actions.read(
            service.core, officer, conversation_id, reason="rotation check"
        )
        return " ".join(m.text for m in transcript.messages)
    finally:
        await service.core.database.dispose()


async def test_rotation_rewraps_every_key_and_the_data_still_opens(
    harness: Harness, settings: Settings
) -> None:
    scenario = await build(harness)
    before = await _versions(harness)
    assert set(before) == {1}
    ring = add_kek_version(settings)
    assert ring.current_kek_version == 2
    report = await rewrap_all(harness.core, ring)
    assert (report.rewrapped, report.failed, report.remaining) == (len(before), 0, 0)
    assert set(await _versions(harness)) == {2}
    async with harness.core.database.session() as session:
        records = [r async for r in audit_store.iterate(session)]
    assert str(records[-1].action) == "key_rotation"
    text = await _readable_with_fresh_service(settings, scenario.aino_conversation)
    assert "asia koskee vuokraa" in text


async def test_an_interrupted_rotation_resumes_where_it_stopped(
    harness: Harness, settings: Settings
) -> None:
    scenario = await build(harness)
    total = len(await _versions(harness))
    ring = add_kek_version(settings)
    batches = []

    def crash_after_first_batch(done: int) -> None:
        batches.append(done)
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        await rewrap_all(harness.core, ring, batch_size=2, on_batch=crash_after_first_batch)
    assert batches == [2]
    status = await key_status(harness.core, ring)
    assert status.keys_by_version == {1: total - 2, 2: 2}
    with pytest.raises(OfficerError):
        await retire_version(harness.core, ring, 1)  # still in use: retiring would shred
    report = await rewrap_all(harness.core, ring, batch_size=2)
    assert (report.rewrapped, report.remaining) == (total - 2, 0)
    smaller = await retire_version(harness.core, ring, 1)
    assert smaller.kek_versions == (2,)
    assert read_key_file(settings.key_file).kek_versions == (2,)
    assert "Soita minulle" in await _readable_with_fresh_service(
        settings, scenario.aino_conversation
    )
    assert AINO_PHONE not in await _readable_with_fresh_service(
        settings, scenario.aino_conversation
    )


async def test_the_current_version_cannot_be_retired(harness: Harness, settings: Settings) -> None:
    await build(harness)
    with pytest.raises(OfficerError):
        await retire_version(harness.core, harness.core.keyring, 1)


async def test_configured_keys_are_never_invented_by_the_script(tmp_path: object) -> None:
    from pathlib import Path

    from bot.config import load_settings
    from privacy.keyfile import encode_key

    key = encode_key(b"k" * 32)
    settings = load_settings(
        data_dir=Path(str(tmp_path)) / "d", keks=f"1:{key}", pepper=key, audit_key=key
    )
    with pytest.raises(OfficerError):
        add_kek_version(settings)
