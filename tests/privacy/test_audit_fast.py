"""The quick pass over audit rows: the same canonical bytes, and a doubt at any departure."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy.audit import AuditAction, AuditChain, AuditOutcome, AuditRecord, canonical_bytes
from privacy.audit_fast import ROW_FIELDS, canonical_row_bytes, check_rows

KEY = b"\x5a" * 32

# Every code point class json escapes or passes differently: controls, quotes, backslashes,
# non-ASCII letters, astral characters (surrogate pairs in \\u form) and lone surrogates.
texts = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=()),
        st.sampled_from(['"', "\\", "\n", "\t", "\x00", "\x1f", "\x7f", "ä", "€", "\U0001f600"]),
    ),
    max_size=40,
)
moments = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
) | st.datetimes(timezones=st.just(timezone(timedelta(hours=3))), max_value=datetime(9999, 1, 1))


def as_row(record: AuditRecord) -> tuple[Any, ...]:
    """A record as the store reads it: enums as plain text."""
    return tuple(
        str(value) if name in ("action", "outcome") else value
        for name, value in ((name, getattr(record, name)) for name in ROW_FIELDS)
    )


@settings(max_examples=400, deadline=None)
@given(
    seq=st.integers(min_value=0, max_value=2**70),
    at=moments,
    fields=st.lists(texts, min_size=10, max_size=10),
    action=st.sampled_from(list(AuditAction)),
    outcome=st.sampled_from(list(AuditOutcome)),
)
def test_the_row_encoder_gives_exactly_the_canonical_bytes(
    seq: int,
    at: datetime,
    fields: list[str],
    action: AuditAction,
    outcome: AuditOutcome,
) -> None:
    names = (
        "actor_id",
        "actor_role",
        "unit",
        "subject_ref",
        "object_type",
        "object_id",
        "purpose",
        "recipient",
        "disclosure_basis",
        "prev_hash",
    )
    values = dict(zip(names, fields, strict=True))
    expected = canonical_bytes(seq=seq, at=at, action=action, outcome=outcome, **values)
    row = (seq, at, *(values[name] for name in ROW_FIELDS[2:8]), str(action))
    row += (values["purpose"], str(outcome), values["recipient"], values["disclosure_basis"])
    row += (values["prev_hash"], "")
    assert canonical_row_bytes(row) == expected


@pytest.mark.parametrize(
    "change",
    [
        {"seq": True},  # a bool is an int to json but not to canonical_bytes
        {"action": "peek"},
        {"outcome": "maybe"},
        {"purpose": None},
        {"at": datetime(2025, 1, 1)},  # naive
    ],
)
def test_the_row_encoder_refuses_what_canonical_bytes_refuses(change: dict[str, Any]) -> None:
    record = build_chain(1)[0]
    row = list(as_row(record))
    for name, value in change.items():
        row[ROW_FIELDS.index(name)] = value
    with pytest.raises((TypeError, ValueError)):
        canonical_row_bytes(tuple(row))


def build_chain(length: int) -> list[AuditRecord]:
    chain, records, prev = AuditChain(KEY), list[AuditRecord](), None
    for n in range(length):
        prev = chain.next_record(
            prev,
            at=datetime(2025, 3, 1, tzinfo=UTC) + timedelta(seconds=n),
            actor_id=f"staff:{n}",
            actor_role="counsellor",
            unit="youth",
            subject_ref=f"conversation:{n}",
            object_type="message",
            object_id=str(n),
            action=AuditAction.READ,
            purpose='"lainausmerkit" \\ ja ääkköset',
            outcome=AuditOutcome.SUCCESS,
        )
        records.append(prev)
    return records


def test_an_intact_run_reports_its_edges_for_joining() -> None:
    records = build_chain(6)
    result = check_rows(KEY, [as_row(r) for r in records[2:]])
    assert result.intact and result.count == 4
    assert (result.first_seq, result.first_prev_hash) == (3, records[1].hash)
    assert (result.last_seq, result.last_hash) == (6, records[5].hash)
    with pytest.raises(ValueError, match="no rows"):
        check_rows(KEY, [])


def test_any_departure_is_a_doubt() -> None:
    records = build_chain(6)
    edited = dataclasses.replace(records[3], purpose="toinen")
    renumbered = [dataclasses.replace(r, seq=r.seq + 1) if r.seq > 3 else r for r in records]
    cases = {
        "edited": [*records[:3], edited, *records[4:]],
        "removed": records[:3] + records[4:],
        "swapped": [records[0], records[2], records[1], *records[3:]],
        "renumbered": renumbered,
        "another key": records,
    }
    for name, given_records in cases.items():
        key = b"\x66" * 32 if name == "another key" else KEY
        assert not check_rows(key, [as_row(r) for r in given_records]).intact, name
    rows = [as_row(r) for r in records]
    assert check_rows(KEY, rows, checkpoint_seq=4, checkpoint_hash=records[3].hash).intact
    assert not check_rows(KEY, rows, checkpoint_seq=4, checkpoint_hash=records[2].hash).intact
    broken = [*rows[:2], (*rows[2][:14], 42), *rows[3:]]  # a hash that is no text
    assert not check_rows(KEY, broken).intact
