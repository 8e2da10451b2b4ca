"""Tests of the keyed audit chain: building, verifying, and pinpointing each kind of tampering."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import itertools
import json
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from privacy.audit import (
    AuditAction,
    AuditChain,
    AuditOutcome,
    AuditProblem,
    AuditRecord,
    Checkpoint,
    canonical_bytes,
    make_checkpoint,
    read_checkpoint,
    verify_chain,
    write_checkpoint,
)
from privacy.errors import IntegrityError, KeyConfigError

KEY = b"\x5a" * 32
ATTACKER_KEY = b"\x66" * 32
START = datetime(2025, 3, 1, 9, 0, 0, 123456, tzinfo=UTC)


def build_chain(
    length: int = 6, key: bytes = KEY, purpose: str = "counselling"
) -> list[AuditRecord]:
    chain = AuditChain(key)
    records: list[AuditRecord] = []
    prev: AuditRecord | None = None
    for n in range(length):
        prev = chain.next_record(
            prev,
            at=START + timedelta(minutes=n),
            actor_id=f"staff:{n % 3}",
            actor_role="counsellor",
            unit="youth",
            subject_ref=f"conversation:{100 + n}",
            object_type="message",
            object_id=str(1000 + n),
            action=AuditAction.READ,
            purpose=purpose,
            outcome=AuditOutcome.SUCCESS,
        )
        records.append(prev)
    return records


def forge_hash(key: bytes, record: AuditRecord) -> str:
    """What an attacker computes: the documented construction, with whatever key they have."""
    return hmac.new(
        key, record.prev_hash.encode() + record.canonical_bytes(), hashlib.sha256
    ).hexdigest()


@pytest.fixture
def records() -> list[AuditRecord]:
    return build_chain()


def test_first_record_chains_to_the_keyed_genesis_hash(records: list[AuditRecord]) -> None:
    chain = AuditChain(KEY)
    assert records[0].seq == 1
    assert records[0].prev_hash == chain.genesis_hash
    assert chain.genesis_hash != AuditChain(ATTACKER_KEY).genesis_hash
    assert [r.seq for r in records] == [1, 2, 3, 4, 5, 6]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))


def test_hash_is_hmac_of_previous_hash_and_canonical_bytes(records: list[AuditRecord]) -> None:
    assert all(forge_hash(KEY, record) == record.hash for record in records)


def test_canonical_bytes_are_sorted_json_with_utc_microseconds(
    records: list[AuditRecord],
) -> None:
    record = records[0]
    document = json.loads(record.canonical_bytes())
    assert list(document) == sorted(document)
    assert document["at"] == "2025-03-01T09:00:00.123456Z"
    assert document["seq"] == 1
    assert "hash" not in document
    assert document["prev_hash"] == record.prev_hash
    assert b" " not in record.canonical_bytes().replace(b"staff", b"")


def test_canonical_bytes_do_not_depend_on_the_time_zone_given() -> None:
    helsinki = timezone(timedelta(hours=2))
    fields = {
        "seq": 1,
        "actor_id": "system",
        "actor_role": "system",
        "unit": "",
        "subject_ref": "",
        "object_type": "conversation",
        "object_id": "1",
        "action": AuditAction.RETENTION,
        "purpose": "retention",
        "outcome": AuditOutcome.SUCCESS,
        "prev_hash": "0" * 64,
    }
    utc = canonical_bytes(at=datetime(2025, 1, 1, 10, tzinfo=UTC), **fields)  # type: ignore[arg-type]
    local = canonical_bytes(at=datetime(2025, 1, 1, 12, tzinfo=helsinki), **fields)  # type: ignore[arg-type]
    assert utc == local


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        AuditChain(KEY).next_record(
            None,
            at=datetime(2025, 1, 1),  # naive on purpose
            actor_id="system",
            actor_role="system",
            unit="",
            subject_ref="",
            object_type="conversation",
            object_id="1",
            action=AuditAction.RETENTION,
            purpose="retention",
            outcome=AuditOutcome.SUCCESS,
        )


def test_short_audit_key_is_refused() -> None:
    with pytest.raises(KeyConfigError):
        AuditChain(b"short")


def test_record_rebuilt_from_database_strings_equals_the_original(
    records: list[AuditRecord],
) -> None:
    row = dataclasses.asdict(records[2])
    row["action"] = str(row["action"])
    row["outcome"] = str(row["outcome"])
    assert AuditRecord(**row) == records[2]


def test_disclosure_fields_are_covered_by_the_hash() -> None:
    chain = AuditChain(KEY)
    record = chain.next_record(
        None,
        at=START,
        actor_id="staff:7",
        actor_role="privacy_officer",
        unit="",
        subject_ref="p_aaaaaaaaaaaaaaaaaaaaaaaaaa",
        object_type="conversation",
        object_id="55",
        action=AuditAction.DISCLOSE,
        purpose="request from police",
        outcome=AuditOutcome.SUCCESS,
        recipient="Helsinki police department",
        disclosure_basis="Poliisilaki 4:3",
    )
    assert verify_chain(KEY, [record]).ok
    changed = dataclasses.replace(record, recipient="someone else")
    assert verify_chain(KEY, [changed]).problem is AuditProblem.EDITED


def test_intact_chain_verifies(records: list[AuditRecord]) -> None:
    result = verify_chain(KEY, records)
    assert result.ok
    assert result.checked == 6
    assert result.first_bad_seq is None
    assert result.problem is None


def test_empty_chain_verifies() -> None:
    result = verify_chain(KEY, [])
    assert result.ok
    assert result.checked == 0


def test_intact_chain_verifies_against_its_checkpoint(records: list[AuditRecord]) -> None:
    result = verify_chain(KEY, records, make_checkpoint(KEY, records[-1]))
    assert result.ok
    assert result.checked == 6


def test_older_checkpoint_still_verifies_a_grown_chain(records: list[AuditRecord]) -> None:
    assert verify_chain(KEY, records, make_checkpoint(KEY, records[3])).ok


def test_verifying_with_another_key_fails_at_the_first_record(
    records: list[AuditRecord],
) -> None:
    result = verify_chain(ATTACKER_KEY, records)
    assert not result.ok
    assert result.first_bad_seq == 1


@pytest.mark.parametrize("field", ["actor_id", "purpose", "subject_ref", "object_id", "unit"])
def test_edited_record_is_reported_as_edited_at_its_seq(
    records: list[AuditRecord], field: str
) -> None:
    changes: dict[str, Any] = {field: "changed"}
    records[2] = dataclasses.replace(records[2], **changes)
    result = verify_chain(KEY, records)
    assert (result.ok, result.problem, result.first_bad_seq) == (False, AuditProblem.EDITED, 3)
    assert result.checked == 2


def test_edited_outcome_and_time_are_detected(records: list[AuditRecord]) -> None:
    records[1] = dataclasses.replace(records[1], outcome=AuditOutcome.DENIED)
    records[4] = dataclasses.replace(records[4], at=records[4].at + timedelta(microseconds=1))
    result = verify_chain(KEY, records)
    assert (result.problem, result.first_bad_seq) == (AuditProblem.EDITED, 2)


def test_edit_with_hashes_recomputed_without_the_key_is_detected(
    records: list[AuditRecord],
) -> None:
    # The attacker knows the construction and rewrites the tail consistently, but with
    # their own key: every hash and link looks right except that none verifies under ours.
    prev_hash = records[1].hash
    for i in range(2, len(records)):
        edited = dataclasses.replace(records[i], prev_hash=prev_hash, purpose="nothing to see")
        edited = dataclasses.replace(edited, hash=forge_hash(ATTACKER_KEY, edited))
        records[i] = edited
        prev_hash = edited.hash
    result = verify_chain(KEY, records)
    assert (result.problem, result.first_bad_seq) == (AuditProblem.EDITED, 3)


def test_deleted_middle_record_is_reported_as_removed(records: list[AuditRecord]) -> None:
    del records[3]
    result = verify_chain(KEY, records)
    assert (result.ok, result.problem, result.first_bad_seq) == (False, AuditProblem.REMOVED, 4)
    assert result.checked == 3


def test_deleted_first_record_is_reported_as_removed(records: list[AuditRecord]) -> None:
    del records[0]
    result = verify_chain(KEY, records)
    assert (result.problem, result.first_bad_seq) == (AuditProblem.REMOVED, 1)


def test_several_deleted_records_are_reported_from_the_first_missing(
    records: list[AuditRecord],
) -> None:
    del records[1:4]
    result = verify_chain(KEY, records)
    assert (result.problem, result.first_bad_seq) == (AuditProblem.REMOVED, 2)
    assert "2-4" in result.detail


def test_deleted_last_record_is_invisible_without_a_checkpoint(
    records: list[AuditRecord],
) -> None:
    checkpoint = make_checkpoint(KEY, records[-1])
    del records[-1]
    assert verify_chain(KEY, records).ok  # a shorter chain is a valid chain...
    result = verify_chain(KEY, records, checkpoint)  # ...until compared with the checkpoint
    assert (result.ok, result.problem, result.first_bad_seq) == (
        False,
        AuditProblem.TRUNCATED,
        6,
    )
    assert result.checked == 5


def test_truncated_tail_is_reported_from_the_first_missing_seq(
    records: list[AuditRecord],
) -> None:
    checkpoint = make_checkpoint(KEY, records[-1])
    result = verify_chain(KEY, records[:3], checkpoint)
    assert (result.problem, result.first_bad_seq) == (AuditProblem.TRUNCATED, 4)


def test_truncated_then_regrown_chain_differs_at_the_checkpoint(
    records: list[AuditRecord],
) -> None:
    checkpoint = make_checkpoint(KEY, records[4])
    # Records 4-6 deleted; the service, unaware, goes on appending after record 3.
    regrown = records[:3]
    chain = AuditChain(KEY)
    for n in range(3):
        regrown.append(
            chain.next_record(
                regrown[-1],
                at=START + timedelta(hours=1, minutes=n),
                actor_id="staff:9",
                actor_role="supervisor",
                unit="youth",
                subject_ref="conversation:9",
                object_type="conversation",
                object_id="9",
                action=AuditAction.CLOSE,
                purpose="counselling",
                outcome=AuditOutcome.SUCCESS,
            )
        )
    assert verify_chain(KEY, regrown).ok
    result = verify_chain(KEY, regrown, checkpoint)
    assert (result.problem, result.first_bad_seq) == (AuditProblem.TRUNCATED, 5)


def test_valid_record_inserted_from_a_fork_is_reported_as_inserted(
    records: list[AuditRecord],
) -> None:
    # Even a record made with the key (a replayed or forked one) cannot be slotted in.
    fork = AuditChain(KEY).next_record(
        records[1],
        at=START,
        actor_id="staff:0",
        actor_role="counsellor",
        unit="youth",
        subject_ref="conversation:1",
        object_type="message",
        object_id="1",
        action=AuditAction.REVEAL,
        purpose="checking the phone number",
        outcome=AuditOutcome.SUCCESS,
    )
    records.insert(2, fork)
    result = verify_chain(KEY, records)
    assert (result.ok, result.problem, result.first_bad_seq) == (False, AuditProblem.INSERTED, 3)


def test_forged_record_inserted_before_the_genuine_one_is_reported_as_inserted(
    records: list[AuditRecord],
) -> None:
    forged = dataclasses.replace(records[2], purpose="forged")
    forged = dataclasses.replace(forged, hash=forge_hash(ATTACKER_KEY, forged))
    records.insert(2, forged)
    result = verify_chain(KEY, records)
    assert (result.problem, result.first_bad_seq) == (AuditProblem.INSERTED, 3)


def test_forged_record_inserted_after_the_genuine_one_is_reported_as_inserted(
    records: list[AuditRecord],
) -> None:
    forged = dataclasses.replace(records[2], purpose="forged", hash="0" * 64)
    records.insert(3, forged)
    result = verify_chain(KEY, records)
    assert (result.problem, result.first_bad_seq) == (AuditProblem.INSERTED, 3)


def test_duplicated_record_is_reported_as_inserted(records: list[AuditRecord]) -> None:
    records.insert(2, records[1])
    result = verify_chain(KEY, records)
    assert (result.problem, result.first_bad_seq) == (AuditProblem.INSERTED, 2)


def test_replaced_record_that_breaks_the_link_is_reported_as_inserted(
    records: list[AuditRecord],
) -> None:
    # A record from another chain under the same key (a restored copy, a second instance):
    # valid by itself, but its link points elsewhere.
    records[3] = build_chain(purpose="supervision")[3]
    result = verify_chain(KEY, records)
    assert (result.ok, result.problem, result.first_bad_seq) == (False, AuditProblem.INSERTED, 4)


def test_swapped_records_are_reported_as_reordered(records: list[AuditRecord]) -> None:
    records[2], records[3] = records[3], records[2]
    result = verify_chain(KEY, records)
    assert (result.ok, result.problem, result.first_bad_seq) == (
        False,
        AuditProblem.REORDERED,
        3,
    )
    assert result.checked == 2


def test_record_moved_to_the_front_is_reported_as_reordered(records: list[AuditRecord]) -> None:
    records.insert(0, records.pop())
    result = verify_chain(KEY, records)
    assert (result.problem, result.first_bad_seq) == (AuditProblem.REORDERED, 1)


def test_swapped_seq_numbers_are_reported_as_reordered(records: list[AuditRecord]) -> None:
    # Reading ORDER BY seq hides a swap in storage order; swapping the numbers themselves
    # is caught because each record's links say where it really belongs.
    third, fourth = records[2], records[3]
    records[2] = dataclasses.replace(fourth, seq=3)
    records[3] = dataclasses.replace(third, seq=4)
    result = verify_chain(KEY, records)
    assert (result.problem, result.first_bad_seq) == (AuditProblem.REORDERED, 3)


def test_problem_detail_names_seqs_but_no_content(records: list[AuditRecord]) -> None:
    records[2] = dataclasses.replace(records[2], purpose="secret reason text")
    result = verify_chain(KEY, records)
    assert "3" in result.detail
    assert "secret" not in result.detail
    assert "staff" not in result.detail


def test_checkpoint_file_round_trips_with_mode_0600(
    records: list[AuditRecord], tmp_path: Path
) -> None:
    path = tmp_path / "audit-checkpoint.json"
    checkpoint = make_checkpoint(KEY, records[-1])
    write_checkpoint(path, checkpoint)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_checkpoint(path, KEY) == checkpoint
    assert checkpoint.seq == 6
    assert checkpoint.hash == records[-1].hash


def test_missing_checkpoint_file_reads_as_none(tmp_path: Path) -> None:
    assert read_checkpoint(tmp_path / "none.json", KEY) is None


def test_forged_checkpoint_file_is_refused(records: list[AuditRecord], tmp_path: Path) -> None:
    path = tmp_path / "audit-checkpoint.json"
    write_checkpoint(path, make_checkpoint(KEY, records[-1]))
    document = json.loads(path.read_text())
    document["seq"] = 3  # hide that records 4-6 were deleted
    document["hash"] = records[2].hash
    path.write_text(json.dumps(document))
    with pytest.raises(IntegrityError):
        read_checkpoint(path, KEY)


def test_checkpoint_made_with_another_key_is_refused(
    records: list[AuditRecord], tmp_path: Path
) -> None:
    path = tmp_path / "audit-checkpoint.json"
    write_checkpoint(path, make_checkpoint(ATTACKER_KEY, records[2]))
    with pytest.raises(IntegrityError):
        read_checkpoint(path, KEY)


def test_malformed_checkpoint_file_is_an_integrity_error(tmp_path: Path) -> None:
    path = tmp_path / "audit-checkpoint.json"
    path.write_text("{not json")
    with pytest.raises(IntegrityError):
        read_checkpoint(path, KEY)


def test_verify_chain_refuses_a_forged_checkpoint_object(records: list[AuditRecord]) -> None:
    genuine = make_checkpoint(KEY, records[-1])
    forged = Checkpoint(seq=3, hash=records[2].hash, at=records[2].at, mac=genuine.mac)
    with pytest.raises(IntegrityError):
        verify_chain(KEY, records[:3], forged)


def test_checkpoint_mac_differs_from_the_record_hash(records: list[AuditRecord]) -> None:
    checkpoint = make_checkpoint(KEY, records[-1])
    assert checkpoint.mac != records[-1].hash
    assert checkpoint.at == records[-1].at
