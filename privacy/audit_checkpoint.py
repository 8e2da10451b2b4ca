"""Signed checkpoints of the audit chain's head, kept in a file outside the database.

Never holds personal data: a sequence number, a hash, a time and a MAC only.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from privacy.audit_records import AuditRecord, aware_utc, check_key, keyed_mac, utc_text
from privacy.errors import IntegrityError
from privacy.keyfile import write_private_file

__all__ = [
    "Checkpoint",
    "make_checkpoint",
    "read_checkpoint",
    "verify_checkpoint",
    "write_checkpoint",
]

_CHECKPOINT_LABEL: Final = b"somesossu/audit/checkpoint/v1\x00"
_CHECKPOINT_FORMAT: Final = 1


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
        {"seq": seq, "hash": head_hash, "at": utc_text(at)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return keyed_mac(key, _CHECKPOINT_LABEL + body.encode("ascii"))


def make_checkpoint(key: bytes, record: AuditRecord) -> Checkpoint:
    """A checkpoint of ``record`` as the head, MACed under a label distinct from the chain's."""
    check_key(key)
    return Checkpoint(
        seq=record.seq,
        hash=record.hash,
        at=record.at,
        mac=_checkpoint_mac(key, record.seq, record.hash, record.at),
    )


def verify_checkpoint(key: bytes, checkpoint: Checkpoint) -> None:
    expected = _checkpoint_mac(key, checkpoint.seq, checkpoint.hash, checkpoint.at)
    if not hmac.compare_digest(expected, checkpoint.mac):
        raise IntegrityError("audit checkpoint MAC does not verify (forged or wrong key)")


def write_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Replace the checkpoint file atomically (mode 0600)."""
    document = {
        "format": _CHECKPOINT_FORMAT,
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "at": utc_text(checkpoint.at),
        "mac": checkpoint.mac,
    }
    write_private_file(path, (json.dumps(document, sort_keys=True) + "\n").encode("ascii"))


def read_checkpoint(path: Path, key: bytes) -> Checkpoint | None:
    """The checkpoint at ``path``, None if there is none yet; IntegrityError if forged."""
    check_key(key)
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
        checkpoint = Checkpoint(seq=seq, hash=head_hash, at=aware_utc(at), mac=mac)
    except (ValueError, KeyError, TypeError):
        raise IntegrityError(f"audit checkpoint {path} is malformed") from None
    verify_checkpoint(key, checkpoint)
    return checkpoint
