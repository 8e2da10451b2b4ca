"""Every officer script run as the officer runs it, on a database made by real conversations."""

from __future__ import annotations

import io
import os
import sqlite3
import stat
import subprocess
import sys
import uuid
from pathlib import Path

from bot.config import Settings, load_settings
from bot.officer.common import Progress
from privacy.crypto import KeyRing
from privacy.keyfile import generate_keyring, read_key_file, write_key_file
from tests.bot.officer.scenario import AINO_PHONE, SCRIPTS, build, json_of, run_script, start
from tests.support.chat import Harness
from tests.support.db import POSTGRES_URL, database_url, postgres_admin
from tests.support.files import SECRET_NAME, opus_voice, photo_with_gps
from tests.support.tamper import is_postgres, raw_database

NAMES = (
    "audit_report",
    "audit_verify",
    "retention",
    "subject_request",
    "rotate_keys",
    "pii_scan",
    "stats",
    "processing_record",
)


def test_every_script_has_help_with_its_exit_codes_and_json() -> None:
    assert not (SCRIPTS / "__init__.py").exists()
    processes = {
        name: subprocess.Popen(
            [sys.executable, str(SCRIPTS / f"{name}.py"), "--help"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in NAMES
    }
    for name, process in processes.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert "exit codes:" in out and "--json" in out, name
        first = (SCRIPTS / f"{name}.py").read_text().splitlines()[0]
        assert first == "#!/usr/bin/env python3", name


def test_a_missing_database_is_a_usage_error_and_nothing_is_created(tmp_path: Path) -> None:
    result = run_script("audit_verify", data_dir=tmp_path / "nowhere")
    assert result.returncode == 2
    assert "no database" in result.stderr
    assert not (tmp_path / "nowhere").exists()


async def test_a_database_the_service_never_set_up_is_refused_and_left_empty(
    tmp_path: Path,
) -> None:
    # Keys are there, the database is not the service's: a wrong SOMESOSSU_DATABASE_URL, or
    # an empty SQLite file. No script may create the schema there and report an empty trail.
    data_dir = tmp_path / "data"
    write_key_file(data_dir / "keys.json", generate_keyring())
    name = f"t_empty_{uuid.uuid4().hex[:12]}"
    if POSTGRES_URL:
        await postgres_admin(f"CREATE DATABASE {name}")
        empty = load_settings(data_dir=data_dir, database_url=database_url(name))
    else:
        sqlite3.connect(data_dir / "somesossu.db").close()
        empty = load_settings(data_dir=data_dir)
    try:
        for script in ("audit_verify", "pii_scan"):  # one opens without migrating, one with
            result = run_script(script, "--json", settings=empty)
            assert result.returncode == 2, result.stdout + result.stderr
            assert "no database of the service" in result.stderr
            assert result.stdout == ""
        async with raw_database(empty) as db:
            assert await db.tables() == set()
        if POSTGRES_URL:  # and one that does not exist at all
            missing = empty.model_copy(update={"database_url": database_url(f"{name}_none")})
            result = run_script("audit_verify", settings=missing)
            assert result.returncode == 2, result.stderr
            assert "cannot open the database" in result.stderr
            assert "InvalidCatalogNameError" in result.stderr
    finally:
        if POSTGRES_URL:
            await postgres_admin(f"DROP DATABASE {name} WITH (FORCE)")


def test_an_unreachable_database_server_is_a_usage_error_without_its_password(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    write_key_file(data_dir / "keys.json", generate_keyring())
    settings = load_settings(
        data_dir=data_dir, database_url="postgresql+asyncpg://officer:s3cret@127.0.0.1:1/none"
    )
    result = run_script("retention", "--json", settings=settings)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "cannot open the database" in result.stderr
    assert "127.0.0.1:1/none" in result.stderr and "s3cret" not in result.stderr


async def test_audit_report_flags_the_reveal_without_claim(
    harness: Harness, settings: Settings
) -> None:
    await build(harness)
    result = run_script("audit_report", "--json", "--flagged", settings=settings)
    assert result.returncode == 1, result.stderr
    report = json_of(result)
    assert report["flag_counts"]["reveal_without_claim"] == 1
    table = run_script("audit_report", "--person", "anna", "--action", "reveal", settings=settings)
    assert table.returncode == 1
    assert "anna" in table.stdout and "reveal_without_claim" in table.stdout
    assert "tarkistan numeron oikeellisuuden" in table.stdout


async def test_retention_shows_then_applies_what_is_due(
    harness: Harness, settings: Settings
) -> None:
    scenario = await build(harness)
    nothing = run_script("retention", "--json", settings=settings)
    assert json_of(nothing) == {
        "applied": False,
        "transcripts": 0,
        "pii_vaults": 0,
        "attachments": {},
        "conversation_ids": [],
    }
    async with raw_database(settings) as db:  # as if the admin shortened the retention
        await db.execute("UPDATE queue SET transcript_days = 0, pii_vault_hours = 0")
    due = run_script("retention", settings=settings)
    assert due.returncode == 0
    assert scenario.aino_conversation in due.stdout and "--apply" in due.stdout
    applied = run_script("retention", "--apply", "--json", settings=settings)
    assert json_of(applied)["conversation_ids"] == [scenario.aino_conversation]
    verify = run_script("audit_verify", "--json", settings=settings)
    assert verify.returncode == 0, verify.stdout


async def test_subject_export_and_erase_by_reference_code(
    harness: Harness, settings: Settings, tmp_path: Path
) -> None:
    scenario = await build(harness)
    out = tmp_path / "aino.md"
    code = scenario.aino_code.lower().replace("-", "")
    export = run_script("subject_request", "export", code, "--out", str(out), settings=settings)
    assert export.returncode == 0, export.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert AINO_PHONE in out.read_text()
    assert AINO_PHONE not in export.stdout + export.stderr
    asked = run_script("subject_request", "erase", code, settings=settings)
    assert asked.returncode == 0 and "--yes" in asked.stdout
    erased = run_script("subject_request", "erase", code, "--yes", "--json", settings=settings)
    assert json_of(erased)["erased"] == 1
    gone = run_script("subject_request", "export", code, settings=settings)
    assert gone.returncode == 1
    bad = run_script("subject_request", "export", "hello", settings=settings)
    assert bad.returncode == 2


async def test_rotate_keys_adds_a_version_rewraps_and_retires_the_old_one(
    harness: Harness, settings: Settings
) -> None:
    await build(harness)
    rotated = run_script("rotate_keys", "--json", "--batch-size", "3", settings=settings)
    assert rotated.returncode == 0, rotated.stderr
    result = json_of(rotated)
    assert result["added_version"] == 2 and result["remaining"] == 0
    assert list(result["status"]["keys_by_version"]) == ["2"]
    retired = run_script("rotate_keys", "--retire", "1", settings=settings)
    assert retired.returncode == 0, retired.stderr
    assert read_key_file(settings.key_file).kek_versions == (2,)
    pii = run_script("pii_scan", "--json", settings=settings)  # data still opens
    assert json_of(pii)["unreadable"] == 0


async def test_pii_scan_reports_kinds_and_ids_but_never_values(
    harness: Harness, settings: Settings
) -> None:
    clean = harness.resident("clean")
    await start(clean)
    await clean.write("Tarvitsen apua vuokran kanssa, kiitos")
    nothing = run_script("pii_scan", "--json", settings=settings)
    assert nothing.returncode == 0, nothing.stdout + nothing.stderr
    assert json_of(nothing)["messages_scanned"] == 2  # "hei" and the request
    assert json_of(nothing)["counts"] == {}
    await build(harness)  # plants what redaction does not remove (see scenario.py)
    result = run_script("pii_scan", settings=settings)
    assert result.returncode == 1
    assert "strict:long_number" in result.stdout and "strict:at_word" in result.stdout
    for value in ("123456789012", "котик12", AINO_PHONE):
        assert value not in result.stdout + result.stderr


async def test_pii_scan_reports_stored_files_it_cannot_scan_by_count_and_kind(
    harness: Harness, settings: Settings
) -> None:
    resident = harness.resident("with-files")
    await start(resident)
    await resident.send_file(photo_with_gps())
    await resident.send_file(photo_with_gps())
    await resident.send_file(opus_voice())
    result = run_script("pii_scan", "--json", settings=settings)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json_of(result)["files_not_scanned"] == {"photo": 2, "voice": 1}
    text = run_script("pii_scan", settings=settings)
    assert "3 stored files not scanned (photo 2, voice 1)" in text.stdout
    assert SECRET_NAME not in text.stdout + text.stderr


async def test_stats_writes_a_printable_html_report(
    harness: Harness, settings: Settings, tmp_path: Path
) -> None:
    await build(harness)
    page = tmp_path / "report.html"
    result = run_script("stats", "--json", "--html", str(page), settings=settings)
    assert result.returncode == 0, result.stderr
    assert json_of(result)["by_channel"] == {"test": "<5"}
    assert page.read_text().count("<svg") == 4


async def test_processing_record_is_markdown_from_the_live_configuration(
    harness: Harness, settings: Settings
) -> None:
    await build(harness)
    result = run_script("processing_record", "--controller", "Testikaupunki", settings=settings)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Record of processing activities (GDPR Article 30)")
    assert "Testikaupunki" in result.stdout and "| general |" in result.stdout
    # The script read the test's own database, whichever kind it is.
    assert f"Database: {'PostgreSQL' if is_postgres(settings) else 'SQLite'};" in result.stdout


def test_progress_shows_on_a_terminal_only_and_never_with_json() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown = Terminal()
    progress = Progress("scanning", stream=shown)
    progress.start(3)
    progress.advance(2)
    progress.finish()
    assert "scanning: 2/3" in shown.getvalue()
    quiet = Terminal()
    silent = Progress("scanning", enabled=False, stream=quiet)
    silent.start(3)
    silent.advance()
    silent.finish()
    assert quiet.getvalue() == ""
    assert Progress.for_args("x", as_json=True).enabled is False
    assert Progress("x", stream=io.StringIO()).enabled is False


async def test_pii_scan_with_another_instances_keys_refuses_instead_of_finding_nothing(
    harness: Harness, settings: Settings
) -> None:
    await build(harness)
    write_key_file(settings.key_file, generate_keyring())  # a key file from another instance
    result = run_script("pii_scan", settings=settings)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""  # never "No personal data found."
    assert "KEK version 1 in the key file" in result.stderr
    assert "is not the one that wrote this database" in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        result.stderr.splitlines()[-1]
    ]


async def test_audit_verify_with_a_wrong_audit_key_says_the_key_is_wrong_not_edited(
    harness: Harness, settings: Settings
) -> None:
    await build(harness)
    ring = read_key_file(settings.key_file)
    wrong_audit_key = KeyRing(
        keks={v: ring.kek(v) for v in ring.kek_versions},
        current_kek_version=ring.current_kek_version,
        pepper=ring.pepper,
        audit_key=os.urandom(32),
    )
    write_key_file(settings.key_file, wrong_audit_key)
    result = run_script("audit_verify", "--json", settings=settings)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "the audit key in the key file" in result.stderr
    assert "edited" not in result.stdout + result.stderr and result.stdout == ""


def test_a_missing_key_file_beside_an_existing_database_is_named_with_its_fix(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    sqlite3.connect(data_dir / "somesossu.db").close()
    result = run_script("stats", settings=load_settings(data_dir=data_dir))
    assert result.returncode == 2
    assert "SOMESOSSU_KEY_FILE" in result.stderr and "Traceback" not in result.stderr
    assert not (data_dir / "keys.json").exists()
