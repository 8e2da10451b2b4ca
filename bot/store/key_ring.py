"""Which keys wrote this database: fingerprints recorded in it, and the check of a key ring.

Never stores, logs or puts into an error a key or anything from which a key could be derived:
only keyed fingerprints (HMAC of a fixed label), shown as short prefixes.

Contract, for every caller:

- `check_key_ring(session, ring, source=...)` reads only. It raises `KeyRingMismatch` naming
  the one key that is missing or different ("the key file data/keys.json lacks KEK version 3
  that wrote this database (fingerprint 1a2b3c4d)"). A KEK version counts as missing only
  while data keys wrapped under it remain, so a version retired after a complete re-wrap
  needs no ceremony. Where nothing is recorded yet (a database from before migration 0005)
  it checks the ring against what the keys wrote instead: one data key per KEK version is
  unwrapped and the audit chain's first record is checked against the audit key.
- `record_key_ring(session, ring)` records the ring as the one that writes this database from
  now on: a fingerprint for each of its KEK versions, the pepper and the audit key; recorded
  KEK versions the ring no longer holds are dropped. Call it after `check_key_ring` passed,
  or, as key rotation does, once every data key has been re-wrapped under the new ring.
- `adopt_key_ring(session, ring, source=...)` is what start-up does: check, then record.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, inspect, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import Executable
from sqlmodel import col, delete, select

from bot.config import ConfigError
from privacy.audit import AuditChain
from privacy.crypto import KeyRing
from privacy.errors import PrivacyError

from .audit import row_to_record
from .tables import AuditRow, DataKeyRow, KeyRingFingerprint, utcnow

KEK: Final = "kek"
PEPPER: Final = "pepper"
AUDIT_KEY: Final = "audit_key"

SHOWN_CHARS: Final = 8
"""How much of a fingerprint an error shows: enough to tell two key files apart."""

_ADOPT_LOCK_ID: Final = 0x5E55_4B45_5952  # any constant no other advisory lock uses
_LABEL: Final = b"somesossu key ring fingerprint v1\x00"
_KIND_NAMES: Final = {PEPPER: "the pepper", AUDIT_KEY: "the audit key"}


class KeyRingMismatch(ConfigError):
    """The keys at hand did not write this database; names the key, never its value."""


@dataclass(frozen=True, slots=True)
class Fingerprint:
    kind: str
    version: int
    value: str

    @property
    def shown(self) -> str:
        return self.value[:SHOWN_CHARS]


def fingerprint(kind: str, version: int, secret: bytes) -> str:
    """HMAC-SHA256 of a fixed, per-key label under the key itself, as 32 hex digits.

    A pseudorandom function of the key: equal fingerprints mean (to 128 bits) equal keys, and
    the fingerprint says nothing about the key to whoever reads the database.
    """
    label = _LABEL + f"{kind}:{version}".encode("ascii")
    return hmac.new(secret, label, hashlib.sha256).hexdigest()[:32]


def ring_fingerprints(ring: KeyRing) -> list[Fingerprint]:
    prints = [Fingerprint(KEK, v, fingerprint(KEK, v, ring.kek(v))) for v in ring.kek_versions]
    prints.append(Fingerprint(PEPPER, 0, fingerprint(PEPPER, 0, ring.pepper)))
    prints.append(Fingerprint(AUDIT_KEY, 0, fingerprint(AUDIT_KEY, 0, ring.audit_key)))
    return prints


def _name(kind: str, version: int) -> str:
    return f"KEK version {version}" if kind == KEK else _KIND_NAMES[kind]


async def recorded_fingerprints(session: AsyncSession) -> list[Fingerprint]:
    """What the database recorded; nothing for one not yet migrated to revision 0005."""
    present = await session.run_sync(
        lambda sync: inspect(sync.connection()).has_table(KeyRingFingerprint.__tablename__)
    )
    if not present:
        return []
    rows = (await session.execute(select(KeyRingFingerprint))).scalars()
    return [Fingerprint(row.kind, row.version, row.fingerprint) for row in rows]


async def _versions_in_use(session: AsyncSession) -> dict[int, int]:
    """KEK version -> how many data keys are still wrapped under it."""
    query = select(DataKeyRow.kek_version, func.count()).group_by(col(DataKeyRow.kek_version))
    return {int(version): int(count) for version, count in (await session.execute(query)).all()}


async def check_key_ring(
    session: AsyncSession, ring: KeyRing, *, source: str = "the key ring"
) -> None:
    """Raise KeyRingMismatch unless `ring` holds every key that wrote this database."""
    recorded = await recorded_fingerprints(session)
    in_use = await _versions_in_use(session)
    mine = {(p.kind, p.version): p for p in ring_fingerprints(ring)}
    for stored in sorted(recorded, key=lambda p: (p.kind != KEK, p.kind, p.version)):
        held = mine.get((stored.kind, stored.version))
        name = _name(stored.kind, stored.version)
        if held is None:
            if stored.kind == KEK and stored.version not in in_use:
                continue  # retired after a complete re-wrap: nothing needs it any more
            raise KeyRingMismatch(
                f"{source} lacks {name} that wrote this database (fingerprint {stored.shown})"
            )
        if not hmac.compare_digest(held.value, stored.value):
            raise KeyRingMismatch(
                f"{name} in {source} is not the one that wrote this database (fingerprint "
                f"{stored.shown} in the database, {held.shown} at hand)"
            )
    recorded_versions = {p.version for p in recorded if p.kind == KEK}
    for version in sorted(set(in_use) - recorded_versions):
        await _check_by_unwrapping(session, ring, version, in_use[version], source)
    if not any(p.kind == AUDIT_KEY for p in recorded):
        await _check_audit_key_by_chain(session, ring, source)


async def _check_by_unwrapping(
    session: AsyncSession, ring: KeyRing, version: int, count: int, source: str
) -> None:
    """No fingerprint for `version` (an older database): try it on one data key it wrapped."""
    if version not in ring.kek_versions:
        raise KeyRingMismatch(
            f"{source} lacks KEK version {version} that wrote this database "
            f"({count} data keys are wrapped under it)"
        )
    row = (
        await session.execute(select(DataKeyRow).where(DataKeyRow.kek_version == version).limit(1))
    ).scalar_one()
    try:
        ring.unwrap(row.wrapped, context=f"{row.purpose}:{row.owner_id}")
    except PrivacyError:
        raise KeyRingMismatch(
            f"KEK version {version} in {source} is not the one that wrote this database "
            "(it does not open the data keys wrapped under that version)"
        ) from None


async def _check_audit_key_by_chain(session: AsyncSession, ring: KeyRing, source: str) -> None:
    """No audit key fingerprint yet: the chain's first record starts from the key's genesis hash.

    The newest record is tried as well, so that one edited record alone is left to
    audit_verify to report as an edit instead of being blamed on the key.
    """
    first = (
        await session.execute(select(AuditRow).order_by(col(AuditRow.seq)).limit(1))
    ).scalar_one_or_none()
    if first is None:
        return
    chain = AuditChain(ring.audit_key)
    if hmac.compare_digest(first.prev_hash, chain.genesis_hash):
        return
    last = (
        await session.execute(select(AuditRow).order_by(col(AuditRow.seq).desc()).limit(1))
    ).scalar_one()
    if hmac.compare_digest(chain.expected_hash(row_to_record(last)), last.hash):
        return
    raise KeyRingMismatch(
        f"the audit key in {source} is not the one that wrote this database's audit trail "
        "(neither its first nor its newest record verifies)"
    )


async def record_key_ring(session: AsyncSession, ring: KeyRing) -> None:
    """Record `ring` as the one that writes this database from now on (see the module doc).

    An upsert per key, so instances starting at the same moment do not collide.
    """
    prints = ring_fingerprints(ring)
    await session.execute(
        delete(KeyRingFingerprint).where(
            col(KeyRingFingerprint.kind) == KEK,
            col(KeyRingFingerprint.version).not_in(ring.kek_versions),
        )
    )
    now = utcnow()
    values = [
        {"kind": p.kind, "version": p.version, "fingerprint": p.value, "recorded_at": now}
        for p in prints
    ]
    key = ["kind", "version"]
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        on_postgresql = postgresql_insert(KeyRingFingerprint).values(values)
        excluded = on_postgresql.excluded.fingerprint
        statement: Executable = on_postgresql.on_conflict_do_update(
            index_elements=key, set_={"fingerprint": excluded, "recorded_at": now}
        )
    else:
        on_sqlite = sqlite_insert(KeyRingFingerprint).values(values)
        excluded = on_sqlite.excluded.fingerprint
        statement = on_sqlite.on_conflict_do_update(
            index_elements=key, set_={"fingerprint": excluded, "recorded_at": now}
        )
    await session.execute(statement)


async def is_unwritten(session: AsyncSession) -> bool:
    """True for a database no key has written yet: no fingerprints, data keys or audit records."""
    for table in (KeyRingFingerprint, DataKeyRow, AuditRow):
        if (await session.execute(select(func.count()).select_from(table))).scalar_one():
            return False
    return True


async def adopt_key_ring(
    session: AsyncSession, ring: KeyRing, *, source: str = "the key ring"
) -> bool:
    """Start-up: check `ring` against this database, then record it. True if it was unwritten.

    On PostgreSQL instances starting together take turns (a transaction lock): the second sees
    what the first recorded instead of overwriting it.
    """
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _ADOPT_LOCK_ID})
    unwritten = await is_unwritten(session)
    await check_key_ring(session, ring, source=source)
    await record_key_ring(session, ring)
    return unwritten
