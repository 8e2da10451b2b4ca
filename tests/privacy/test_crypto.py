"""Tests of envelope encryption: sealing, key wrapping, rotation and crypto-shredding."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from privacy.crypto import (
    DataKey,
    KeyRing,
    Sealed,
    WrappedKey,
    seal,
    seal_bytes,
    unseal,
    unseal_bytes,
)
from privacy.errors import IntegrityError, KeyConfigError, KeyUnavailable, PrivacyError

PLAINTEXT = "Minulla on vaikea tilanne, soittakaa 040 1234567"


def make_ring() -> KeyRing:
    return KeyRing(
        keks={1: os.urandom(32)},
        current_kek_version=1,
        pepper=os.urandom(32),
        audit_key=os.urandom(32),
    )


@pytest.fixture
def data_key() -> DataKey:
    return DataKey.generate()


def test_seal_then_unseal_returns_the_text(data_key: DataKey) -> None:
    sealed = seal(data_key, PLAINTEXT, aad="message:42")
    assert unseal(data_key, sealed, aad="message:42") == PLAINTEXT


def test_sealed_bytes_do_not_contain_the_plaintext(data_key: DataKey) -> None:
    sealed = seal(data_key, PLAINTEXT, aad="message:42")
    assert PLAINTEXT.encode() not in sealed.blob
    assert b"040 1234567" not in sealed.blob


def test_wire_format_is_format_byte_nonce_ciphertext_and_tag(data_key: DataKey) -> None:
    sealed = seal_bytes(data_key, b"abc", aad="x")
    assert sealed.blob[0] == 0x01
    assert len(sealed.blob) == 1 + 12 + 3 + 16


@given(text=st.text(), aad=st.text())
def test_any_text_round_trips(text: str, aad: str) -> None:
    key = DataKey(b"k" * 32)
    assert unseal(key, seal(key, text, aad=aad), aad=aad) == text


@given(payload=st.binary())
def test_any_bytes_round_trip(payload: bytes) -> None:
    key = DataKey(b"k" * 32)
    assert unseal_bytes(key, seal_bytes(key, payload, aad="a"), aad="a") == payload


def test_wrong_associated_data_is_an_integrity_error(data_key: DataKey) -> None:
    sealed = seal(data_key, PLAINTEXT, aad="message:42")
    with pytest.raises(IntegrityError):
        unseal(data_key, sealed, aad="message:43")


def test_wrong_key_is_an_integrity_error(data_key: DataKey) -> None:
    sealed = seal(data_key, PLAINTEXT, aad="message:42")
    with pytest.raises(IntegrityError):
        unseal(DataKey.generate(), sealed, aad="message:42")


@pytest.mark.parametrize("position", [0, 1, 12, 13, -1])
def test_any_flipped_bit_is_an_integrity_error(data_key: DataKey, position: int) -> None:
    blob = bytearray(seal(data_key, PLAINTEXT, aad="message:42").blob)
    blob[position] ^= 0x01
    with pytest.raises(IntegrityError):
        unseal(data_key, Sealed.from_bytes(bytes(blob)), aad="message:42")


def test_truncated_sealed_value_is_an_integrity_error() -> None:
    with pytest.raises(IntegrityError):
        Sealed(b"\x01" + b"\x00" * 20)


def test_integrity_error_is_a_privacy_error(data_key: DataKey) -> None:
    sealed = seal(data_key, PLAINTEXT, aad="a")
    with pytest.raises(PrivacyError):
        unseal(data_key, sealed, aad="b")


def test_error_message_never_contains_plaintext_or_aad(data_key: DataKey) -> None:
    sealed = seal(data_key, PLAINTEXT, aad="reply-address:secret-room")
    with pytest.raises(IntegrityError) as caught:
        unseal(DataKey.generate(), sealed, aad="reply-address:secret-room")
    assert "secret-room" not in str(caught.value)
    assert PLAINTEXT not in str(caught.value)


def test_sealed_is_not_a_string_and_refuses_one() -> None:
    assert not issubclass(Sealed, str)
    with pytest.raises(TypeError):
        Sealed("plaintext that should have been sealed")  # type: ignore[arg-type]


def test_sealed_round_trips_through_bytes_and_is_hashable(data_key: DataKey) -> None:
    sealed = seal(data_key, PLAINTEXT, aad="a")
    again = Sealed.from_bytes(bytes(sealed))
    assert again == sealed
    assert len({sealed, again}) == 1


def test_sealed_accepts_memoryview_from_database_drivers(data_key: DataKey) -> None:
    sealed = seal(data_key, PLAINTEXT, aad="a")
    assert Sealed(memoryview(sealed.blob)) == sealed  # type: ignore[arg-type]


def test_sealing_the_same_text_twice_gives_different_ciphertexts(data_key: DataKey) -> None:
    assert seal(data_key, PLAINTEXT, aad="a") != seal(data_key, PLAINTEXT, aad="a")


def test_nonces_are_unique_over_many_seals(data_key: DataKey) -> None:
    nonces = {seal(data_key, "x", aad="a").blob[1:13] for _ in range(10_000)}
    assert len(nonces) == 10_000


def test_reprs_show_no_key_or_ciphertext_bytes(data_key: DataKey) -> None:
    ring = make_ring()
    sealed = seal(data_key, PLAINTEXT, aad="a")
    wrapped = ring.wrap(data_key, context="conversation:1")
    assert repr(sealed) == f"Sealed(<{len(sealed.blob)} bytes>)"
    assert repr(data_key) == "DataKey(<hidden>)"
    assert repr(ring) == "KeyRing(kek_versions=(1,), current_kek_version=1)"
    assert str(data_key.material) not in repr(data_key)
    for secret in (ring.kek(1), ring.pepper, ring.audit_key, wrapped.blob):
        assert str(secret) not in repr(ring) + repr(wrapped) + str(ring)
        assert secret.hex() not in repr(ring) + repr(wrapped)


def test_data_key_must_be_32_bytes() -> None:
    with pytest.raises(KeyConfigError):
        DataKey(b"short")


def test_wrap_then_unwrap_returns_the_data_key(data_key: DataKey) -> None:
    ring = make_ring()
    wrapped = ring.wrap(data_key, context="conversation:7")
    assert wrapped.kek_version == 1
    assert ring.unwrap(wrapped, context="conversation:7") == data_key


def test_unwrap_with_other_context_is_an_integrity_error(data_key: DataKey) -> None:
    ring = make_ring()
    wrapped = ring.wrap(data_key, context="conversation:7")
    with pytest.raises(IntegrityError):
        ring.unwrap(wrapped, context="conversation:8")


def test_unwrap_with_another_ring_is_an_integrity_error(data_key: DataKey) -> None:
    wrapped = make_ring().wrap(data_key, context="conversation:7")
    with pytest.raises(IntegrityError):
        make_ring().unwrap(wrapped, context="conversation:7")


def test_wrapped_key_round_trips_through_one_column(data_key: DataKey) -> None:
    ring = make_ring().with_new_kek(version=300)
    wrapped = ring.wrap(data_key, context="pii-vault:3")
    restored = WrappedKey.from_bytes(wrapped.to_bytes())
    assert restored == wrapped
    assert restored.kek_version == 300
    assert ring.unwrap(restored, context="pii-vault:3") == data_key


def test_relabelled_kek_version_does_not_unwrap(data_key: DataKey) -> None:
    ring = make_ring().with_new_kek(version=2, key=b"\x07" * 32)
    ring = ring.with_new_kek(version=3, key=b"\x07" * 32)
    wrapped = ring.wrap(data_key, context="conversation:1")
    relabelled = WrappedKey(kek_version=2, blob=wrapped.blob)
    with pytest.raises(IntegrityError):
        ring.unwrap(relabelled, context="conversation:1")


def test_malformed_wrapped_key_bytes_are_an_integrity_error() -> None:
    with pytest.raises(IntegrityError):
        WrappedKey.from_bytes(b"\x01\x00\x00\x00\x01short")


def test_rewrap_after_rotation_opens_old_data(data_key: DataKey) -> None:
    ring = make_ring()
    wrapped_v1 = ring.wrap(data_key, context="conversation:5")
    sealed = seal(data_key, PLAINTEXT, aad="message:9")

    rotated = ring.with_new_kek()
    assert rotated.current_kek_version == 2
    assert rotated.kek_versions == (1, 2)
    wrapped_v2 = rotated.rewrap(wrapped_v1, context="conversation:5")
    assert wrapped_v2.kek_version == 2

    retired = rotated.without_kek(1)
    opened_key = retired.unwrap(wrapped_v2, context="conversation:5")
    assert unseal(opened_key, sealed, aad="message:9") == PLAINTEXT


def test_rotation_leaves_the_old_ring_unchanged() -> None:
    ring = make_ring()
    ring.with_new_kek()
    assert ring.kek_versions == (1,)
    assert ring.current_kek_version == 1


def test_retired_kek_without_rewrap_is_key_unavailable(data_key: DataKey) -> None:
    ring = make_ring()
    wrapped_v1 = ring.wrap(data_key, context="conversation:5")
    retired = ring.with_new_kek().without_kek(1)
    with pytest.raises(KeyUnavailable):
        retired.unwrap(wrapped_v1, context="conversation:5")


class _Store:
    """Stand-in for the store: wrapped keys and sealed messages in separate tables."""

    def __init__(self) -> None:
        self.wrapped_keys: dict[str, bytes] = {}
        self.messages: dict[str, bytes] = {}

    def read(self, ring: KeyRing, conversation: str, message: str) -> str:
        stored = self.wrapped_keys.get(conversation)
        if stored is None:
            raise KeyUnavailable("data key destroyed")
        data_key = ring.unwrap(WrappedKey.from_bytes(stored), context=conversation)
        return unseal(data_key, Sealed.from_bytes(self.messages[message]), aad=message)


def _store_one_message(ring: KeyRing) -> _Store:
    store = _Store()
    data_key = DataKey.generate()
    store.wrapped_keys["conversation:5"] = ring.wrap(data_key, context="conversation:5").to_bytes()
    store.messages["message:9"] = bytes(seal(data_key, PLAINTEXT, aad="message:9"))
    return store


def test_dropping_the_wrapped_key_shreds_the_data() -> None:
    ring = make_ring()
    store = _store_one_message(ring)
    assert store.read(ring, "conversation:5", "message:9") == PLAINTEXT

    del store.wrapped_keys["conversation:5"]  # what erasing a conversation does

    with pytest.raises(KeyUnavailable):
        store.read(ring, "conversation:5", "message:9")
    # The ciphertext itself is still there (as in a backup) and no key in the ring opens it.
    for version in ring.kek_versions:
        with pytest.raises(IntegrityError):
            unseal(DataKey(ring.kek(version)), Sealed(store.messages["message:9"]), aad="message:9")


def test_backup_with_the_wrapped_key_becomes_unreadable_once_its_kek_is_retired() -> None:
    ring = make_ring()
    store = _store_one_message(ring)
    backup = _Store()
    backup.wrapped_keys = dict(store.wrapped_keys)
    backup.messages = dict(store.messages)
    del store.wrapped_keys["conversation:5"]

    # Rotation rewraps only the live keys; the shredded conversation has none left.
    rotated = ring.with_new_kek()
    for context, stored in store.wrapped_keys.items():
        store.wrapped_keys[context] = rotated.rewrap(
            WrappedKey.from_bytes(stored), context=context
        ).to_bytes()
    retired = rotated.without_kek(1)

    with pytest.raises(KeyUnavailable):
        backup.read(retired, "conversation:5", "message:9")


def test_current_kek_cannot_be_retired() -> None:
    with pytest.raises(KeyConfigError):
        make_ring().without_kek(1)


def test_adding_an_existing_kek_version_is_refused() -> None:
    with pytest.raises(KeyConfigError):
        make_ring().with_new_kek(version=1)


@pytest.mark.parametrize(
    ("keks", "current", "pepper", "audit_key"),
    [
        ({}, 1, b"p" * 32, b"a" * 32),
        ({1: b"k" * 31}, 1, b"p" * 32, b"a" * 32),
        ({1: b"k" * 32}, 2, b"p" * 32, b"a" * 32),
        ({0: b"k" * 32}, 0, b"p" * 32, b"a" * 32),
        ({1: b"k" * 32}, 1, b"p" * 31, b"a" * 32),
        ({1: b"k" * 32}, 1, b"p" * 32, b"a" * 31),
    ],
)
def test_key_ring_refuses_bad_material(
    keks: dict[int, bytes], current: int, pepper: bytes, audit_key: bytes
) -> None:
    with pytest.raises(KeyConfigError) as caught:
        KeyRing(keks, current, pepper, audit_key)
    assert "kkkk" not in str(caught.value)
