"""A quick pass over audit rows that only answers "intact or not" (issue 23).

`verify_chain` builds an `AuditRecord` and a JSON document per record and classifies the first
problem precisely; at some 20,000 records a second that is too slow for a long trail. This
pass works on plain row tuples, builds the same canonical bytes with one string format and
reuses a keyed HMAC, so an intact trail is confirmed many times faster. It never classifies:
at the first doubt of any kind it says so, and the caller runs `verify_chain` for the verdict.
Never reports content: only sequence numbers and hashes travel back.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring_ascii
from typing import Any, Final

from privacy.audit_records import AuditAction, AuditOutcome, check_key, utc_text

__all__ = ["RowsCheck", "canonical_row_bytes", "check_rows", "utc_text_of"]

ROW_FIELDS: Final = (
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "unit",
    "subject_ref",
    "object_type",
    "object_id",
    "action",
    "purpose",
    "outcome",
    "recipient",
    "disclosure_basis",
    "prev_hash",
    "hash",
)
"""The order of a row tuple: `AuditRecord`'s fields, as the store reads them."""

_ACTIONS: Final = frozenset(action.value for action in AuditAction)
_OUTCOMES: Final = frozenset(outcome.value for outcome in AuditOutcome)

# `canonical_bytes` is json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=True):
# the keys below are in sorted order, and every string goes through the very function
# json.dumps uses for them. Action and outcome are checked against their enums first and
# are plain [a-z_], the time is digits and separators, and seq is an int: none need escaping.
_CANONICAL: Final = (
    '{"action":"%s","actor_id":%s,"actor_role":%s,"at":"%s","disclosure_basis":%s,'
    '"object_id":%s,"object_type":%s,"outcome":"%s","prev_hash":%s,"purpose":%s,'
    '"recipient":%s,"seq":%d,"subject_ref":%s,"unit":%s,"v":1}'
)


def utc_text_of(value: Any) -> str:
    """The canonical time text of a timezone-aware datetime (as `utc_text`)."""
    if not isinstance(value, datetime):
        raise TypeError("audit times must be datetimes")
    return utc_text(value)


def _canonical_text(row: Sequence[Any], at_text: str) -> str:
    (seq, _, actor_id, actor_role, unit, subject_ref, object_type, object_id, action,
     purpose, outcome, recipient, disclosure_basis, prev_hash, _) = row  # fmt: skip
    if type(seq) is not int or action not in _ACTIONS or outcome not in _OUTCOMES:
        raise ValueError("not a well-formed audit row")
    encode = encode_basestring_ascii
    return _CANONICAL % (
        action,
        encode(actor_id),
        encode(actor_role),
        at_text,
        encode(disclosure_basis),
        encode(object_id),
        encode(object_type),
        outcome,
        encode(prev_hash),
        encode(purpose),
        encode(recipient),
        seq,
        encode(subject_ref),
        encode(unit),
    )


def canonical_row_bytes(row: Sequence[Any], at_text: str | None = None) -> bytes:
    """`canonical_bytes` of a row tuple (in `ROW_FIELDS` order), the same bytes faster.

    ``at_text`` is the time's canonical text when the caller already has it; by default the
    row's ``at`` must be a timezone-aware datetime. Raises ValueError or TypeError for a row
    `canonical_bytes` would refuse (and for a seq that is not a plain int).
    """
    text = _canonical_text(row, utc_text_of(row[1]) if at_text is None else at_text)
    return text.encode("ascii")


@dataclass(frozen=True, slots=True)
class RowsCheck:
    """What a run of consecutive rows says about itself, for joining runs checked apart.

    ``intact`` means every row's keyed hash matches, each links to the one before it, the
    numbers go up by one, and the row at the checkpoint's number (if among them) carries the
    checkpoint's hash. The first and last rows' numbers and hashes let the caller check the
    links between runs.
    """

    intact: bool
    count: int
    first_seq: int
    first_prev_hash: str
    last_seq: int
    last_hash: str


def check_rows(
    key: bytes,
    rows: Sequence[Sequence[Any]],
    *,
    time_text: Callable[[Any], str] = utc_text_of,
    checkpoint_seq: int | None = None,
    checkpoint_hash: str = "",
) -> RowsCheck:
    """Check a non-empty run of rows (in `ROW_FIELDS` order, ascending seq) on their own.

    ``time_text`` turns a row's ``at`` as the database gave it into canonical time text; it
    may raise for a value it does not know, which counts as a doubt like any other.
    A module-level function of plain values, so that a process pool can run it.
    """
    check_key(key)
    if not rows:
        raise ValueError("no rows to check")
    first, last = rows[0], rows[-1]
    summary = RowsCheck(
        intact=True,
        count=len(rows),
        first_seq=first[0],
        first_prev_hash=first[13],
        last_seq=last[0],
        last_hash=last[14],
    )
    # Keyed once: copying the keyed state spares hashing the padded key for every record.
    keyed = hmac.new(key, digestmod=hashlib.sha256)
    copy = keyed.copy
    expected_seq, expected_prev = first[0], first[13]
    try:
        for row in rows:
            seq, prev_hash, stored = row[0], row[13], row[14]
            mac = copy()
            mac.update((prev_hash + _canonical_text(row, time_text(row[1]))).encode("utf-8"))
            # Plain equality: the computed hash is no secret, and any difference sends the
            # whole trail to the exact (constant-time) verification anyway.
            if seq != expected_seq or prev_hash != expected_prev or mac.hexdigest() != stored:
                return _doubt(summary)
            if seq == checkpoint_seq and stored != checkpoint_hash:
                return _doubt(summary)
            expected_seq, expected_prev = seq + 1, stored
    except (TypeError, ValueError, UnicodeError):
        return _doubt(summary)
    return summary


def _doubt(summary: RowsCheck) -> RowsCheck:
    return RowsCheck(
        intact=False,
        count=summary.count,
        first_seq=summary.first_seq,
        first_prev_hash=summary.first_prev_hash,
        last_seq=summary.last_seq,
        last_hash=summary.last_hash,
    )
