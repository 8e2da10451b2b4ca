from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.keys import load_keyring
from privacy.keyfile import encode_key, generate_keyring


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
