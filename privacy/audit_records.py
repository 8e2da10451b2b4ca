"""Audit records and the keyed hash chain that links them (the use log and disclosure log).

Never holds personal data: ids, roles, actions and stated reasons only; no names, HETUs, text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final

from privacy.crypto import MIN_SECRET_BYTES
from privacy.errors import KeyConfigError

__all__ = [
    "AuditAction",
    "AuditChain",
    "AuditOutcome",
    "AuditRecord",
    "aware_utc",
    "canonical_bytes",
    "check_key",
    "keyed_mac",
    "utc_text",
]

_GENESIS_LABEL: Final = b"somesossu/audit/genesis/v1"
_CANONICAL_VERSION: Final = 1


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
    CONSENT = "consent"
    """A resident gave or withdrew consent (purpose says to what and which)."""


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILED = "failed"


def utc_text(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def aware_utc(moment: datetime) -> datetime:
    utc_text(moment)
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
        "at": utc_text(at),
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
        object.__setattr__(self, "at", aware_utc(self.at))
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


def check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) < MIN_SECRET_BYTES:
        raise KeyConfigError(f"the audit key must be at least {MIN_SECRET_BYTES} bytes")


def keyed_mac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class AuditChain:
    """Builds records chained by HMAC-SHA256 under the audit key.

    Keyed rather than a plain hash: someone with write access to the database but not the
    key cannot recompute hashes after editing, inserting or deleting a record.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        check_key(key)
        self._key = key

    @property
    def genesis_hash(self) -> str:
        """What the first record's ``prev_hash`` holds, so deleting record 1 is detected too."""
        return keyed_mac(self._key, _GENESIS_LABEL)

    def hash_of(self, canonical: bytes, prev_hash: str) -> str:
        return keyed_mac(self._key, prev_hash.encode("utf-8") + canonical)

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
        # Built once without its hash: the record's own canonical bytes are what the hash
        # covers, so the fields are listed (and coerced) in one place only.
        unsigned = AuditRecord(
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
            hash="",
        )
        return replace(unsigned, hash=self.hash_of(unsigned.canonical_bytes(), prev_hash))
