from __future__ import annotations

import os

import pytest
from sqlmodel import delete, select

from bot.app import Service
from bot.config import ConfigError
from bot.keys import secure_key_ring
from bot.sealing import KeyPurpose, KeyStore
from bot.store.key_ring import (
    KeyRingMismatch,
    check_key_ring,
    fingerprint,
    record_key_ring,
    recorded_fingerprints,
)
from bot.store.tables import KeyRingFingerprint
from privacy.crypto import KEY_BYTES, KeyRing
from privacy.keyfile import encode_key, generate_keyring


def _ring(
    base: KeyRing,
    *,
    keks: dict[int, bytes] | None = None,
    current: int | None = None,
    pepper: bytes | None = None,
    audit_key: bytes | None = None,
) -> KeyRing:
    keks = keks if keks is not None else {v: base.kek(v) for v in base.kek_versions}
    return KeyRing(
        keks=keks,
        current_kek_version=current if current is not None else max(keks),
        pepper=pepper if pepper is not None else base.pepper,
        audit_key=audit_key if audit_key is not None else base.audit_key,
    )


async def _add_data_key(service: Service, owner: str = "c1") -> None:
    async with service.core.database.session() as session:
        service.core.keys.create(session, owner, KeyPurpose.CONVERSATION)


async def _check(service: Service, ring: KeyRing) -> None:
    async with service.core.database.session() as session:
        await check_key_ring(session, ring, source="the key file k.json")


async def test_start_up_records_fingerprints_that_reveal_no_key(service: Service) -> None:
    ring = service.core.keyring
    async with service.core.database.session() as session:
        recorded = {(p.kind, p.version): p.value for p in await recorded_fingerprints(session)}
    assert set(recorded) == {("kek", 1), ("pepper", 0), ("audit_key", 0)}
    assert recorded[("kek", 1)] == fingerprint("kek", 1, ring.kek(1))
    for secret in (ring.kek(1), ring.pepper, ring.audit_key):
        for shown in (secret.hex(), encode_key(secret)):
            assert all(shown[:8] not in value for value in recorded.values())
    await _check(service, ring)  # the ring that wrote it passes


async def test_a_ring_lacking_the_kek_version_that_wrote_data_is_refused_naming_it(
    service: Service,
) -> None:
    await _add_data_key(service)
    ring = service.core.keyring
    only_two = _ring(ring, keks={2: os.urandom(KEY_BYTES)})
    shown = fingerprint("kek", 1, ring.kek(1))[:8]
    with pytest.raises(KeyRingMismatch) as raised:
        await _check(service, only_two)
    assert str(raised.value) == (
        f"the key file k.json lacks KEK version 1 that wrote this database (fingerprint {shown})"
    )


async def test_another_instances_keys_are_refused_and_each_wrong_key_is_named(
    service: Service,
) -> None:
    await _add_data_key(service)
    ring = service.core.keyring
    with pytest.raises(KeyRingMismatch, match=r"KEK version 1 in the key file k\.json is not the"):
        await _check(service, generate_keyring())
    with pytest.raises(KeyRingMismatch, match=r"the pepper in the key file k\.json is not the"):
        await _check(service, _ring(ring, pepper=os.urandom(32)))
    audit = r"the audit key in the key file k\.json is not the"
    with pytest.raises(KeyRingMismatch, match=audit) as raised:
        await _check(service, _ring(ring, audit_key=os.urandom(32)))
    for secret in (ring.kek(1), ring.pepper, ring.audit_key):
        assert encode_key(secret) not in str(raised.value)


async def test_a_kek_version_retired_after_a_full_rewrap_is_no_longer_required(
    service: Service,
) -> None:
    ring = service.core.keyring
    newer = _ring(ring, keks={1: ring.kek(1), 2: os.urandom(KEY_BYTES)}, current=2)
    async with service.core.database.session() as session:
        await check_key_ring(session, newer)
        await record_key_ring(session, newer)  # what rotation does once it re-wrapped all
    only_two = _ring(newer, keks={2: newer.kek(2)})
    await _check(service, only_two)  # no data key is wrapped under version 1
    async with service.core.database.session() as session:
        await record_key_ring(session, only_two)
        versions = {p.version for p in await recorded_fingerprints(session) if p.kind == "kek"}
    assert versions == {2}
    async with service.core.database.session() as session:  # data written with the new ring
        KeyStore(only_two).create(session, "c2", KeyPurpose.CONVERSATION)
    with pytest.raises(KeyRingMismatch, match="lacks KEK version 2"):
        await _check(service, ring)  # the old key file no longer opens this database


async def test_a_database_from_before_fingerprints_is_checked_against_what_its_keys_wrote(
    service: Service,
) -> None:
    # Written before migration 0005: nothing recorded, but data keys and an audit trail.
    from bot.actions.context import SYSTEM
    from bot.actions.users import create_user
    from bot.roles import Role

    await _add_data_key(service)
    await create_user(service.core, SYSTEM, username="anna", role=Role.ADMIN, password="x" * 12)
    async with service.core.database.session() as session:
        await session.execute(delete(KeyRingFingerprint))
    ring = service.core.keyring
    with pytest.raises(KeyRingMismatch, match="does not open the data keys"):
        await _check(service, _ring(ring, keks={1: os.urandom(KEY_BYTES)}))
    with pytest.raises(KeyRingMismatch, match="lacks KEK version 1 that wrote this database"):
        await _check(service, _ring(ring, keks={2: os.urandom(KEY_BYTES)}))
    with pytest.raises(KeyRingMismatch, match=r"the audit key in the key file k\.json"):
        await _check(service, _ring(ring, audit_key=os.urandom(32)))
    await _check(service, ring)


async def test_a_missing_development_key_file_is_not_reinvented_for_a_database_with_data(
    service: Service,
) -> None:
    # The PostgreSQL path of bot/keys.py: a new ring is only written for an unwritten database.
    settings = service.settings
    settings.key_file.unlink()
    with pytest.raises(ConfigError, match=r"holds data but the key file .* does not exist"):
        await secure_key_ring(settings, service.core.database, generate_keyring())
    assert not settings.key_file.exists()
    async with service.core.database.session() as session:
        rows = (await session.execute(select(KeyRingFingerprint))).scalars().all()
    assert fingerprint("pepper", 0, service.core.keyring.pepper) in {r.fingerprint for r in rows}
