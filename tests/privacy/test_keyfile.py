"""Tests of the key file and of building the key ring from settings strings."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from privacy.crypto import DataKey, KeyRing
from privacy.errors import KeyConfigError
from privacy.keyfile import (
    decode_key,
    dump_keyring,
    encode_key,
    generate_keyring,
    keyring_from_strings,
    load_keyring,
    pending_key_file,
    read_key_file,
    write_key_file,
)

KEK1 = encode_key(b"\x01" * 32)
KEK2 = encode_key(b"\x02" * 32)
PEPPER = encode_key(b"\x03" * 32)
AUDIT = encode_key(b"\x04" * 32)


def _same_keys(a: KeyRing, b: KeyRing) -> bool:
    return (
        a.kek_versions == b.kek_versions
        and a.current_kek_version == b.current_kek_version
        and all(a.kek(v) == b.kek(v) for v in a.kek_versions)
        and a.pepper == b.pepper
        and a.audit_key == b.audit_key
    )


@given(raw=st.binary())
def test_encode_then_decode_key_round_trips(raw: bytes) -> None:
    encoded = encode_key(raw)
    assert "=" not in encoded
    assert decode_key(encoded) == raw


@pytest.mark.parametrize("text", ["abc$", "a", "ab cd", "+/+/"])
def test_decode_key_refuses_characters_outside_base64url(text: str) -> None:
    with pytest.raises(KeyConfigError):
        decode_key(text)


def test_generated_ring_has_fresh_random_keys() -> None:
    first, second = generate_keyring(), generate_keyring()
    assert first.kek_versions == (1,)
    assert first.current_kek_version == 1
    assert first.kek(1) != second.kek(1)
    assert first.pepper != second.pepper
    assert first.audit_key != first.pepper


def test_dump_then_load_gives_the_same_ring() -> None:
    ring = generate_keyring().with_new_kek()
    text = dump_keyring(ring)
    document = json.loads(text)
    assert document["format"] == 1
    assert document["current_kek_version"] == 2
    assert sorted(document["keks"]) == ["1", "2"]
    assert _same_keys(load_keyring(text), ring)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        json.dumps({"format": 2}),
        json.dumps({"format": 1, "current_kek_version": 1, "keks": {}, "pepper": PEPPER}),
        json.dumps(
            {
                "format": 1,
                "current_kek_version": 1,
                "keks": {"one": KEK1},
                "pepper": PEPPER,
                "audit_key": AUDIT,
            }
        ),
        json.dumps(
            {
                "format": 1,
                "current_kek_version": 1,
                "keks": {"1": KEK1},
                "pepper": "%%%",
                "audit_key": AUDIT,
            }
        ),
    ],
)
def test_malformed_key_file_text_is_refused(text: str) -> None:
    with pytest.raises(KeyConfigError):
        load_keyring(text)


def test_key_file_is_written_with_mode_0600_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    ring = generate_keyring()
    write_key_file(path, ring)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _same_keys(read_key_file(path), ring)
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]


def test_key_file_is_0600_even_with_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        write_key_file(tmp_path / "keys.json", generate_keyring())
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "keys.json").stat().st_mode) == 0o600


def test_rewriting_the_key_file_replaces_it_atomically(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    write_key_file(path, generate_keyring())
    newer = generate_keyring().with_new_kek()
    write_key_file(path, newer)
    assert _same_keys(read_key_file(path), newer)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]


def test_key_file_in_a_missing_directory_creates_it_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "keys.json"
    write_key_file(path, generate_keyring())
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_key_file_accessible_to_others_is_refused_naming_path_and_mode(
    tmp_path: Path, mode: int
) -> None:
    path = tmp_path / "keys.json"
    ring = generate_keyring()
    write_key_file(path, ring)
    path.chmod(mode)
    with pytest.raises(KeyConfigError) as caught:
        read_key_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"{mode:04o}" in message
    assert encode_key(ring.kek(1)) not in message
    assert encode_key(ring.pepper) not in message


def test_missing_key_file_is_left_to_the_caller(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_key_file(tmp_path / "absent.json")


def test_keyring_from_strings_parses_versions_and_defaults_to_the_highest() -> None:
    ring = keyring_from_strings(f"1:{KEK1}, 2:{KEK2}", None, PEPPER, AUDIT)
    assert ring.kek_versions == (1, 2)
    assert ring.current_kek_version == 2
    assert ring.kek(1) == b"\x01" * 32
    assert ring.pepper == b"\x03" * 32
    assert ring.audit_key == b"\x04" * 32


def test_keyring_from_strings_honours_an_explicit_current_version() -> None:
    ring = keyring_from_strings(f"1:{KEK1},2:{KEK2}", 1, PEPPER, AUDIT)
    assert ring.current_kek_version == 1
    wrapped = ring.wrap(DataKey.generate(), context="conversation:1")
    assert wrapped.kek_version == 1


@pytest.mark.parametrize(
    ("keks", "current", "pepper", "audit_key", "setting", "secret"),
    [
        ("", None, PEPPER, AUDIT, "SOMESOSSU_KEKS", None),
        (KEK1, None, PEPPER, AUDIT, "SOMESOSSU_KEKS", KEK1),
        (f"1:{KEK1}x$", None, PEPPER, AUDIT, "SOMESOSSU_KEKS", KEK1),
        (
            f"1:{encode_key(b'k' * 16)}",
            None,
            PEPPER,
            AUDIT,
            "SOMESOSSU_KEKS",
            encode_key(b"k" * 16),
        ),
        (f"1:{KEK1},1:{KEK2}", None, PEPPER, AUDIT, "SOMESOSSU_KEKS", KEK2),
        (f"1:{KEK1}", 2, PEPPER, AUDIT, "SOMESOSSU_KEKS", KEK1),
        (f"1:{KEK1}", None, "", AUDIT, "SOMESOSSU_PEPPER", None),
        (f"1:{KEK1}", None, PEPPER + "!", AUDIT, "SOMESOSSU_PEPPER", PEPPER),
        (
            f"1:{KEK1}",
            None,
            encode_key(b"p" * 16),
            AUDIT,
            "SOMESOSSU_PEPPER",
            encode_key(b"p" * 16),
        ),
        (f"1:{KEK1}", None, PEPPER, "short", "SOMESOSSU_AUDIT_KEY", "short"),
    ],
)
def test_keyring_from_strings_errors_name_the_setting_never_the_value(
    keks: str,
    current: int | None,
    pepper: str,
    audit_key: str,
    setting: str,
    secret: str | None,
) -> None:
    with pytest.raises(KeyConfigError) as caught:
        keyring_from_strings(keks, current, pepper, audit_key)
    message = str(caught.value)
    assert setting in message
    if secret is not None:
        assert secret not in message
    assert caught.value.__cause__ is None


def test_replacing_the_key_file_overwrites_the_old_files_bytes(tmp_path: Path) -> None:
    # A second name for the old file shows what became of its bytes: a KEK dropped from the
    # ring (a destroyed key epoch) must not stay readable in them.
    path = tmp_path / "keys.json"
    ring = generate_keyring().with_new_kek()
    write_key_file(path, ring)
    old = tmp_path / "old-name"
    os.link(path, old)
    size = old.stat().st_size
    write_key_file(path, ring.without_kek(1))
    assert old.read_bytes() == bytes(size)
    assert read_key_file(path).kek_versions == (2,)


def test_a_pending_rotations_kek_is_read_beside_the_key_file_but_never_current(
    tmp_path: Path,
) -> None:
    path = tmp_path / "keys.json"
    ring = generate_keyring()
    write_key_file(path, ring)
    staged = ring.with_new_kek()
    write_key_file(pending_key_file(path), staged)
    merged = read_key_file(path)
    assert merged.kek_versions == (1, 2) and merged.current_kek_version == 1
    assert merged.kek(2) == staged.kek(2)
    assert read_key_file(path, with_pending=False).kek_versions == (1,)


def test_a_pending_file_of_another_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    write_key_file(path, generate_keyring())
    write_key_file(pending_key_file(path), generate_keyring().with_new_kek())
    with pytest.raises(KeyConfigError, match="another key file"):
        read_key_file(path)
