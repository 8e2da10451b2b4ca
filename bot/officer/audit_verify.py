"""Verifies the whole audit chain against its keyed hashes and the signed checkpoint.

Never writes: not to the chain it verifies, not to the checkpoint (a copy goes only where asked).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from bot.actions.context import Core
from bot.store import audit as audit_store
from privacy.audit import (
    AuditRecord,
    Checkpoint,
    make_checkpoint,
    read_checkpoint,
    verify_chain,
    write_checkpoint,
)
from privacy.errors import IntegrityError


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The verdict: `ok`, or the first bad record by sequence number and what is wrong."""

    ok: bool
    checked: int
    records: int
    first_bad_seq: int | None
    problem: str | None
    detail: str
    checkpoint: str  # "matched", "missing", "forged" or "not checked"
    checkpoint_seq: int | None

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "records": self.records,
            "first_bad_seq": self.first_bad_seq,
            "problem": self.problem,
            "detail": self.detail,
            "checkpoint": self.checkpoint,
            "checkpoint_seq": self.checkpoint_seq,
        }


def checkpoint_path(core: Core) -> Path:
    return core.settings.data_dir / "audit-checkpoint.json"


async def load_records(core: Core) -> list[AuditRecord]:
    return await audit_store.read_all(core.database)


async def verify_audit(core: Core, checkpoint_file: Path | None = None) -> VerifyReport:
    """Walk every record in sequence order; a forged checkpoint is itself a finding."""
    key = core.keyring.audit_key
    path = checkpoint_file if checkpoint_file is not None else checkpoint_path(core)
    records = await load_records(core)
    checkpoint: Checkpoint | None = None
    try:
        checkpoint = read_checkpoint(path, key)
    except IntegrityError:
        return VerifyReport(
            ok=False,
            checked=0,
            records=len(records),
            first_bad_seq=None,
            problem="checkpoint_forged",
            detail=f"the checkpoint {path} does not verify: forged, altered or another key",
            checkpoint="forged",
            checkpoint_seq=None,
        )
    # Hashing every record is CPU work: on a worker thread, the event loop keeps serving.
    result = await asyncio.to_thread(verify_chain, key, records, checkpoint)
    detail = result.detail
    if checkpoint is None:
        detail += f"; no checkpoint at {path}, so deleting the newest records is not detectable"
    return VerifyReport(
        ok=result.ok,
        checked=result.checked,
        records=len(records),
        first_bad_seq=result.first_bad_seq,
        problem=str(result.problem) if result.problem is not None else None,
        detail=detail,
        checkpoint="missing" if checkpoint is None else "matched" if result.ok else "checked",
        checkpoint_seq=checkpoint.seq if checkpoint is not None else None,
    )


async def copy_checkpoint(core: Core, destination: Path) -> int | None:
    """Write a signed checkpoint of the current head to `destination` (e.g. removable media).

    Call only after a successful verification: it vouches for the chain as it is now.
    """
    records = await load_records(core)
    if not records:
        return None
    write_checkpoint(destination, make_checkpoint(core.keyring.audit_key, records[-1]))
    return records[-1].seq
