from __future__ import annotations

import gc
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.app import Service
from bot.cli import main, tune_garbage_collector
from bot.store import audit as audit_store
from bot.store import users as user_store
from privacy.audit import verify_chain
from privacy.keyfile import generate_keyring, write_key_file


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOMESOSSU_")}
    env.update(
        SOMESOSSU_DATA_DIR=str(data_dir),
        SOMESOSSU_HTTP_PORT=str(port),
        SOMESOSSU_LOG_FORMAT="json",
    )
    return env


def _start(data_dir: Path, port: int) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        env=_env(data_dir, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    banner = []
    deadline = time.monotonic() + 60
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        banner.append(line)
        if line.startswith("Stop with Ctrl+C"):
            return process, "".join(banner)
    process.kill()
    raise AssertionError("server did not start: " + "".join(banner))


def test_serve_prints_urls_and_a_first_admin_password_then_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    process, banner = _start(tmp_path / "data", port)
    try:
        assert f"http://127.0.0.1:{port}/chat" in banner
        assert f"http://127.0.0.1:{port}/console" in banner
        assert "one-time password" in banner
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    assert process.stderr is not None
    stderr = process.stderr.read()
    assert "Traceback" not in stderr
    assert "creating a new service there" in stderr and str(tmp_path / "data") in stderr
    assert "DEVELOPMENT KEY FILE" in stderr
    for name in ("somesossu.db", "keys.json"):
        assert stat.S_IMODE((tmp_path / "data" / name).stat().st_mode) == 0o600, name

    process, banner = _start(tmp_path / "data", port)
    try:
        assert "one-time password" not in banner
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    assert process.stderr is not None
    assert "DEVELOPMENT KEY FILE" in process.stderr.read()  # serve warns at every start


def test_serve_refuses_a_bad_setting_naming_it(tmp_path: Path) -> None:
    env = _env(tmp_path, 8080)
    env["SOMESOSSU_HTTP_PORT"] = "eighty"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "SOMESOSSU_HTTP_PORT" in result.stderr


def test_production_without_keys_refuses_to_start(tmp_path: Path) -> None:
    env = _env(tmp_path, 8080)
    env["SOMESOSSU_ENV"] = "production"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "SOMESOSSU_KEKS" in result.stderr


def test_user_add_reads_the_password_from_stdin_and_audits(tmp_path: Path) -> None:
    env = _env(tmp_path / "data", 8080)
    add = [sys.executable, "-m", "bot", "user", "add", "maija", "--role", "supervisor"]
    result = subprocess.run(
        [*add, "--password-stdin"],
        env=env,
        input="correct horse battery\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "created maija (supervisor)" in result.stdout
    again = subprocess.run(
        [*add, "--password-stdin"],
        env=env,
        input="correct horse battery\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 2
    assert "exists already" in again.stderr
    weak = subprocess.run(
        [sys.executable, "-m", "bot", "user", "add", "x", "--role", "admin", "--password-stdin"],
        env=env,
        input="short\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert weak.returncode == 2
    assert "12 characters" in weak.stderr
    listing = subprocess.run(
        [sys.executable, "-m", "bot", "user", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listing.stdout.splitlines() == ["maija\tsupervisor\t-\tactive"]


def test_user_add_refuses_an_unknown_queue(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOMESOSSU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(sys, "stdin", _Lines("a long enough password\n"))
    code = main(
        ["user", "add", "pekka", "--role", "counsellor", "--queue", "nowhere", "--password-stdin"]
    )
    assert code == 2
    assert "no queue 'nowhere'" in capsys.readouterr().err


def test_keys_generate_prints_settings_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "generate"]) == 0
    out = capsys.readouterr().out
    assert "SOMESOSSU_KEKS=1:" in out
    assert "SOMESOSSU_PEPPER=" in out
    assert "SOMESOSSU_AUDIT_KEY=" in out


async def test_creating_a_user_writes_a_verifiable_audit_record(service: Service) -> None:
    from bot.actions.context import SYSTEM
    from bot.actions.users import create_user
    from bot.roles import Role

    await create_user(
        service.core, SYSTEM, username="anna", role=Role.COUNSELLOR, password="x" * 12
    )
    async with service.core.database.session() as session:
        user = await user_store.by_username(session, "anna")
        records = [record async for record in audit_store.iterate(session)]
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    assert [(r.action, r.object_id) for r in records][-1] == ("create", user.id)
    assert verify_chain(service.core.keyring.audit_key, records).ok


class _Lines:
    def __init__(self, text: str) -> None:
        self._lines = text.splitlines(keepends=True)

    def readline(self) -> str:
        return self._lines.pop(0) if self._lines else ""


def test_serving_freezes_start_up_objects_and_collects_the_young_less_often() -> None:
    threshold = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] > threshold[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, capture_output=True, text=True, timeout=60
    )


def _refused_in_one_line(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("{")]
    assert len(lines) == 1, result.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


def _existing_service(tmp_path: Path) -> dict[str, str]:
    env = _env(tmp_path / "data", 8080)
    made = _cli(env, "migrate")
    assert made.returncode == 0, made.stderr
    return env


def test_serve_refuses_a_database_written_with_other_keys_naming_the_key(tmp_path: Path) -> None:
    env = _existing_service(tmp_path)
    write_key_file(tmp_path / "data" / "keys.json", generate_keyring())  # another instance's
    result = _cli(env, "serve")
    _refused_in_one_line(result, "KEK version 1 in the key file", "is not the one that wrote")


def test_serve_invents_no_keys_for_a_database_whose_key_file_is_missing(tmp_path: Path) -> None:
    env = _existing_service(tmp_path)
    (tmp_path / "data" / "keys.json").rename(tmp_path / "keys-moved.json")
    result = _cli(env, "serve")
    _refused_in_one_line(result, "SOMESOSSU_KEY_FILE")
    assert not (tmp_path / "data" / "keys.json").exists()
    env["SOMESOSSU_KEY_FILE"] = str(tmp_path / "keys-moved.json")  # the fix the line names
    assert _cli(env, "user", "list").returncode == 0


def test_user_list_on_a_corrupt_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    env = _existing_service(tmp_path)
    database = tmp_path / "data" / "somesossu.db"
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    database.write_bytes(b"this is not a database" * 500)
    for command in (("user", "list"), ("migrate",), ("serve",)):
        _refused_in_one_line(_cli(env, *command), "DatabaseError", str(database))


def test_user_list_with_a_bad_key_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    env = _existing_service(tmp_path)
    key_file = tmp_path / "data" / "keys.json"
    key_file.write_text("{ not json")
    _refused_in_one_line(_cli(env, "user", "list"), "key file is not valid JSON")
    key_file.chmod(0o644)
    _refused_in_one_line(_cli(env, "user", "list"), "chmod 600")


def test_a_mistyped_data_directory_creates_no_new_service(tmp_path: Path) -> None:
    env = _existing_service(tmp_path)
    env["SOMESOSSU_DATA_DIR"] = str(tmp_path / "dta")
    _refused_in_one_line(_cli(env, "user", "list"), "no database at", "SOMESOSSU_DATA_DIR")
    assert not (tmp_path / "dta").exists()
    # Keys without their database: a typo, not a new service, for serve and user add too.
    env["SOMESOSSU_KEY_FILE"] = str(tmp_path / "data" / "keys.json")
    for command in (("serve",), ("user", "add", "x", "--role", "admin", "--password-stdin")):
        _refused_in_one_line(_cli(env, *command), "belong to an existing service", "migrate")
        assert not (tmp_path / "dta").exists()
    made = _cli(env, "migrate")  # the explicit way to start a database for existing keys
    assert made.returncode == 0, made.stderr
    assert "creating a new service there (a new database)" in made.stderr


def test_other_commands_warn_of_the_development_key_file_once_per_data_directory(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path / "data", 8080)
    first = _cli(env, "migrate")
    assert first.returncode == 0, first.stderr
    assert first.stderr.count("DEVELOPMENT KEY FILE") == 1
    for command in (("user", "list"), ("migrate",), ("user", "list")):
        again = _cli(env, *command)
        assert again.returncode == 0, again.stderr
        assert "DEVELOPMENT KEY FILE" not in again.stderr, command


def test_user_add_never_gives_residents_the_login(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOMESOSSU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(sys, "stdin", _Lines("a long enough password\n"))
    add = ["user", "add", "maija", "--role", "counsellor", "--password-stdin"]
    assert main([*add, "--display-name", "maija"]) == 2
    assert "must not be the login" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", _Lines("a long enough password\n"))
    assert main(add) == 0
    assert "residents see a neutral word" in capsys.readouterr().out
