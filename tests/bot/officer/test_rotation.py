"""Key rotation: every data key re-wrapped and verified, resumable, old version retired last,
and the key file changed only once every re-wrap succeeded."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from bot.actions import conversations as actions
from bot.app import build_service
from bot.config import Settings
from bot.officer.common import OfficerError
from bot.officer.rotation import key_status, retire_version, rewrap_all, rotate_key_file
from bot.store import audit as audit_store
from bot.store.tables import DataKeyRow
from privacy.crypto import WrappedKey
from privacy.keyfile import pending_key_file, read_key_file, write_key_file
from tests.bot.officer.scenario import AINO_PHONE, build, json_of, run_script
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


async def _damage_every_wrapped_key(harness: Harness) -> None:
    """Flip one bit of every stored wrapped key: none of them opens any more."""
    async with harness.core.database.session() as session:
        for row in (await session.execute(select(DataKeyRow))).scalars():
            blob = bytearray(row.wrapped.blob)
            blob[-1] ^= 0x01
            row.wrapped = WrappedKey(row.wrapped.kek_version, bytes(blob))
            session.add(row)


async def test_rotation_rewraps_every_key_and_the_data_still_opens(
    harness: Harness, settings: Settings
) -> None:
    scenario = await build(harness)
    before = await _versions(harness)
    assert set(before) == {1}
    outcome = await rotate_key_file(harness.core)
    assert outcome.committed and outcome.to_version == 2
    report = outcome.report
    assert (report.rewrapped, report.failed, report.remaining) == (len(before), 0, 0)
    assert set(await _versions(harness)) == {2}
    assert read_key_file(settings.key_file, with_pending=False).current_kek_version == 2
    assert not pending_key_file(settings.key_file).exists()
    async with harness.core.database.session() as session:
        records = [r async for r in audit_store.iterate(session)]
    assert str(records[-1].action) == "key_rotation"
    text = await _readable_with_fresh_service(settings, scenario.aino_conversation)
    assert "asia koskee vuokraa" in text


async def test_a_rotation_whose_every_rewrap_fails_leaves_the_key_file_byte_identical(
    harness: Harness, settings: Settings
) -> None:
    await build(harness)
    before = settings.key_file.read_bytes()
    await _damage_every_wrapped_key(harness)
    outcome = await rotate_key_file(harness.core)
    assert not outcome.committed and not outcome.pending_kept
    assert outcome.report.failed == len(await _versions(harness)) > 0
    assert settings.key_file.read_bytes() == before
    assert not pending_key_file(settings.key_file).exists()


async def test_rotate_keys_script_leaves_the_key_file_byte_identical_when_every_rewrap_fails(
    harness: Harness, settings: Settings
) -> None:
    # The finding: the script added a KEK version to the file although every re-wrap failed.
    await build(harness)
    await _damage_every_wrapped_key(harness)
    before = settings.key_file.read_bytes()
    result = run_script("rotate_keys", "--json", settings=settings)
    assert result.returncode == 1, result.stdout + result.stderr
    outcome = json_of(result)
    assert outcome["added_version"] is None and outcome["key_file_changed"] is False
    assert outcome["rewrapped"] == 0 and outcome["failed"] > 0
    assert settings.key_file.read_bytes() == before
    assert sorted(p.name for p in settings.key_file.parent.glob("*keys.json*")) == ["keys.json"]


async def test_an_interrupted_rotation_keeps_its_new_kek_pending_and_resumes(
    harness: Harness, settings: Settings
) -> None:
    scenario = await build(harness)
    total = len(await _versions(harness))
    before = settings.key_file.read_bytes()
    batches = []

    def crash_after_first_batch(done: int) -> None:
        batches.append(done)
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        await rotate_key_file(harness.core, batch_size=2, on_batch=crash_after_first_batch)
    assert batches == [2]
    # Two keys are under version 2 now: it waits in the pending file, the key file is as it
    # was, and a new process reads both (nothing wrapped under version 2 is lost).
    assert settings.key_file.read_bytes() == before
    assert pending_key_file(settings.key_file).exists()
    assert read_key_file(settings.key_file).kek_versions == (1, 2)
    assert read_key_file(settings.key_file).current_kek_version == 1
    assert "Soita minulle" in await _readable_with_fresh_service(
        settings, scenario.aino_conversation
    )
    status = await key_status(harness.core, read_key_file(settings.key_file))
    assert status.keys_by_version == {1: total - 2, 2: 2}
    outcome = await rotate_key_file(harness.core, batch_size=2)
    assert outcome.committed and outcome.report.rewrapped == total - 2
    assert not pending_key_file(settings.key_file).exists()
    ring = read_key_file(settings.key_file)
    assert (ring.kek_versions, ring.current_kek_version) == ((1, 2), 2)
    smaller = await retire_version(harness.core, ring, 1)
    assert smaller.kek_versions == (2,)
    assert read_key_file(settings.key_file).kek_versions == (2,)
    text = await _readable_with_fresh_service(settings, scenario.aino_conversation)
    assert "Soita minulle" in text and AINO_PHONE not in text


async def test_a_version_still_wrapping_keys_cannot_be_retired(
    harness: Harness, settings: Settings
) -> None:
    await build(harness)
    ring = harness.core.keyring.with_new_kek()
    with pytest.raises(OfficerError):
        await retire_version(harness.core, ring, 1)  # every key is still under it
    await rewrap_all(harness.core, ring)
    write_key_file(settings.key_file, ring)
    assert (await retire_version(harness.core, ring, 1)).kek_versions == (2,)


async def test_the_current_version_cannot_be_retired(harness: Harness, settings: Settings) -> None:
    await build(harness)
    with pytest.raises(OfficerError):
        await retire_version(harness.core, harness.core.keyring, 1)


async def test_configured_keys_are_never_invented_by_the_script(
    harness: Harness, tmp_path: Path
) -> None:
    from dataclasses import replace

    from bot.config import load_settings
    from privacy.keyfile import encode_key

    key = encode_key(b"k" * 32)
    settings = load_settings(
        data_dir=Path(str(tmp_path)) / "d", keks=f"1:{key}", pepper=key, audit_key=key
    )
    with pytest.raises(OfficerError):
        await rotate_key_file(replace(harness.core, settings=settings))
    assert not (tmp_path / "d").exists()
