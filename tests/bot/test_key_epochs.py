"""The key epoch job and the scrub after a shred: what they do, and that they never fail quietly."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app import Service
from bot.config import Settings, load_settings
from bot.key_epochs import epoch_sweep
from bot.sealing import KeyPurpose
from bot.store.db import Database
from bot.store.scrub import Scrubber
from privacy.keyfile import encode_key, read_key_file
from tests.support.chat import Harness
from tests.support.db import sqlite_only


async def test_an_epoch_that_is_not_over_changes_nothing(
    harness: Harness, settings: Settings
) -> None:
    before = settings.key_file.read_bytes()
    report = await epoch_sweep(harness.core)
    assert not report.overdue and report.rotated_to is None and report.destroyed == ()
    assert settings.key_file.read_bytes() == before


async def test_an_overdue_epoch_with_keys_from_settings_is_logged_and_nothing_invented(
    service: Service, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = encode_key(b"k" * 32)
    configured = load_settings(
        data_dir=tmp_path / "elsewhere", keks=f"1:{key}", pepper=key, audit_key=key
    )
    core = replace(service.core, settings=configured)
    assert not (await epoch_sweep(core)).overdue  # the first run records the epoch's start
    later = core.now() + timedelta(days=configured.key_epoch_days + 1)
    with caplog.at_level(logging.WARNING, logger="somesossu.keys"):
        report = await epoch_sweep(core, now=later)
    assert report.overdue and report.rotated_to is None
    assert [r.getMessage() for r in caplog.records] == ["keys.epoch_overdue"]
    assert core.keyring.kek_versions == (1,)
    assert not (tmp_path / "elsewhere").exists()


async def test_the_key_file_epoch_rotates_then_destroys_the_old_kek_on_the_next_run(
    harness: Harness, settings: Settings
) -> None:
    resident = harness.resident("epoch")
    await resident.write("hei")
    later = harness.core.now() + timedelta(days=settings.key_epoch_days + 1)
    first = await epoch_sweep(harness.core, now=later)
    assert first.rotated_to == 2 and first.destroyed == ()
    assert read_key_file(settings.key_file).kek_versions == (1, 2)
    second = await epoch_sweep(harness.core, now=later)
    assert second.destroyed == (1,)
    assert read_key_file(settings.key_file).kek_versions == (2,)
    assert harness.core.keyring.kek_versions == (2,)
    # The new epoch started when it was made: not overdue straight away.
    third = await epoch_sweep(harness.core, now=later + timedelta(days=1))
    assert not third.overdue and third.rotated_to is None


@sqlite_only
async def test_a_scrub_blocked_by_a_reader_is_retried_then_logged_never_skipped_quietly(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    database = service.core.database
    assert database.sqlite_path is not None
    async with database.session() as session:  # something in the WAL to fold in
        await session.execute(text("CREATE TABLE scrub_probe (x)"))
    reader = sqlite3.connect(database.sqlite_path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sqlite_master").fetchone()  # holds a snapshot
    scrubber = Scrubber(
        database.engine,
        sqlite_path=database.sqlite_path,
        is_sqlite=True,
        lock=None,
        deadline_seconds=0.3,
    )
    try:
        with caplog.at_level(logging.INFO, logger="somesossu.store"):
            scrubber.request()
            await scrubber.settled()
        assert (scrubber.completed, scrubber.incomplete) == (0, 1)
        assert "store.scrub_incomplete" in [r.getMessage() for r in caplog.records]
    finally:
        reader.rollback()
        reader.close()
    scrubber.request()
    await scrubber.settled()
    assert scrubber.completed == 1
    wal = Path(str(database.sqlite_path) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


async def test_every_shred_path_scrubs_after_its_commit_and_only_then(
    service: Service,
) -> None:
    database: Database = service.core.database
    keys = service.core.keys
    async with database.session() as session:
        keys.create(session, "probe", KeyPurpose.CONVERSATION)
    done = database.scrubber.completed
    with pytest.raises(RuntimeError):
        async with database.session() as session:
            await keys.destroy(session, "probe", (KeyPurpose.CONVERSATION,))
            raise RuntimeError("rolled back")
    await database.scrubber.settled()
    assert database.scrubber.completed == done  # nothing was shredded: no scrub
    async with database.session() as session:
        await keys.destroy(session, "probe", (KeyPurpose.CONVERSATION,))
    await database.scrubber.settled()
    assert database.scrubber.completed == done + 1
