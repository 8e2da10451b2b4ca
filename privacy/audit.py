"""Keyed, hash-chained audit records (use log and disclosure log) and their verification.

Never holds personal data: ids, roles, actions and stated reasons only; no names, HETUs, text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Final

from privacy.crypto import MIN_SECRET_BYTES
from privacy.errors import IntegrityError, KeyConfigError
from privacy.keyfile import write_private_file

__all__ = [
    "AuditAction",
    "AuditChain",
    "AuditOutcome",
    "AuditProblem",
    "AuditRecord",
    "Checkpoint",
    "VerifyResult",
    "canonical_bytes",
    "make_checkpoint",
    "read_checkpoint",
    "verify_chain",
    "write_checkpoint",
]

_GENESIS_LABEL: Final = b"somesossu/audit/genesis/v1"
_CHECKPOINT_LABEL: Final = b"somesossu/audit/checkpoint/v1\x00"
_CANONICAL_VERSION: Final = 1
_CHECKPOINT_FORMAT: Final = 1


class AuditAction(StrEnum):
    READ = "read"
    REVEAL = "reveal"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    ERASE = "erase"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    CLAIM = "claim"
    RELEASE = "release"
    TRANSFER = "transfer"
    CLOSE = "close"
    REPLY = "reply"
    NOTE = "note"
    BLOCK = "block"
    UNBLOCK = "unblock"
    RETENTION = "retention"
    KEY_ROTATION = "key_rotation"
    DISCLOSE = "disclose"
    CONFIG_CHANGE = "config_change"


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILED = "failed"


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


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _aware_utc(moment: datetime) -> datetime:
    _utc_text(moment)
    return moment.astimezone(UTC)


def canonical_bytes(
    *,
    seq: int,
    at: datetime,
    actor_id: str,
    actor_role: str,
    unit: str,
    subject_ref: str,
    object_type: str,
    object_id: str,
    action: AuditAction | str,
    purpose: str,
    outcome: AuditOutcome | str,
    recipient: str = "",
    disclosure_basis: str = "",
    prev_hash: str,
) -> bytes:
    """Deterministic encoding of every field except ``hash``: what the keyed hash covers.

    JSON with sorted keys, no whitespace, ASCII only; time as UTC ISO-8601 with microseconds
    and "Z"; integers and strings only, so no float formatting can ever change the bytes.
    """
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise TypeError("seq must be an integer")
    document: dict[str, str | int] = {
        "v": _CANONICAL_VERSION,
        "seq": seq,
        "at": _utc_text(at),
        "actor_id": actor_id,
        "actor_role": actor_role,
        "unit": unit,
        "subject_ref": subject_ref,
        "object_type": object_type,
        "object_id": object_id,
        "action": AuditAction(action).value,
        "purpose": purpose,
        "outcome": AuditOutcome(outcome).value,
        "recipient": recipient,
        "disclosure_basis": disclosure_basis,
        "prev_hash": prev_hash,
    }
    for name, value in document.items():
        if name not in {"v", "seq"} and not isinstance(value, str):
            raise TypeError(f"audit field {name} must be a string")
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


@dataclass(frozen=True, kw_only=True)
class AuditRecord:
    """One entry of the use log (who did what to which record, why, with what outcome).

    ``actor_id`` is a staff user id, ``"system"`` or ``"resident:<pseudonym>"``;
    ``subject_ref`` a conversation id or pseudonym, never a name or HETU; ``purpose`` the
    purpose or legal basis (for a reveal, the counsellor's stated reason, which the console
    must keep free of personal data); ``recipient`` and ``disclosure_basis`` are filled for
    disclosures to another authority (the disclosure log). ``hash`` chains it to
    ``prev_hash``. Keyword-only, because the two optional disclosure fields sit between
    required ones.
    """

    seq: int
    at: datetime
    actor_id: str
    actor_role: str
    unit: str
    subject_ref: str
    object_type: str
    object_id: str
    action: AuditAction
    purpose: str
    outcome: AuditOutcome
    recipient: str = ""
    disclosure_basis: str = ""
    prev_hash: str
    hash: str

    def __post_init__(self) -> None:
        # Rows come back from the database as plain strings; coerce so equality and
        # canonical bytes are the same whichever way the record was built.
        object.__setattr__(self, "action", AuditAction(self.action))
        object.__setattr__(self, "outcome", AuditOutcome(self.outcome))
        object.__setattr__(self, "at", _aware_utc(self.at))
        if not isinstance(self.seq, int) or isinstance(self.seq, bool) or self.seq < 1:
            raise ValueError("seq must be a positive integer")

    def canonical_bytes(self, *, seq: int | None = None) -> bytes:
        """What the hash covers; ``seq`` overrides the number (to test a moved record)."""
        return canonical_bytes(
            seq=self.seq if seq is None else seq,
            at=self.at,
            actor_id=self.actor_id,
            actor_role=self.actor_role,
            unit=self.unit,
            subject_ref=self.subject_ref,
            object_type=self.object_type,
            object_id=self.object_id,
            action=self.action,
            purpose=self.purpose,
            outcome=self.outcome,
            recipient=self.recipient,
            disclosure_basis=self.disclosure_basis,
            prev_hash=self.prev_hash,
        )


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) < MIN_SECRET_BYTES:
        raise KeyConfigError(f"the audit key must be at least {MIN_SECRET_BYTES} bytes")


def _mac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class AuditChain:
    """Builds records chained by HMAC-SHA256 under the audit key.

    Keyed rather than a plain hash: someone with write access to the database but not the
    key cannot recompute hashes after editing, inserting or deleting a record.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        _check_key(key)
        self._key = key

    @property
    def genesis_hash(self) -> str:
        """What the first record's ``prev_hash`` holds, so deleting record 1 is detected too."""
        return _mac(self._key, _GENESIS_LABEL)

    def hash_of(self, canonical: bytes, prev_hash: str) -> str:
        return _mac(self._key, prev_hash.encode("utf-8") + canonical)

    def expected_hash(self, record: AuditRecord, *, seq: int | None = None) -> str:
        """The hash ``record`` should carry (optionally as if it had sequence number ``seq``)."""
        return self.hash_of(record.canonical_bytes(seq=seq), record.prev_hash)

    def next_record(
        self,
        prev: AuditRecord | None,
        *,
        at: datetime,
        actor_id: str,
        actor_role: str,
        unit: str,
        subject_ref: str,
        object_type: str,
        object_id: str,
        action: AuditAction,
        purpose: str,
        outcome: AuditOutcome,
        recipient: str = "",
        disclosure_basis: str = "",
    ) -> AuditRecord:
        """The record that follows ``prev`` (or starts the chain when ``prev`` is None)."""
        seq = 1 if prev is None else prev.seq + 1
        prev_hash = self.genesis_hash if prev is None else prev.hash
        at = _aware_utc(at)
        canonical = canonical_bytes(
            seq=seq,
            at=at,
            actor_id=actor_id,
            actor_role=actor_role,
            unit=unit,
            subject_ref=subject_ref,
            object_type=object_type,
            object_id=object_id,
            action=action,
            purpose=purpose,
            outcome=outcome,
            recipient=recipient,
            disclosure_basis=disclosure_basis,
            prev_hash=prev_hash,
        )
        return AuditRecord(
            seq=seq,
            at=at,
            actor_id=actor_id,
            actor_role=actor_role,
            unit=unit,
            subject_ref=subject_ref,
            object_type=object_type,
            object_id=object_id,
            action=AuditAction(action),
            purpose=purpose,
            outcome=AuditOutcome(outcome),
            recipient=recipient,
            disclosure_basis=disclosure_basis,
            prev_hash=prev_hash,
            hash=self.hash_of(canonical, prev_hash),
        )


@dataclass(frozen=True)
class Checkpoint:
    """A signed copy of the chain's head (seq, hash, time), kept outside the database.

    Only a checkpoint reveals that the newest records were deleted: a chain cut short is
    otherwise a perfectly valid shorter chain.
    """

    seq: int
    hash: str
    at: datetime
    mac: str


def _checkpoint_mac(key: bytes, seq: int, head_hash: str, at: datetime) -> str:
    body = json.dumps(
        {"seq": seq, "hash": head_hash, "at": _utc_text(at)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return _mac(key, _CHECKPOINT_LABEL + body.encode("ascii"))


def make_checkpoint(key: bytes, record: AuditRecord) -> Checkpoint:
    """A checkpoint of ``record`` as the head, MACed under a label distinct from the chain's."""
    _check_key(key)
    return Checkpoint(
        seq=record.seq,
        hash=record.hash,
        at=record.at,
        mac=_checkpoint_mac(key, record.seq, record.hash, record.at),
    )


def _verify_checkpoint(key: bytes, checkpoint: Checkpoint) -> None:
    expected = _checkpoint_mac(key, checkpoint.seq, checkpoint.hash, checkpoint.at)
    if not hmac.compare_digest(expected, checkpoint.mac):
        raise IntegrityError("audit checkpoint MAC does not verify (forged or wrong key)")


def write_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Replace the checkpoint file atomically (mode 0600)."""
    document = {
        "format": _CHECKPOINT_FORMAT,
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "at": _utc_text(checkpoint.at),
        "mac": checkpoint.mac,
    }
    write_private_file(path, (json.dumps(document, sort_keys=True) + "\n").encode("ascii"))


def read_checkpoint(path: Path, key: bytes) -> Checkpoint | None:
    """The checkpoint at ``path``, None if there is none yet; IntegrityError if forged."""
    _check_key(key)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        document = json.loads(text)
        if document["format"] != _CHECKPOINT_FORMAT:
            raise ValueError("unknown format")
        seq, head_hash, mac = document["seq"], document["hash"], document["mac"]
        if not isinstance(seq, int) or not isinstance(head_hash, str) or not isinstance(mac, str):
            raise ValueError("wrong field types")
        at = datetime.fromisoformat(document["at"])
        checkpoint = Checkpoint(seq=seq, hash=head_hash, at=_aware_utc(at), mac=mac)
    except (ValueError, KeyError, TypeError):
        raise IntegrityError(f"audit checkpoint {path} is malformed") from None
    _verify_checkpoint(key, checkpoint)
    return checkpoint


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify_chain`; ``detail`` names sequence numbers only, never content."""

    ok: bool
    checked: int
    first_bad_seq: int | None
    problem: AuditProblem | None
    detail: str


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
        _verify_checkpoint(key, checkpoint)
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
