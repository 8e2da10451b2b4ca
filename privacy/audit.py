"""Keyed, hash-chained audit records (use log and disclosure log) and their verification.

The library's public face: records and the chain (`audit_records.py`), signed checkpoints of
the head (`audit_checkpoint.py`) and verification (`audit_verification.py`), re-exported.
Never holds personal data: ids, roles, actions and stated reasons only; no names, HETUs, text.
"""

from __future__ import annotations

from privacy.audit_checkpoint import (
    Checkpoint,
    make_checkpoint,
    read_checkpoint,
    write_checkpoint,
)
from privacy.audit_records import (
    AuditAction,
    AuditChain,
    AuditOutcome,
    AuditRecord,
    canonical_bytes,
)
from privacy.audit_verification import AuditProblem, VerifyResult, verify_chain

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
