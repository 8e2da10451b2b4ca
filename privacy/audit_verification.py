"""Verification of an audit chain: finds the first record where it departs from the genuine one.

Never reports content: a result names sequence numbers and the kind of tampering only.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from privacy.audit_checkpoint import Checkpoint, verify_checkpoint
from privacy.audit_records import AuditChain, AuditRecord

__all__ = ["AuditProblem", "VerifyResult", "verify_chain"]


class AuditProblem(StrEnum):
    EDITED = "edited"
    """A record's content no longer matches its own keyed hash."""
    REMOVED = "removed"
    """A sequence number is missing inside the chain."""
    INSERTED = "inserted"
    """An extra record: a duplicate number, or a record not linked to its predecessor."""
    REORDERED = "reordered"
    """Records appear out of sequence, or a record was moved to another sequence number."""
    TRUNCATED = "truncated"
    """The chain ends before the checkpoint, or differs from it at the checkpoint."""


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify_chain`; ``detail`` names sequence numbers only, never content."""

    ok: bool
    checked: int
    first_bad_seq: int | None
    problem: AuditProblem | None
    detail: str

    def as_json(self) -> dict[str, object]:
        """The fields as `GET /api/audit/verify` answers them."""
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_bad_seq": self.first_bad_seq,
            "problem": str(self.problem) if self.problem else None,
            "detail": self.detail,
        }


def _bad(checked: int, seq: int, problem: AuditProblem, detail: str) -> VerifyResult:
    return VerifyResult(
        ok=False, checked=checked, first_bad_seq=seq, problem=problem, detail=detail
    )


def _original_seq(record: AuditRecord, by_hash: dict[str, AuditRecord], genesis: str) -> int | None:
    """Where ``record`` sits by its links: hops back along prev_hash to the genesis hash."""
    hops, current, seen = 1, record.prev_hash, set[str]()
    while current != genesis:
        if current in seen or current not in by_hash:
            return None
        seen.add(current)
        current = by_hash[current].prev_hash
        hops += 1
    return hops


def verify_chain(
    key: bytes, records: Iterable[AuditRecord], checkpoint: Checkpoint | None = None
) -> VerifyResult:
    """Walk records in the order given (by seq) and report the first problem, if any.

    ``first_bad_seq`` is the lowest sequence number where the given chain departs from the
    genuine one: the edited record, the first missing number, the duplicated number, the
    first number out of place, or the first number after the end of a truncated chain.
    Rules, checked in this order at each position:

    - a number below the expected one was seen already: INSERTED (duplicate);
    - a number above the expected one: REORDERED if the missing numbers come later in the
      list, otherwise REMOVED;
    - the record's own keyed hash does not match: REORDERED if it matches once the record is
      given the number its links say it had (its seq was swapped), INSERTED if a genuine
      record with the same number follows (a forged extra), otherwise EDITED;
    - valid on its own but not linked to the previous record: INSERTED;
    - at the checkpoint's number, a hash other than the checkpoint's: TRUNCATED;
    - after the last record, the checkpoint is further on: TRUNCATED.

    A forged checkpoint raises IntegrityError rather than being trusted.
    """
    chain = AuditChain(key)
    if checkpoint is not None:
        verify_checkpoint(key, checkpoint)
    given: Sequence[AuditRecord] = list(records)
    genesis = chain.genesis_hash
    by_hash = {record.hash: record for record in given}
    expected_seq, expected_prev, checked = 1, genesis, 0

    for position, record in enumerate(given):
        if record.seq < expected_seq:
            return _bad(checked, record.seq, AuditProblem.INSERTED, f"seq {record.seq} repeats")
        if record.seq > expected_seq:
            later = {r.seq for r in given[position + 1 :]}
            if any(seq in later for seq in range(expected_seq, record.seq)):
                return _bad(
                    checked,
                    expected_seq,
                    AuditProblem.REORDERED,
                    f"seq {record.seq} appears where seq {expected_seq} belongs",
                )
            missing = (
                f"seq {expected_seq}"
                if record.seq == expected_seq + 1
                else f"seqs {expected_seq}-{record.seq - 1}"
            )
            return _bad(checked, expected_seq, AuditProblem.REMOVED, f"{missing} missing")

        if not hmac.compare_digest(chain.expected_hash(record), record.hash):
            original = _original_seq(record, by_hash, genesis)
            if (
                original is not None
                and original != record.seq
                and hmac.compare_digest(chain.expected_hash(record, seq=original), record.hash)
            ):
                return _bad(
                    checked,
                    min(original, record.seq),
                    AuditProblem.REORDERED,
                    f"record of seq {original} was renumbered to seq {record.seq}",
                )
            following = given[position + 1] if position + 1 < len(given) else None
            if (
                following is not None
                and following.seq == record.seq
                and following.prev_hash == expected_prev
                and hmac.compare_digest(chain.expected_hash(following), following.hash)
            ):
                return _bad(
                    checked,
                    record.seq,
                    AuditProblem.INSERTED,
                    f"a forged record with seq {record.seq} precedes the genuine one",
                )
            return _bad(
                checked,
                record.seq,
                AuditProblem.EDITED,
                f"seq {record.seq} does not match its keyed hash",
            )
        if not hmac.compare_digest(record.prev_hash, expected_prev):
            return _bad(
                checked,
                record.seq,
                AuditProblem.INSERTED,
                f"seq {record.seq} does not link to the record before it",
            )
        if (
            checkpoint is not None
            and record.seq == checkpoint.seq
            and not hmac.compare_digest(record.hash, checkpoint.hash)
        ):
            return _bad(
                checked,
                record.seq,
                AuditProblem.TRUNCATED,
                f"seq {record.seq} differs from the checkpoint: the chain was cut and regrown",
            )
        checked += 1
        expected_seq, expected_prev = record.seq + 1, record.hash

    if checkpoint is not None and checkpoint.seq >= expected_seq:
        return _bad(
            checked,
            expected_seq,
            AuditProblem.TRUNCATED,
            f"chain ends at seq {expected_seq - 1} but the checkpoint is at seq {checkpoint.seq}",
        )
    detail = f"{checked} records verified"
    if checkpoint is not None:
        detail += f", checkpoint at seq {checkpoint.seq} matches"
    return VerifyResult(ok=True, checked=checked, first_bad_seq=None, problem=None, detail=detail)
