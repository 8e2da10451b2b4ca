"""Key rotation: add a KEK version, re-wrap every data key under it, then retire the old one.

Never writes a re-wrapped key before it has been unwrapped again and compared with the
original, and never retires a version that still wraps a key: either would shred data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import col, func, select

from bot.actions.context import Core, unit_of_work
from bot.config import Settings
from bot.sealing import KeyPurpose, key_context
from bot.store.tables import DataKeyRow
from privacy.audit import AuditAction
from privacy.crypto import KeyRing
from privacy.errors import IntegrityError, KeyConfigError, PrivacyError
from privacy.keyfile import read_key_file, write_key_file

from .common import OFFICER, OfficerError

BatchDone = Callable[[int], None]
"""Called after each committed batch with the number of keys it re-wrapped."""


@dataclass(frozen=True, slots=True)
class KeyStatus:
    current_version: int
    ring_versions: tuple[int, ...]
    keys_by_version: dict[int, int]
    source: str  # "settings" or the key file's path

    @property
    def outdated(self) -> int:
        return sum(n for v, n in self.keys_by_version.items() if v != self.current_version)

    @property
    def unreadable(self) -> int:
        """Keys wrapped by a version the ring no longer has: lost, like shredded ones."""
        return sum(n for v, n in self.keys_by_version.items() if v not in self.ring_versions)

    def as_json(self) -> dict[str, object]:
        return {
            "current_version": self.current_version,
            "ring_versions": list(self.ring_versions),
            "keys_by_version": {str(v): n for v, n in sorted(self.keys_by_version.items())},
            "outdated": self.outdated,
            "unreadable": self.unreadable,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class RewrapReport:
    to_version: int
    rewrapped: int
    failed: int
    remaining: int

    def as_json(self) -> dict[str, object]:
        return {
            "to_version": self.to_version,
            "rewrapped": self.rewrapped,
            "failed": self.failed,
            "remaining": self.remaining,
        }


def key_source(settings: Settings) -> str:
    return "settings" if settings.keys_configured else str(settings.key_file)


async def key_status(core: Core, ring: KeyRing | None = None) -> KeyStatus:
    ring = ring or core.keyring
    async with core.database.session() as session:
        rows = await session.execute(
            select(DataKeyRow.kek_version, func.count()).group_by(col(DataKeyRow.kek_version))
        )
        counts = {int(version): int(count) for version, count in rows.all()}
    return KeyStatus(ring.current_kek_version, ring.kek_versions, counts, key_source(core.settings))


def add_kek_version(settings: Settings) -> KeyRing:
    """Development key file only: a new random KEK that becomes current, saved before use.

    Saved and read back before anything is wrapped with it: a key wrapped under a KEK that
    never reached the disk would be lost with the process.
    """
    if settings.keys_configured:
        raise OfficerError(
            "keys come from SOMESOSSU_KEKS: add the new version there (and set "
            "SOMESOSSU_CURRENT_KEK_VERSION), restart the service, then run this script again"
        )
    path = settings.key_file
    ring = read_key_file(path).with_new_kek()
    write_key_file(path, ring)
    saved = read_key_file(path)
    if saved.current_kek_version != ring.current_kek_version or saved.kek(
        ring.current_kek_version
    ) != ring.kek(ring.current_kek_version):
        raise IntegrityError("the key file did not keep the new KEK")
    return saved


async def rewrap_all(
    core: Core,
    ring: KeyRing,
    *,
    batch_size: int = 500,
    on_batch: BatchDone | None = None,
) -> RewrapReport:
    """Re-wrap every data key not under the ring's current KEK, one transaction per batch.

    Resumable: keys already under the current version are skipped, so running it again after
    an interruption continues where the last committed batch ended.
    """
    if batch_size < 1:
        raise OfficerError("the batch size must be at least 1")
    current = ring.current_kek_version
    rewrapped = failed = 0
    after = ""
    while True:
        async with unit_of_work(core) as work:
            rows = list(
                (
                    await work.session.execute(
                        select(DataKeyRow)
                        .where(col(DataKeyRow.kek_version) != current, col(DataKeyRow.id) > after)
                        .order_by(col(DataKeyRow.id))
                        .limit(batch_size)
                    )
                ).scalars()
            )
            if not rows:
                break
            done = 0
            for row in rows:
                context = key_context(row.owner_id, KeyPurpose(row.purpose))
                try:
                    original = ring.unwrap(row.wrapped, context=context)
                    fresh = ring.rewrap(row.wrapped, context=context)
                except PrivacyError:
                    failed += 1  # its KEK is gone or the row is damaged: left as it is
                    continue
                # rewrap() checks its own result; checking against the original again here
                # keeps this script safe even if that ever changed.
                if fresh.kek_version != current or ring.unwrap(fresh, context=context) != original:
                    raise IntegrityError("a re-wrapped key did not open to the same data key")
                row.wrapped = fresh
                row.kek_version = fresh.kek_version
                work.session.add(row)
                done += 1
            after = rows[-1].id
        rewrapped += done
        if on_batch is not None:
            on_batch(done)
    async with unit_of_work(core) as work:
        remaining = int(
            (
                await work.session.execute(
                    select(func.count())
                    .select_from(DataKeyRow)
                    .where(col(DataKeyRow.kek_version) != current)
                )
            ).scalar_one()
        )
        await work.audit(
            OFFICER,
            AuditAction.KEY_ROTATION,
            object_type="data_key",
            object_id=f"rewrapped={rewrapped} failed={failed} remaining={remaining}",
            purpose=f"re-wrap data keys under KEK version {current}",
        )
    return RewrapReport(current, rewrapped, failed, remaining)


async def retire_version(core: Core, ring: KeyRing, version: int) -> KeyRing:
    """Check nothing is wrapped by `version` any more, then drop it (from the key file).

    With configured keys the caller tells the operator to remove it from the secret store.
    """
    if version == ring.current_kek_version:
        raise OfficerError(f"KEK version {version} is current and cannot be retired")
    if version not in ring.kek_versions:
        raise OfficerError(f"KEK version {version} is not in the key ring")
    status = await key_status(core, ring)
    still = status.keys_by_version.get(version, 0)
    if still:
        raise OfficerError(
            f"{still} data keys are still wrapped by KEK version {version}: re-wrap first"
        )
    try:
        smaller = ring.without_kek(version)
    except KeyConfigError as error:
        raise OfficerError(str(error)) from None
    if not core.settings.keys_configured:
        write_key_file(core.settings.key_file, smaller)
    async with unit_of_work(core) as work:
        await work.audit(
            OFFICER,
            AuditAction.KEY_ROTATION,
            object_type="kek",
            object_id=str(version),
            purpose=f"retired KEK version {version}",
        )
    return smaller
