"""Key ring from settings strings or from the development key file, and writing that file safely.

Never puts a key or a setting's value into an error; never lets others read a key file.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
import re
import secrets
import stat
from pathlib import Path
from typing import Final

from privacy.crypto import KEY_BYTES, MIN_SECRET_BYTES, KeyRing
from privacy.errors import KeyConfigError

__all__ = [
    "KEY_FILE_FORMAT",
    "decode_key",
    "dump_keyring",
    "encode_key",
    "generate_keyring",
    "keyring_from_strings",
    "load_keyring",
    "pending_key_file",
    "read_key_file",
    "with_pending_keks",
    "write_key_file",
    "write_private_file",
]

KEY_FILE_FORMAT: Final = 1

SETTING_KEKS: Final = "SOMESOSSU_KEKS"
SETTING_PEPPER: Final = "SOMESOSSU_PEPPER"
SETTING_AUDIT_KEY: Final = "SOMESOSSU_AUDIT_KEY"

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_VERSION_TEXT = re.compile(r"[0-9]{1,10}")


def encode_key(raw: bytes) -> str:
    """Base64url without padding: safe in environment variables, .env files and JSON."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_key(text: str) -> bytes:
    """Inverse of :func:`encode_key`; tolerates padding and surrounding whitespace."""
    # Strict alphabet check: the stdlib decoder silently skips stray characters, which would
    # turn a typo into a different, shorter key instead of an error.
    stripped = text.strip().rstrip("=")
    if not _BASE64URL.fullmatch(stripped) or len(stripped) % 4 == 1:
        raise KeyConfigError("not valid base64url")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError):
        raise KeyConfigError("not valid base64url") from None


def generate_keyring() -> KeyRing:
    """A fresh ring: random KEK version 1, pepper and audit key. For development only."""
    return KeyRing(
        keks={1: os.urandom(KEY_BYTES)},
        current_kek_version=1,
        pepper=os.urandom(MIN_SECRET_BYTES),
        audit_key=os.urandom(MIN_SECRET_BYTES),
    )


def dump_keyring(ring: KeyRing) -> str:
    """The key file's JSON text. Contains every secret: write it only with write_key_file."""
    document = {
        "format": KEY_FILE_FORMAT,
        "current_kek_version": ring.current_kek_version,
        "keks": {str(v): encode_key(ring.kek(v)) for v in ring.kek_versions},
        "pepper": encode_key(ring.pepper),
        "audit_key": encode_key(ring.audit_key),
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def load_keyring(text: str) -> KeyRing:
    """Parse the key file's JSON text; KeyConfigError naming the field that is wrong."""
    try:
        document = json.loads(text)
    except ValueError:
        # `from None`: a JSONDecodeError carries the whole document, keys included.
        raise KeyConfigError("key file is not valid JSON") from None
    if not isinstance(document, dict):
        raise KeyConfigError("key file must hold a JSON object")
    if document.get("format") != KEY_FILE_FORMAT:
        raise KeyConfigError(f"key file format must be {KEY_FILE_FORMAT}")
    current = document.get("current_kek_version")
    if not isinstance(current, int) or isinstance(current, bool):
        raise KeyConfigError("key file field current_kek_version must be an integer")
    raw_keks = document.get("keks")
    if not isinstance(raw_keks, dict) or not raw_keks:
        raise KeyConfigError("key file field keks must be a non-empty object")
    keks: dict[int, bytes] = {}
    for version_text, encoded in raw_keks.items():
        if not _VERSION_TEXT.fullmatch(version_text):
            raise KeyConfigError("key file field keks has a version that is not a number")
        keks[int(version_text)] = _decode_field(encoded, f"keks.{int(version_text)}")
    return KeyRing(
        keks=keks,
        current_kek_version=current,
        pepper=_decode_field(document.get("pepper"), "pepper"),
        audit_key=_decode_field(document.get("audit_key"), "audit_key"),
    )


def _decode_field(value: object, field: str) -> bytes:
    if not isinstance(value, str):
        raise KeyConfigError(f"key file field {field} must be a base64url string")
    try:
        return decode_key(value)
    except KeyConfigError:
        raise KeyConfigError(f"key file field {field} is not valid base64url") from None


def write_private_file(path: Path, data: bytes, *, overwrite_previous: bool = False) -> None:
    """Atomically replace ``path`` with ``data``, mode 0600 from the first byte on.

    A reader sees either the old file or the complete new one, never a half-written one.
    With ``overwrite_previous`` the replaced file's bytes are then overwritten with zeros,
    so that a destroyed key does not linger in them (on file systems that write in place;
    copy-on-write ones and SSD wear levelling may keep old blocks: see docs/privacy.md).
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    previous = _open_previous(path) if overwrite_previous else None
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    # O_EXCL: never write into a file (or symlink) someone else prepared at that name.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        # The umask can only remove bits from 0600; fchmod makes the mode exact either way.
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        if previous is not None:
            os.close(previous)
        raise
    _fsync_directory(path.parent)
    if previous is not None:
        _zero_and_close(previous)


def _open_previous(path: Path) -> int | None:
    # Opened before the rename: afterwards the name is the new file and the old one has no
    # name left to open it by.
    try:
        return os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None


def _zero_and_close(descriptor: int) -> None:
    # Only after the new file is durable under the name: a crash in between loses nothing.
    try:
        size = os.fstat(descriptor).st_size
        if size:
            os.pwrite(descriptor, bytes(size), 0)
            os.fsync(descriptor)
    except OSError:
        pass  # best effort: the new file is in place either way
    finally:
        os.close(descriptor)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, hence best effort.
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def write_key_file(path: Path, ring: KeyRing) -> None:
    """Write the development key file: atomic, mode 0600, never world-readable for an instant.

    The replaced file is overwritten with zeros, so that a KEK dropped from the ring (a
    destroyed key epoch) does not stay readable in the old file's blocks.
    """
    write_private_file(path, dump_keyring(ring).encode("utf-8"), overwrite_previous=True)


def pending_key_file(path: Path) -> Path:
    """Where key rotation keeps a new KEK version until every data key is re-wrapped under it.

    The key file itself changes only once the re-wrap succeeded; a rotation that fails before
    any key was re-wrapped deletes the pending file, so the key file is as it was.
    """
    return path.with_name(path.name + ".pending")


def read_key_file(path: Path, *, with_pending: bool = True) -> KeyRing:
    """Load the key file; KeyConfigError if group or others have any access to it.

    With ``with_pending`` the KEKs of a rotation that was interrupted (the pending file
    beside it) are added as non-current versions: data keys it already re-wrapped stay
    readable until the rotation is run again and completes.

    FileNotFoundError is left to the caller, which decides whether to generate a new file.
    """
    ring = _read_one_key_file(path)
    pending_path = pending_key_file(path)
    if not with_pending or not pending_path.exists():
        return ring
    return with_pending_keks(ring, _read_one_key_file(pending_path), pending_path)


def with_pending_keks(ring: KeyRing, pending: KeyRing, pending_path: Path) -> KeyRing:
    """``ring`` plus the KEKs only ``pending`` holds, ``ring``'s current version kept."""
    same_secrets = hmac.compare_digest(pending.pepper, ring.pepper) and hmac.compare_digest(
        pending.audit_key, ring.audit_key
    )
    if not same_secrets:
        raise KeyConfigError(f"pending key file {pending_path} belongs to another key file")
    keks = {version: ring.kek(version) for version in ring.kek_versions}
    for version in pending.kek_versions:
        if version in keks and keks[version] != pending.kek(version):
            raise KeyConfigError(
                f"pending key file {pending_path} has another KEK version {version} than "
                "the key file"
            )
        keks[version] = pending.kek(version)
    return KeyRing(keks, ring.current_kek_version, ring.pepper, ring.audit_key)


def _read_one_key_file(path: Path) -> KeyRing:
    with path.open("rb") as stream:
        # fstat on the open file, not stat on the name: no window to swap the file between.
        mode = stat.S_IMODE(os.fstat(stream.fileno()).st_mode)
        if os.name == "posix" and mode & 0o077:
            raise KeyConfigError(
                f"key file {path} has mode {mode:04o}; it must not be accessible to group "
                f"or others (chmod 600 {path})"
            )
        text = stream.read().decode("utf-8", errors="replace")
    return load_keyring(text)


def keyring_from_strings(keks: str, current: int | None, pepper: str, audit_key: str) -> KeyRing:
    """Build the ring from production settings.

    ``keks`` is ``"1:<base64url>,2:<base64url>"``; ``current`` defaults to the highest
    version. Errors name the setting and the entry number, never a value.
    """
    parsed: dict[int, bytes] = {}
    entries = [entry.strip() for entry in keks.split(",") if entry.strip()]
    if not entries:
        raise KeyConfigError(f"{SETTING_KEKS} is empty; expected 1:<base64url key>,...")
    for position, entry in enumerate(entries, start=1):
        version_text, separator, encoded = entry.partition(":")
        if not separator or not _VERSION_TEXT.fullmatch(version_text.strip()):
            raise KeyConfigError(
                f"{SETTING_KEKS} entry {position} is not of the form <version>:<base64url key>"
            )
        version = int(version_text)
        if version < 1:
            raise KeyConfigError(f"{SETTING_KEKS} entry {position} has version 0; start at 1")
        if version in parsed:
            raise KeyConfigError(f"{SETTING_KEKS} lists version {version} twice")
        try:
            raw = decode_key(encoded)
        except KeyConfigError:
            raise KeyConfigError(
                f"{SETTING_KEKS} entry {position} (version {version}) is not valid base64url"
            ) from None
        if len(raw) != KEY_BYTES:
            raise KeyConfigError(
                f"{SETTING_KEKS} entry {position} (version {version}) must decode to "
                f"{KEY_BYTES} bytes"
            )
        parsed[version] = raw
    current_version = max(parsed) if current is None else current
    if current_version not in parsed:
        raise KeyConfigError(f"current KEK version {current_version} is not in {SETTING_KEKS}")
    return KeyRing(
        keks=parsed,
        current_kek_version=current_version,
        pepper=_decode_setting(pepper, SETTING_PEPPER),
        audit_key=_decode_setting(audit_key, SETTING_AUDIT_KEY),
    )


def _decode_setting(value: str, setting: str) -> bytes:
    if not value.strip():
        raise KeyConfigError(f"{setting} is empty")
    try:
        raw = decode_key(value)
    except KeyConfigError:
        raise KeyConfigError(f"{setting} is not valid base64url") from None
    if len(raw) < MIN_SECRET_BYTES:
        raise KeyConfigError(f"{setting} must decode to at least {MIN_SECRET_BYTES} bytes")
    return raw
