"""Who accessed which conversation, when and why, from the audit trail, with unusual access flagged.

Reads the audit trail and staff usernames only; never opens a conversation's content.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.actions.context import Core
from bot.hours import WEEKDAYS, HoursError, OpeningHours
from bot.store import audit as audit_store
from bot.store.tables import StaffUser
from privacy.audit import AuditAction, AuditOutcome, AuditRecord

from .common import OfficerError

ACCESS_ACTIONS = frozenset({AuditAction.READ, AuditAction.REVEAL, AuditAction.EXPORT})
"""Actions that show content to someone: the ones checked against working hours."""

NOT_STAFF_ROLES = frozenset({"system", "resident"})


class Flag(StrEnum):
    REVEAL_WITHOUT_CLAIM = "reveal_without_claim"
    OUTSIDE_HOURS = "outside_hours"
    MANY_CONVERSATIONS = "many_conversations"
    DENIED = "denied"


FLAG_EXPLANATIONS: dict[str, str] = {
    Flag.REVEAL_WITHOUT_CLAIM: "revealed redacted data of a conversation they had not claimed",
    Flag.OUTSIDE_HOURS: "read, revealed or exported content outside working hours",
    Flag.MANY_CONVERSATIONS: "read many different conversations within a short time",
    Flag.DENIED: "attempted something they were not allowed to do",
}

_WORKING_HOURS = re.compile(
    r"^(?P<first>mon|tue|wed|thu|fri|sat|sun)(?:-(?P<last>mon|tue|wed|thu|fri|sat|sun))?"
    r"\s+(?P<start>\d{2}:\d{2})-(?P<end>\d{2}:\d{2})$"
)


def working_hours(spec: str, zone: ZoneInfo) -> OpeningHours:
    """Hours like "mon-fri 07:00-18:00" in `zone` (the service's), Finnish public holidays off."""
    match = _WORKING_HOURS.match(spec.strip().lower())
    if match is None:
        raise OfficerError(f"working hours {spec!r}: use the form 'mon-fri 07:00-18:00'")
    first = WEEKDAYS.index(match["first"])
    last = WEEKDAYS.index(match["last"] or match["first"])
    if last < first:
        raise OfficerError(f"working hours {spec!r}: the days run backwards")
    days = WEEKDAYS[first : last + 1]
    try:
        return OpeningHours.from_json(
            {
                "always_open": False,
                "timezone": zone.key,
                "closed_on_public_holidays": True,
                "weekly": {day: [[match["start"], match["end"]]] for day in days},
                "exceptions": {},
            }
        )
    except HoursError as error:
        raise OfficerError(f"working hours {spec!r}: {error}") from None


DEFAULT_WORKING_HOURS = "mon-fri 07:00-18:00"


@dataclass(frozen=True, slots=True)
class UnusualRules:
    """What counts as unusual; the officer tunes these to the service's own rota."""

    hours: OpeningHours
    """Normal working hours, e.g. `working_hours(DEFAULT_WORKING_HOURS, settings.zone)`."""
    burst_count: int = 10
    burst_window: timedelta = timedelta(minutes=60)


@dataclass(frozen=True, slots=True)
class ReportFilter:
    person: str | None = None
    conversation: str | None = None
    actions: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None
    flagged_only: bool = False


@dataclass(frozen=True, slots=True)
class AccessRow:
    seq: int
    at: datetime
    actor_id: str
    actor: str
    role: str
    action: str
    conversation: str
    object_type: str
    object_id: str
    purpose: str
    outcome: str
    flags: tuple[str, ...]
    recipient: str = ""
    """The organisation a disclosure went to (DISCLOSE; a consultation's steps), else ""."""

    def as_json(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "actor": self.actor,
            "role": self.role,
            "action": self.action,
            "conversation": self.conversation,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "purpose": self.purpose,
            "outcome": self.outcome,
            "flags": list(self.flags),
            "recipient": self.recipient,
        }


@dataclass(frozen=True, slots=True)
class DisclosureCount:
    """Disclosures shown in the report to one recipient organisation, for one purpose."""

    recipient: str
    basis: str
    purpose: str
    count: int


@dataclass(frozen=True, slots=True)
class AuditReport:
    rows: tuple[AccessRow, ...]
    total_records: int
    flag_counts: dict[str, int]
    disclosures: tuple[DisclosureCount, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "total_records": self.total_records,
            "shown": len(self.rows),
            "flag_counts": self.flag_counts,
            "rows": [row.as_json() for row in self.rows],
            "disclosures": [
                {"recipient": d.recipient, "basis": d.basis, "purpose": d.purpose, "count": d.count}
                for d in self.disclosures
            ],
        }


def disclosures_by_recipient(records: Iterable[AuditRecord]) -> tuple[DisclosureCount, ...]:
    """Successful disclosures counted per recipient organisation, legal basis and purpose."""
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for record in records:
        if record.action is AuditAction.DISCLOSE and record.outcome is AuditOutcome.SUCCESS:
            counts[record.recipient, record.disclosure_basis, record.purpose] += 1
    return tuple(DisclosureCount(r, b, p, n) for (r, b, p), n in sorted(counts.items()))


def _is_staff(record: AuditRecord) -> bool:
    return record.actor_role not in NOT_STAFF_ROLES and not record.actor_id.startswith(
        ("system", "resident")
    )


def find_unusual(records: Sequence[AuditRecord], rules: UnusualRules) -> dict[int, set[Flag]]:
    """Flags by record seq, judged over the whole trail (a claim may predate the period)."""
    flags: dict[int, set[Flag]] = defaultdict(set)
    claimed: set[tuple[str, str]] = set()
    recent_reads: dict[str, deque[tuple[datetime, str]]] = defaultdict(deque)
    for record in records:
        action, success = record.action, record.outcome is AuditOutcome.SUCCESS
        if record.outcome is AuditOutcome.DENIED:
            flags[record.seq].add(Flag.DENIED)
        if action is AuditAction.CLAIM and success:
            claimed.add((record.actor_id, record.subject_ref))
        elif (
            action is AuditAction.TRANSFER and success and record.purpose.startswith("counsellor:")
        ):
            # A transfer to a named counsellor hands them the conversation without a claim.
            claimed.add((record.purpose.removeprefix("counsellor:"), record.subject_ref))
        if not _is_staff(record):
            continue
        if (
            action is AuditAction.REVEAL
            and success
            and (record.actor_id, record.subject_ref) not in claimed
        ):
            flags[record.seq].add(Flag.REVEAL_WITHOUT_CLAIM)
        if action in ACCESS_ACTIONS and not rules.hours.is_open(record.at):
            flags[record.seq].add(Flag.OUTSIDE_HOURS)
        if action is AuditAction.READ and success:
            window = recent_reads[record.actor_id]
            window.append((record.at, record.subject_ref))
            while window and record.at - window[0][0] > rules.burst_window:
                window.popleft()
            if len({conversation for _, conversation in window}) >= rules.burst_count:
                flags[record.seq].add(Flag.MANY_CONVERSATIONS)
    return flags


async def usernames(core: Core) -> dict[str, str]:
    async with core.database.session() as session:
        rows = await session.execute(select(StaffUser.id, StaffUser.username))
        return {user_id: username for user_id, username in rows.all()}


def _matches(
    record: AuditRecord, flags: Iterable[Flag], wanted: ReportFilter, person_ids: set[str]
) -> bool:
    if wanted.person is not None and record.actor_id not in person_ids:
        return False
    if wanted.conversation is not None and wanted.conversation not in (
        record.subject_ref,
        record.object_id,
    ):
        return False
    if wanted.actions and str(record.action) not in wanted.actions:
        return False
    if wanted.since is not None and record.at < wanted.since:
        return False
    if wanted.until is not None and record.at >= wanted.until:
        return False
    return not (wanted.flagged_only and not list(flags))


async def audit_report(
    core: Core, wanted: ReportFilter | None = None, rules: UnusualRules | None = None
) -> AuditReport:
    wanted = wanted or ReportFilter()
    rules = rules or UnusualRules(working_hours(DEFAULT_WORKING_HOURS, core.settings.zone))
    unknown = wanted.actions - {action.value for action in AuditAction}
    if unknown:
        raise OfficerError(f"unknown action {sorted(unknown)[0]!r}")
    async with core.database.session() as session:
        records = [record async for record in audit_store.iterate(session)]
    names = await usernames(core)
    person_ids: set[str] = set()
    if wanted.person is not None:
        person_ids = {uid for uid, name in names.items() if wanted.person in (uid, name)}
        person_ids.add(wanted.person)  # ids of deleted users and "system" still match
    flags = find_unusual(records, rules)
    rows = []
    shown: list[AuditRecord] = []
    counts: dict[str, int] = defaultdict(int)
    for record in records:
        record_flags = sorted(flags.get(record.seq, set()))
        if not _matches(record, record_flags, wanted, person_ids):
            continue
        shown.append(record)
        for flag in record_flags:
            counts[str(flag)] += 1
        rows.append(
            AccessRow(
                seq=record.seq,
                at=record.at,
                actor_id=record.actor_id,
                actor=names.get(record.actor_id, record.actor_id),
                role=record.actor_role,
                action=str(record.action),
                conversation=record.subject_ref,
                object_type=record.object_type,
                object_id=record.object_id,
                purpose=record.purpose,
                outcome=str(record.outcome),
                flags=tuple(str(flag) for flag in record_flags),
                recipient=record.recipient,
            )
        )
    return AuditReport(
        tuple(rows), len(records), dict(sorted(counts.items())), disclosures_by_recipient(shown)
    )
