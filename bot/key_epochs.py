"""Key epochs: data keys are wrapped under the KEK of the current epoch; a new epoch re-wraps them
all under a new KEK and then destroys the old one, so a stale wrapped key in any copy we do not
control (backups, replicas, archived WAL) becomes unreadable once its epoch is gone.

Never writes the key file before every data key has been re-wrapped under the new version (the
new KEK waits in a pending file meanwhile), never destroys a KEK that still wraps a data key,
and never logs, prints or puts into an error any key material.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select, update

from privacy.audit import AuditAction
from privacy.crypto import KeyRing
from privacy.errors import IntegrityError, KeyConfigError, PrivacyError
from privacy.keyfile import pending_key_file, read_key_file, with_pending_keks, write_key_file

from .actions.context import SYSTEM, Actor, Core, unit_of_work
from .logs import log_event
from .sealing import KeyPurpose, key_context
from .store.key_ring import record_key_ring
from .store.tables import DataKeyRow, KeyEpoch

log = logging.getLogger("somesossu.keys")

BatchDone = Callable[[int], None]
"""Called after each committed batch with the number of keys it re-wrapped."""


class EpochError(Exception):
    """A rotation step refused; the message names versions and counts, never key material."""


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


@dataclass(frozen=True, slots=True)
class RotationOutcome:
    """What `rotate_key_file` did: the key file changed only when `committed`."""

    from_version: int
    to_version: int
    report: RewrapReport
    committed: bool
    pending_kept: bool


@dataclass(frozen=True, slots=True)
class EpochReport:
    """What one run of the epoch job did."""

    current_version: int
    started_at: datetime
    overdue: bool
    rotated_to: int | None = None
    destroyed: tuple[int, ...] = ()


def adopt_ring(core: Core, ring: KeyRing) -> None:
    """Make this process wrap and unwrap with `ring` from now on (cached data keys stay)."""
    core.keyring = ring
    core.keys.keyring = ring


async def keys_under(core: Core, version: int) -> int:
    """How many data keys are wrapped under KEK `version`."""
    async with core.database.session() as session:
        query = (
            select(func.count()).select_from(DataKeyRow).where(DataKeyRow.kek_version == version)
        )
        return int((await session.execute(query)).scalar_one())


async def rewrap_all(
    core: Core,
    ring: KeyRing,
    *,
    actor: Actor = SYSTEM,
    batch_size: int = 500,
    on_batch: BatchDone | None = None,
) -> RewrapReport:
    """Re-wrap every data key not under the ring's current KEK, one transaction per batch.

    Resumable: keys already under the current version are skipped, so running it again after
    an interruption continues where the last committed batch ended. A key that does not open
    (its KEK is gone or the row is damaged) is counted as failed and left as it is.
    """
    if batch_size < 1:
        raise EpochError("the batch size must be at least 1")
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
                    failed += 1
                    continue
                # rewrap() checks its own result; checking against the original again here
                # keeps this safe even if that ever changed: a bad re-wrap would shred data.
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
            actor,
            AuditAction.KEY_ROTATION,
            object_type="data_key",
            object_id=f"rewrapped={rewrapped} failed={failed} remaining={remaining}",
            purpose=f"re-wrap data keys under KEK version {current}",
        )
    return RewrapReport(current, rewrapped, failed, remaining)


# ---- epoch records ---------------------------------------------------------------------------


async def epoch_started(session: AsyncSession, version: int, now: datetime) -> datetime:
    """When KEK `version` became current; recorded the first time it is asked.

    Recorded as the oldest data key wrapped under it, or `now` if there is none: for the
    first version that is when the database began, and a later version is recorded by the
    rotation that makes it current (`record_epoch_start`).
    """
    recorded = await session.get(KeyEpoch, version)
    if recorded is not None:
        return recorded.started_at
    oldest = (
        await session.execute(
            select(func.min(DataKeyRow.created_at)).where(DataKeyRow.kek_version == version)
        )
    ).scalar_one_or_none()
    return await record_epoch_start(session, version, now if oldest is None else min(now, oldest))


async def record_epoch_start(session: AsyncSession, version: int, at: datetime) -> datetime:
    """Record that KEK `version` became current `at`, unless recorded before: the record kept.

    An upsert that keeps the first record, so instances recording at once agree.
    """
    values = {"version": version, "started_at": at}
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        await session.execute(postgresql_insert(KeyEpoch).values(values).on_conflict_do_nothing())
    else:
        await session.execute(sqlite_insert(KeyEpoch).values(values).on_conflict_do_nothing())
    row = await session.get(KeyEpoch, version, populate_existing=True)
    assert row is not None  # inserted just above if it was missing
    return row.started_at


async def _mark_destroyed(session: AsyncSession, version: int, now: datetime) -> None:
    await epoch_started(session, version, now)  # an epoch never seen still gets its row
    await session.execute(
        update(KeyEpoch)
        .where(col(KeyEpoch.version) == version, col(KeyEpoch.destroyed_at).is_(None))
        .values(destroyed_at=now)
    )


# ---- rotation of the development key file ----------------------------------------------------


async def rotate_key_file(
    core: Core,
    *,
    actor: Actor = SYSTEM,
    batch_size: int = 500,
    on_batch: BatchDone | None = None,
    adopt: bool = True,
    now: datetime | None = None,
) -> RotationOutcome:
    """Start a new epoch in the key file: stage a new KEK, re-wrap every key, then commit.

    The new KEK is written to the pending file first (a key wrapped under a KEK that never
    reached the disk would be lost with the process), and into the key file only once every
    re-wrap succeeded. If any failed, the pending file is deleted when no key was re-wrapped
    under it (the key file is then exactly as before), and otherwise kept for the next run,
    which resumes with it. With `adopt` this process uses the new ring as it goes (the service;
    a script leaves its own ring alone).
    """
    settings = core.settings
    if settings.keys_configured:
        raise EpochError(
            "keys come from SOMESOSSU_KEKS: a new epoch is a new version there (see "
            "scripts/rotate_keys.py)"
        )
    path = settings.key_file
    pending_path = pending_key_file(path)
    base = read_key_file(path, with_pending=False)
    if pending_path.exists():
        staged = read_key_file(pending_path, with_pending=False)
    else:
        staged = base.with_new_kek()
        write_key_file(pending_path, staged)
        saved = read_key_file(pending_path, with_pending=False)
        if saved.kek(staged.current_kek_version) != staged.kek(staged.current_kek_version):
            raise IntegrityError("the pending key file did not keep the new KEK")
    new_version = staged.current_kek_version
    if new_version in base.kek_versions:
        raise EpochError(f"KEK version {new_version} of the pending file is already current")
    reading = with_pending_keks(base, staged, pending_path)
    if adopt:
        adopt_ring(core, reading)  # opens keys re-wrapped under the new KEK; still wraps old
    report = await rewrap_all(
        core,
        KeyRing(
            {v: reading.kek(v) for v in reading.kek_versions},
            new_version,
            reading.pepper,
            reading.audit_key,
        ),
        actor=actor,
        batch_size=batch_size,
        on_batch=on_batch,
    )
    if report.failed:
        if await keys_under(core, new_version) == 0:
            pending_path.unlink(missing_ok=True)
            if adopt:
                adopt_ring(core, base)
            log_event(
                log,
                "keys.rotation_discarded",
                logging.ERROR,
                version=new_version,
                failed=report.failed,
            )
            return RotationOutcome(base.current_kek_version, new_version, report, False, False)
        log_event(
            log, "keys.rotation_pending", logging.ERROR, version=new_version, failed=report.failed
        )
        return RotationOutcome(base.current_kek_version, new_version, report, False, True)
    committed = KeyRing(
        {v: reading.kek(v) for v in reading.kek_versions},
        new_version,
        reading.pepper,
        reading.audit_key,
    )
    write_key_file(path, committed)
    saved = read_key_file(path, with_pending=False)
    if saved.current_kek_version != new_version or saved.kek(new_version) != committed.kek(
        new_version
    ):
        raise IntegrityError("the key file did not keep the new KEK")
    pending_path.unlink(missing_ok=True)
    if adopt:
        adopt_ring(core, committed)
    async with core.database.session() as session:
        await record_key_ring(session, committed)
        await record_epoch_start(session, new_version, now or core.now())
    log_event(log, "keys.epoch_started", version=new_version, rewrapped=report.rewrapped)
    return RotationOutcome(base.current_kek_version, new_version, report, True, False)


async def destroy_epoch(core: Core, ring: KeyRing, version: int, *, actor: Actor) -> KeyRing:
    """Destroy KEK `version` once no data key is wrapped under it: the smaller ring.

    From the key file when keys come from it (the replaced file is overwritten); with keys
    from settings the caller tells the operator to remove it from the secret store.
    """
    if version == ring.current_kek_version:
        raise EpochError(f"KEK version {version} is current and cannot be destroyed")
    if version not in ring.kek_versions:
        raise EpochError(f"KEK version {version} is not in the key ring")
    still = await keys_under(core, version)
    if still:
        raise EpochError(
            f"{still} data keys are still wrapped by KEK version {version}: re-wrap first"
        )
    try:
        smaller = ring.without_kek(version)
    except KeyConfigError as error:
        raise EpochError(str(error)) from None
    if not core.settings.keys_configured:
        write_key_file(core.settings.key_file, smaller)
    async with unit_of_work(core) as work:
        await record_key_ring(work.session, smaller)
        await _mark_destroyed(work.session, version, core.now())
        await work.audit(
            actor,
            AuditAction.KEY_ROTATION,
            object_type="kek",
            object_id=str(version),
            purpose=f"retired KEK version {version}",
        )
    log_event(log, "keys.epoch_destroyed", version=version)
    return smaller


# ---- the scheduled job -----------------------------------------------------------------------


async def epoch_sweep(core: Core, *, now: datetime | None = None) -> EpochReport:
    """The epoch job: start a new epoch when the current one is over, destroy finished ones.

    Key file: an overdue epoch is rotated (`rotate_key_file`); a run that finds older
    versions in the ring re-wraps what is left under them and destroys each that no longer
    wraps anything. A version is destroyed by a later run than the one that started the new
    epoch, so no transaction that began under the old ring can still be writing under it.
    Keys from settings: the service cannot rewrite the secret store, so an overdue epoch is
    logged as a warning (`keys.epoch_overdue`) for the operator to run scripts/rotate_keys.py.
    """
    now = now or core.now()
    ring = core.keyring
    current = ring.current_kek_version
    async with core.database.session() as session:
        started = await epoch_started(session, current, now)
    overdue = now - started >= timedelta(days=core.settings.key_epoch_days)
    if core.settings.keys_configured:
        if overdue:
            log_event(
                log,
                "keys.epoch_overdue",
                logging.WARNING,
                version=current,
                days=(now - started).days,
                old_versions=len(ring.kek_versions) - 1,
            )
        return EpochReport(current, started, overdue)
    if pending_key_file(core.settings.key_file).exists():
        # An interrupted rotation: finish it before anything else touches the ring.
        outcome = await rotate_key_file(core, now=now)
        rotated = outcome.to_version if outcome.committed else None
        return EpochReport(current, started, overdue, rotated_to=rotated)
    older = [v for v in ring.kek_versions if v != current]
    if older:
        await rewrap_all(core, ring)
        destroyed: list[int] = []
        for version in older:
            try:
                ring = await destroy_epoch(core, ring, version, actor=SYSTEM)
            except EpochError:
                # Still wraps a key: one that does not open (never shred by accident) or one
                # another process wrapped meanwhile. The next run tries again.
                log_event(log, "keys.epoch_not_destroyed", logging.WARNING, version=version)
                continue
            adopt_ring(core, ring)
            destroyed.append(version)
        return EpochReport(current, started, overdue, destroyed=tuple(destroyed))
    if not overdue:
        return EpochReport(current, started, overdue)
    outcome = await rotate_key_file(core, now=now)
    rotated = outcome.to_version if outcome.committed else None
    return EpochReport(current, started, overdue, rotated_to=rotated)
