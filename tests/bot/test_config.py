from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import ConfigError, Environment, Settings, load_settings

REPO = Path(__file__).resolve().parents[2]


def test_defaults_serve_on_localhost_with_sqlite_in_the_data_directory() -> None:
    settings = load_settings()
    assert settings.http_host == "127.0.0.1"
    assert settings.http_port == 8080
    assert settings.data_dir == Path("./data")
    assert settings.resolved_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.resolved_database_url.endswith("/data/somesossu.db")
    assert settings.env is Environment.DEVELOPMENT


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOMESOSSU_HTTP_PORT", "9090")
    monkeypatch.setenv("SOMESOSSU_DATA_DIR", "/tmp/elsewhere")
    settings = load_settings()
    assert settings.http_port == 9090
    assert settings.data_dir == Path("/tmp/elsewhere")


def test_settings_come_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SOMESOSSU_HTTP_PORT=8181\n")
    assert load_settings().http_port == 8181


def test_a_bad_setting_is_named_without_echoing_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOMESOSSU_HTTP_PORT", "not-a-port-zq7")
    monkeypatch.setenv("SOMESOSSU_DATABASE_URL", "mysql://secret-password-zq8@host/db")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "SOMESOSSU_HTTP_PORT" in message
    assert "SOMESOSSU_DATABASE_URL" in message
    assert "zq7" not in message
    assert "zq8" not in message


def test_env_example_lists_every_setting_with_a_comment() -> None:
    text = (REPO / ".env.example").read_text(encoding="utf-8")
    lines = text.splitlines()
    listed = []
    for index, line in enumerate(lines):
        match = re.match(r"^(SOMESOSSU_[A-Z0-9_]+)=", line)
        if match:
            listed.append(match.group(1))
            assert lines[index - 1].startswith("#") or lines[index - 2].startswith("#"), (
                f"{match.group(1)} has no comment above it"
            )
    expected = {f"SOMESOSSU_{name.upper()}" for name in Settings.model_fields}
    assert set(listed) == expected
    assert len(listed) == len(set(listed))


def test_env_example_itself_is_valid() -> None:
    settings = load_settings(_env_file=str(REPO / ".env.example"))
    assert settings.keks is None


def test_the_time_zone_is_helsinki_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().zone.key == "Europe/Helsinki"
    monkeypatch.setenv("SOMESOSSU_TIME_ZONE", "Europe/Stockholm")
    assert load_settings().zone.key == "Europe/Stockholm"


@pytest.mark.parametrize(
    "zone", ["Europe/Helsinky", "../etc/passwd", "Mars/Olympus_Mons", "Europe", "/etc/localtime"]
)
def test_an_unknown_time_zone_stops_the_start_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    monkeypatch.setenv("SOMESOSSU_TIME_ZONE", zone)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "SOMESOSSU_TIME_ZONE" in message
    assert "unknown time zone" in message
    assert "IANA" in message
