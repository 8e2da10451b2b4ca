"""Envelope encryption: a key ring of KEKs wraps per-conversation data keys that seal values.

Never logs, prints or puts into an exception message any key or plaintext; never reuses a nonce.
"""

from __future__ import annotations

import hmac
import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from privacy.errors import IntegrityError, KeyConfigError, KeyUnavailable

__all__ = [
    "KEY_BYTES",
    "MIN_SECRET_BYTES",
    "DataKey",
    "KeyRing",
    "Sealed",
    "WrappedKey",
    "seal",
    "seal_bytes",
    "unseal",
    "unseal_bytes",
]

KEY_BYTES: Final = 32
"""AES-256: every KEK and data key is exactly this long."""

MIN_SECRET_BYTES: Final = 32
"""The pepper and the audit key are HMAC keys; shorter ones would weaken the 256-bit MACs."""

_SEALED_FORMAT: Final = 0x01
_WRAPPED_FORMAT: Final = 0x01
_NONCE_BYTES: Final = 12
_TAG_BYTES: Final = 16
_SEALED_MIN_BYTES: Final = 1 + _NONCE_BYTES + _TAG_BYTES
_WRAPPED_BLOB_BYTES: Final = _NONCE_BYTES + KEY_BYTES + _TAG_BYTES
_VERSION = struct.Struct(">I")

# Distinct labels keep a sealed value and a wrapped key from ever being accepted as each
# other, even if a caller mixed up which key goes where.
_SEAL_LABEL: Final = b"somesossu/seal/v1\x00"
_WRAP_LABEL: Final = b"somesossu/wrap/v1\x00"


def _bytes_like(value: object, what: str) -> bytes:
    # Database drivers hand back bytes, bytearray or memoryview; a str is always a mistake
    # (most likely plaintext about to be stored), so it is refused rather than encoded.
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"{what} must be bytes, not {type(value).__name__}")


@dataclass(frozen=True, repr=False)
class Sealed:
    """Ciphertext of one value: format byte 0x01, 12-byte random nonce, AES-256-GCM output.

    Deliberately not a ``str``: the store's sealed column accepts ``Sealed`` and refuses text,
    so plaintext cannot be written where ciphertext belongs by accident.
    """

    blob: bytes

    def __post_init__(self) -> None:
        blob = _bytes_like(self.blob, "Sealed.blob")
        object.__setattr__(self, "blob", blob)
        if len(blob) < _SEALED_MIN_BYTES or blob[0] != _SEALED_FORMAT:
            raise IntegrityError("sealed value is malformed or of an unknown format")

    @classmethod
    def from_bytes(cls, data: bytes) -> Sealed:
        return cls(data)

    def __bytes__(self) -> bytes:
        return self.blob

    def __repr__(self) -> str:
        return f"Sealed(<{len(self.blob)} bytes>)"


@dataclass(frozen=True, repr=False)
class DataKey:
    """A random 256-bit key that seals the values of one conversation or one PII vault."""

    material: bytes

    def __post_init__(self) -> None:
        material = _bytes_like(self.material, "DataKey.material")
        object.__setattr__(self, "material", material)
        if len(material) != KEY_BYTES:
            raise KeyConfigError(f"a data key must be {KEY_BYTES} bytes")

    @classmethod
    def generate(cls) -> DataKey:
        return cls(os.urandom(KEY_BYTES))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DataKey):
            return NotImplemented
        return hmac.compare_digest(self.material, other.material)

    def __hash__(self) -> int:
        return hash((DataKey, self.material))

    def __repr__(self) -> str:
        return "DataKey(<hidden>)"


def _seal_aad(aad: str) -> bytes:
    return _SEAL_LABEL + aad.encode("utf-8")


def seal_bytes(key: DataKey, plaintext: bytes, *, aad: str) -> Sealed:
    """Encrypt and authenticate ``plaintext``, bound to ``aad`` (e.g. ``"message:<id>"``)."""
    # 96-bit random nonces: with at most a few million values per data key the collision
    # probability stays far below NIST's 2^-32 budget for random GCM nonces.
    nonce = os.urandom(_NONCE_BYTES)
    body = AESGCM(key.material).encrypt(nonce, bytes(plaintext), _seal_aad(aad))
    return Sealed(bytes([_SEALED_FORMAT]) + nonce + body)


def unseal_bytes(key: DataKey, sealed: Sealed, *, aad: str) -> bytes:
    """Open a value sealed with :func:`seal_bytes`; IntegrityError on any mismatch."""
    if not isinstance(sealed, Sealed):
        raise TypeError(f"expected Sealed, not {type(sealed).__name__}")
    blob = sealed.blob
    nonce = blob[1 : 1 + _NONCE_BYTES]
    try:
        return AESGCM(key.material).decrypt(nonce, blob[1 + _NONCE_BYTES :], _seal_aad(aad))
    except InvalidTag:
        # `from None`: the chained exception adds nothing and tracebacks stay short.
        raise IntegrityError(
            "sealed value failed authentication (wrong key, wrong associated data or tampered)"
        ) from None


def seal(key: DataKey, plaintext: str, *, aad: str) -> Sealed:
    """Encrypt text as UTF-8; see :func:`seal_bytes`."""
    return seal_bytes(key, plaintext.encode("utf-8"), aad=aad)


def unseal(key: DataKey, sealed: Sealed, *, aad: str) -> str:
    """Open a value sealed with :func:`seal`; IntegrityError on any mismatch."""
    plaintext = unseal_bytes(key, sealed, aad=aad)
    try:
        return plaintext.decode("utf-8")
    except UnicodeDecodeError:
        raise IntegrityError("sealed value is not UTF-8 text (sealed with seal_bytes?)") from None


@dataclass(frozen=True, repr=False)
class WrappedKey:
    """A data key encrypted under one KEK version; what the store keeps instead of the key.

    Deleting the stored ``WrappedKey`` is what crypto-shreds everything sealed with the key.
    """

    kek_version: int
    blob: bytes

    def __post_init__(self) -> None:
        blob = _bytes_like(self.blob, "WrappedKey.blob")
        object.__setattr__(self, "blob", blob)
        _check_version(self.kek_version, IntegrityError)
        if len(blob) != _WRAPPED_BLOB_BYTES:
            raise IntegrityError("wrapped key is malformed")

    def to_bytes(self) -> bytes:
        """Format byte, 4-byte big-endian KEK version, then nonce + ciphertext + tag."""
        return bytes([_WRAPPED_FORMAT]) + _VERSION.pack(self.kek_version) + self.blob

    @classmethod
    def from_bytes(cls, data: bytes) -> WrappedKey:
        data = _bytes_like(data, "wrapped key")
        header = 1 + _VERSION.size
        if len(data) != header + _WRAPPED_BLOB_BYTES or data[0] != _WRAPPED_FORMAT:
            raise IntegrityError("wrapped key is malformed or of an unknown format")
        (version,) = _VERSION.unpack(data[1:header])
        return cls(kek_version=version, blob=data[header:])

    def __repr__(self) -> str:
        return f"WrappedKey(kek_version={self.kek_version}, <{len(self.blob)} bytes>)"


def _check_version(version: object, error: type[Exception]) -> int:
    # bool is an int subclass; True as a version is always a bug.
    if not isinstance(version, int) or isinstance(version, bool):
        raise error("a KEK version must be an integer")
    if not 1 <= version <= 0xFFFFFFFF:
        raise error("a KEK version must be between 1 and 4294967295")
    return version


def _wrap_aad(version: int, context: str) -> bytes:
    # The version is authenticated too, so relabelling a wrapped key's version cannot work.
    return _WRAP_LABEL + _VERSION.pack(version) + context.encode("utf-8")


class KeyRing:
    """The KEKs (by version), the pseudonym pepper and the audit key, validated on creation.

    Immutable: rotation returns a new ring, so a ring shared between tasks never changes
    under them.
    """

    __slots__ = ("_audit_key", "_current", "_keks", "_pepper")

    def __init__(
        self,
        keks: Mapping[int, bytes],
        current_kek_version: int,
        pepper: bytes,
        audit_key: bytes,
    ) -> None:
        if not keks:
            raise KeyConfigError("the key ring needs at least one KEK")
        checked: dict[int, bytes] = {}
        for version, kek in keks.items():
            _check_version(version, KeyConfigError)
            if not isinstance(kek, bytes | bytearray) or len(kek) != KEY_BYTES:
                raise KeyConfigError(f"KEK version {version} must be {KEY_BYTES} bytes")
            checked[version] = bytes(kek)
        _check_version(current_kek_version, KeyConfigError)
        if current_kek_version not in checked:
            raise KeyConfigError(f"current KEK version {current_kek_version} is not in the ring")
        for name, secret in (("pepper", pepper), ("audit key", audit_key)):
            if not isinstance(secret, bytes | bytearray) or len(secret) < MIN_SECRET_BYTES:
                raise KeyConfigError(f"the {name} must be at least {MIN_SECRET_BYTES} bytes")
        self._keks: Mapping[int, bytes] = MappingProxyType(checked)
        self._current = current_kek_version
        self._pepper = bytes(pepper)
        self._audit_key = bytes(audit_key)

    @property
    def kek_versions(self) -> tuple[int, ...]:
        return tuple(sorted(self._keks))

    @property
    def current_kek_version(self) -> int:
        return self._current

    @property
    def pepper(self) -> bytes:
        return self._pepper

    @property
    def audit_key(self) -> bytes:
        return self._audit_key

    def kek(self, version: int) -> bytes:
        """The raw KEK of ``version``; for the key file writer only."""
        try:
            return self._keks[version]
        except KeyError:
            raise KeyUnavailable(f"KEK version {version} is not in the key ring") from None

    def wrap(self, data_key: DataKey, *, context: str) -> WrappedKey:
        """Encrypt ``data_key`` under the current KEK, bound to ``context``."""
        version = self._current
        nonce = os.urandom(_NONCE_BYTES)
        body = AESGCM(self._keks[version]).encrypt(
            nonce, data_key.material, _wrap_aad(version, context)
        )
        return WrappedKey(kek_version=version, blob=nonce + body)

    def unwrap(self, wrapped: WrappedKey, *, context: str) -> DataKey:
        """Recover the data key; KeyUnavailable if its KEK version has been retired."""
        kek = self.kek(wrapped.kek_version)
        nonce, body = wrapped.blob[:_NONCE_BYTES], wrapped.blob[_NONCE_BYTES:]
        try:
            material = AESGCM(kek).decrypt(nonce, body, _wrap_aad(wrapped.kek_version, context))
        except InvalidTag:
            raise IntegrityError(
                "wrapped key failed authentication (wrong KEK, wrong context or tampered)"
            ) from None
        return DataKey(material)

    def rewrap(self, wrapped: WrappedKey, *, context: str) -> WrappedKey:
        """Re-encrypt a data key under the current KEK; the sealed values stay untouched."""
        data_key = self.unwrap(wrapped, context=context)
        rewrapped = self.wrap(data_key, context=context)
        # Verify before the caller overwrites the only copy: a bad rewrap would shred data.
        if self.unwrap(rewrapped, context=context) != data_key:
            raise IntegrityError("rewrapped key does not open to the same data key")
        return rewrapped

    def with_new_kek(self, version: int | None = None, key: bytes | None = None) -> KeyRing:
        """A new ring with an added KEK (random unless given) that becomes current."""
        new_version = max(self._keks) + 1 if version is None else version
        _check_version(new_version, KeyConfigError)
        if new_version in self._keks:
            raise KeyConfigError(f"KEK version {new_version} is already in the ring")
        keks = dict(self._keks)
        keks[new_version] = os.urandom(KEY_BYTES) if key is None else key
        return KeyRing(keks, new_version, self._pepper, self._audit_key)

    def without_kek(self, version: int) -> KeyRing:
        """A new ring without ``version``; only safe once every key wrapped by it is rewrapped."""
        if version == self._current:
            raise KeyConfigError(f"KEK version {version} is current and cannot be retired")
        if version not in self._keks:
            raise KeyConfigError(f"KEK version {version} is not in the ring")
        keks = {v: k for v, k in self._keks.items() if v != version}
        return KeyRing(keks, self._current, self._pepper, self._audit_key)

    def __repr__(self) -> str:
        return f"KeyRing(kek_versions={self.kek_versions}, current_kek_version={self._current})"
