from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.config import ConfigError, load_settings
from bot.keys import load_keyring
from bot.store.db import Database
from privacy.keyfile import encode_key, generate_keyring, write_key_file


def test_development_keys_are_generated_into_a_private_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    with caplog.at_level(logging.WARNING):
        ring = load_keyring(settings)
    mode = stat.S_IMODE(settings.key_file.stat().st_mode)
    assert mode == 0o600
    assert "DEVELOPMENT KEY FILE" in caplog.text
    again = load_keyring(settings)
    assert again.pepper == ring.pepper
    assert again.audit_key == ring.audit_key


def _warnings(caplog: pytest.LogCaptureFixture, load: Callable[[], object]) -> int:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="somesossu.keys"):
        load()
    return caplog.text.count("DEVELOPMENT KEY FILE")


def test_the_development_key_warning_is_logged_once_per_data_directory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    assert _warnings(caplog, lambda: load_keyring(settings)) == 1
    assert _warnings(caplog, lambda: load_keyring(settings)) == 0
    assert _warnings(caplog, lambda: load_keyring(settings)) == 0
    # Another instance's data directory, and another key file in this one, are warned of anew.
    other = load_settings(data_dir=tmp_path / "other")
    assert _warnings(caplog, lambda: load_keyring(other)) == 1
    moved = tmp_path / "vault" / "keys.json"
    write_key_file(moved, generate_keyring())
    elsewhere = load_settings(data_dir=tmp_path / "data", key_file=str(moved))
    assert _warnings(caplog, lambda: load_keyring(elsewhere)) == 1
    assert _warnings(caplog, lambda: load_keyring(elsewhere)) == 0


def test_serving_repeats_the_development_key_warning_at_every_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    load_keyring(settings)
    for _ in range(2):
        assert _warnings(caplog, lambda: load_keyring(settings, always_warn=True)) == 1


def test_configured_keys_never_warn_of_development_keys(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = generate_keyring()
    settings = load_settings(
        data_dir=tmp_path / "data",
        keks=f"1:{encode_key(source.kek(1))}",
        pepper=encode_key(source.pepper),
        audit_key=encode_key(source.audit_key),
    )
    assert _warnings(caplog, lambda: load_keyring(settings, always_warn=True)) == 0


def test_production_refuses_to_start_without_configured_keys(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data", env="production")
    with pytest.raises(ConfigError, match="SOMESOSSU_KEKS"):
        load_keyring(settings)
    assert not settings.key_file.exists()


def test_configured_keys_are_used_and_no_file_is_written(tmp_path: Path) -> None:
    source = generate_keyring()
    settings = load_settings(
        data_dir=tmp_path / "data",
        env="production",
        keks=f"1:{encode_key(source.kek(1))}",
        pepper=encode_key(source.pepper),
        audit_key=encode_key(source.audit_key),
    )
    ring = load_keyring(settings)
    assert ring.pepper == source.pepper
    assert ring.current_kek_version == 1
    assert not settings.key_file.exists()


def test_keks_without_pepper_is_a_clear_error(tmp_path: Path) -> None:
    source = generate_keyring()
    settings = load_settings(data_dir=tmp_path, keks=f"1:{encode_key(source.kek(1))}")
    with pytest.raises(ConfigError, match="SOMESOSSU_PEPPER"):
        load_keyring(settings)


def test_no_key_file_is_invented_beside_an_existing_database(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    settings.data_dir.mkdir()
    (settings.data_dir / "somesossu.db").write_bytes(b"")
    with pytest.raises(ConfigError) as raised:
        load_keyring(settings)
    assert "SOMESOSSU_KEY_FILE" in str(raised.value)
    assert str(settings.key_file) in str(raised.value)
    assert not settings.key_file.exists()


def test_the_key_file_setting_points_at_a_key_file_elsewhere(tmp_path: Path) -> None:
    elsewhere = tmp_path / "vault" / "keys.json"
    source = generate_keyring()
    write_key_file(elsewhere, source)
    settings = load_settings(data_dir=tmp_path / "data", key_file=str(elsewhere))
    assert load_keyring(settings).pepper == source.pepper
    assert not (tmp_path / "data" / "keys.json").exists()


async def test_the_database_and_its_wal_files_are_created_private(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # the usual umask, which would give 0644
    try:
        database = Database(load_settings(data_dir=tmp_path / "data").resolved_database_url)
        await database.migrate()
        async with database.session() as session:
            await session.execute(text("SELECT 1"))
        files = [tmp_path / "data" / name for name in ("somesossu.db", "somesossu.db-wal")]
        shm = tmp_path / "data" / "somesossu.db-shm"
        for file in [*files, *([shm] if shm.exists() else [])]:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
        await database.dispose()
    finally:
        os.umask(previous)


async def test_an_existing_database_file_open_to_others_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "somesossu.db"
    path.write_bytes(b"")
    path.chmod(0o644)
    database = Database(f"sqlite+aiosqlite:///{path}")
    async with database.session() as session:
        await session.execute(text("SELECT 1"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    await database.dispose()
