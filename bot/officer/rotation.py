"""Key rotation for the officer's script: status, a new epoch's KEK, re-wrap, retire the old.

Never writes a re-wrapped key before it has been unwrapped again and compared with the
original, never changes the key file before every re-wrap succeeded, and never retires a
version that still wraps a key: each would shred data. The work itself is bot/key_epochs.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, func, select

from bot import key_epochs as epochs
from bot.actions.context import Core
from bot.config import Settings
from bot.key_epochs import (
    BatchDone,
    EpochError,
    RewrapReport,
    RotationOutcome,
    epoch_started,
)
from bot.store.tables import DataKeyRow
from privacy.crypto import KeyRing

from .common import OFFICER, OfficerError

__all__ = [
    "KeyStatus",
    "RewrapReport",
    "RotationOutcome",
    "epoch_of",
    "key_source",
    "key_status",
    "retire_version",
    "rewrap_all",
    "rotate_key_file",
]


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


async def epoch_of(core: Core, ring: KeyRing | None = None) -> tuple[datetime, bool]:
    """When the current key epoch started and whether it is over (SOMESOSSU_KEY_EPOCH_DAYS)."""
    ring = ring or core.keyring
    now = core.now()
    async with core.database.session() as session:
        started = await epoch_started(session, ring.current_kek_version, now)
    return started, now - started >= timedelta(days=core.settings.key_epoch_days)


async def rotate_key_file(
    core: Core, *, batch_size: int = 500, on_batch: BatchDone | None = None
) -> RotationOutcome:
    """Development key file only: a new epoch's KEK, every data key re-wrapped, then saved.

    The key file changes only after every re-wrap succeeded (key_epochs.rotate_key_file);
    this process's own ring is left alone: the caller reopens the service to use the new one.
    """
    if core.settings.keys_configured:
        raise OfficerError(
            "keys come from SOMESOSSU_KEKS: add the new version there (and set "
            "SOMESOSSU_CURRENT_KEK_VERSION), restart the service, then run this script again"
        )
    try:
        return await epochs.rotate_key_file(
            core, actor=OFFICER, batch_size=batch_size, on_batch=on_batch, adopt=False
        )
    except EpochError as error:
        raise OfficerError(str(error)) from None


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
    try:
        return await epochs.rewrap_all(
            core, ring, actor=OFFICER, batch_size=batch_size, on_batch=on_batch
        )
    except EpochError as error:
        raise OfficerError(str(error)) from None


async def retire_version(core: Core, ring: KeyRing, version: int) -> KeyRing:
    """Check nothing is wrapped by `version` any more, then destroy it (from the key file).

    With configured keys the caller tells the operator to remove it from the secret store.
    """
    try:
        return await epochs.destroy_epoch(core, ring, version, actor=OFFICER)
    except EpochError as error:
        raise OfficerError(str(error)) from None
