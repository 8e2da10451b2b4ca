"""The GDPR Article 30 record of processing, generated from the live configuration.

Reads configuration, staff counts per role and disclosure records; never conversation content.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select

from bot.actions.context import Core
from bot.config import Environment, Settings
from bot.hours import OpeningHours
from bot.local_time import zone_label
from bot.store.tables import AuditRow, Conversation, Queue, StaffUser, Topic
from privacy.audit import AuditAction

from .common import local_text


@dataclass(frozen=True, slots=True)
class QueueRecord:
    id: str
    name: str
    languages: tuple[str, ...]
    transcript_days: int
    pii_vault_hours: int
    hours: str
    topics: tuple[str, ...]
    active: bool


@dataclass(frozen=True, slots=True)
class ProcessingRecord:
    made_at: datetime
    controller: str
    contact: str
    channels: tuple[str, ...]
    queues: tuple[QueueRecord, ...]
    staff_by_role: dict[str, int]
    recipients: tuple[tuple[str, str, str, int], ...]  # (recipient, basis, purposes, count)
    security: tuple[str, ...]
    production: bool
    zone: ZoneInfo
    """The service's zone (`Settings.zone`), in which the Markdown shows the time made."""

    def as_json(self) -> dict[str, object]:
        return {
            "made_at": self.made_at.isoformat(),
            "controller": self.controller,
            "contact": self.contact,
            "channels": list(self.channels),
            "queues": [
                {
                    "id": q.id,
                    "name": q.name,
                    "languages": list(q.languages),
                    "transcript_days": q.transcript_days,
                    "pii_vault_hours": q.pii_vault_hours,
                    "opening_hours": q.hours,
                    "topics": list(q.topics),
                    "active": q.active,
                }
                for q in self.queues
            ],
            "staff_by_role": self.staff_by_role,
            "recipients": [
                {"recipient": r, "basis": b, "purposes": p.split(", "), "disclosures": n}
                for r, b, p, n in self.recipients
            ],
            "security_measures": list(self.security),
            "production": self.production,
        }


def enabled_channels(adapters: tuple[str, ...], seen: tuple[str, ...]) -> tuple[str, ...]:
    """Channels the configuration enables, plus any that stored conversations came from."""
    return tuple(sorted(set(adapters) | set(seen)))


def security_measures(settings: Settings, kek_versions: int) -> tuple[str, ...]:
    database = "PostgreSQL" if settings.resolved_database_url.startswith("postgresql") else "SQLite"
    keys = (
        "from the environment / secret store (SOMESOSSU_KEKS)"
        if settings.keys_configured
        else f"from the development key file {settings.key_file} (not for production)"
    )
    return (
        "Platform identities replaced by keyed pseudonyms (HMAC-SHA256) before storage",
        "Automatic redaction of personal data (HETU, phone, e-mail, IBAN, card, IP, address, "
        "names) before storage; originals kept separately in a short-lived PII vault",
        "Envelope encryption with AES-256-GCM: one data key per conversation and per PII vault, "
        f"wrapped by key-encryption keys {keys}; {kek_versions} KEK version(s) in use",
        "Crypto-shredding: deleting a conversation destroys its data keys",
        "Retention enforced by a scheduled job per queue (see the table above)",
        "Hash-chained, keyed audit trail of every read, reveal, export, erasure and change, "
        "with a signed checkpoint outside the database",
        "Reveal of a redacted item only with a stated reason, audited",
        "Role-based access (counsellor, supervisor, privacy officer, admin) and queue membership "
        "checked on every request",
        "Staff passwords hashed with argon2; TOTP second factor; sign-in throttling per account "
        "and per source address that does not reveal whether an account exists",
        "Secure session cookies and HSTS: "
        + (
            "always on"
            if settings.env is Environment.PRODUCTION or settings.secure_cookies
            else "on for requests over TLS (development: off over plain http)"
        ),
        "Strict Content-Security-Policy and security headers on every response",
        f"Database: {database}; logs and metrics carry ids and counts only",
    )


def _hours_text(data: dict[str, object]) -> str:
    try:
        hours = OpeningHours.from_json(data)
    except ValueError:
        return "invalid schedule"
    if hours.always_open:
        return "always open"
    return "; ".join(f"{day} {text}" for day, text in hours.describe())


async def processing_record(
    core: Core,
    *,
    adapters: tuple[str, ...] = (),
    controller: str = "(name of the controller: fill in)",
    contact: str = "(contact details of the controller and the data protection officer: fill in)",
) -> ProcessingRecord:
    async with core.database.session() as session:
        queues = list(
            (await session.execute(select(Queue).order_by(col(Queue.position)))).scalars()
        )
        topics = list(
            (await session.execute(select(Topic).order_by(col(Topic.position)))).scalars()
        )
        roles = await session.execute(
            select(StaffUser.role, func.count())
            .where(col(StaffUser.active).is_(True))
            .group_by(col(StaffUser.role))
        )
        staff = {str(role): int(count) for role, count in roles.all()}
        seen = tuple((await session.execute(select(Conversation.channel).distinct())).scalars())
        disclosures = await session.execute(
            select(AuditRow.recipient, AuditRow.disclosure_basis, AuditRow.purpose).where(
                AuditRow.action == AuditAction.DISCLOSE.value, AuditRow.outcome == "success"
            )
        )
        found = disclosures.all()
        recipients = Counter((r, b) for r, b, _ in found)
        # A consultation's purpose is a code of a fixed list (bot/consultations.py), never text.
        purposes: dict[tuple[str, str], set[str]] = {}
        for r, b, p in found:
            purposes.setdefault((r, b), set()).add(p)
    queue_records = tuple(
        QueueRecord(
            id=q.id,
            name=q.name,
            languages=tuple(q.languages),
            transcript_days=q.transcript_days,
            pii_vault_hours=q.pii_vault_hours,
            hours=_hours_text(q.opening_hours),
            topics=tuple(t.id for t in topics if t.queue_id == q.id and t.active),
            active=q.active,
        )
        for q in queues
    )
    return ProcessingRecord(
        made_at=core.now(),
        controller=controller,
        contact=contact,
        channels=enabled_channels(adapters, seen),
        queues=queue_records,
        staff_by_role=dict(sorted(staff.items())),
        recipients=tuple(
            (r, b, ", ".join(sorted(purposes[r, b])), n) for (r, b), n in sorted(recipients.items())
        ),
        security=security_measures(core.settings, len(core.keyring.kek_versions)),
        production=core.settings.env is Environment.PRODUCTION,
        zone=core.settings.zone,
    )


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def render_markdown(record: ProcessingRecord) -> str:
    longest_pii = max((q.pii_vault_hours for q in record.queues), default=24)
    longest_transcript = max((q.transcript_days for q in record.queues), default=30)
    lines = [
        "# Record of processing activities (GDPR Article 30)",
        "",
        f"Generated from the live configuration on {local_text(record.made_at, record.zone)} "
        f"({zone_label(record.zone)})."
        + ("" if record.production else " **This is a development installation.**"),
        "",
        "## 1. Controller",
        "",
        f"- Controller: {record.controller}",
        f"- Contact and data protection officer: {record.contact}",
        "",
        "## 2. Purposes of the processing",
        "",
        "- Providing anonymous social-service counselling by chat to residents.",
        "- Referring residents to further services when they ask for it.",
        "- Keeping an audit trail of access to conversations (security and accountability).",
        "- Anonymous statistics for reporting and developing the service.",
        "",
        "## 3. Categories of data subjects",
        "",
        "- Residents who write to the service.",
        "- Third persons the residents mention in their messages.",
        "- Staff members (counsellors, supervisors, privacy officers, administrators).",
        "",
        "## 4. Categories of personal data",
        "",
        "| Data | Form | Kept |",
        "|---|---|---|",
        _row("Platform identity", "keyed pseudonym only", "with the conversations"),
        _row("Reply address (chat id, room id, web session)", "encrypted", "with the transcript"),
        _row(
            "Message text written by the resident and the replies",
            "redacted and encrypted",
            f"up to {longest_transcript} days after the chat ends (per queue below)",
        ),
        _row(
            "Personal data removed by redaction (names, phone numbers, HETUs, ...); may include "
            "special categories (health, social welfare) the resident chooses to tell",
            "encrypted in a separate PII vault",
            f"up to {longest_pii} hours after the chat ends (per queue below)",
        ),
        _row("Chosen language and topic, timestamps, outcome", "plain", "with the transcript"),
        _row(
            "Web chat: the network the resident writes from (IP address)",
            "keyed digest only: encrypted with the conversation; in the clear in a block",
            "with the transcript; a block's copy until 30 days after the block ends",
        ),
        _row("Feedback after the chat", "anonymous counts only", "not personal data"),
        _row(
            "Facts of closed conversations (day, queue, language, topic, outcome, wait)",
            "anonymous counters, no id or pseudonym",
            "for impact reporting; not personal data",
        ),
        _row(
            "Staff accounts (username, display name, role, password hash)",
            "plain / hashed",
            "while the account exists",
        ),
        _row("Audit trail (ids, roles, actions, reasons)", "keyed hash chain", "set by controller"),
        "",
        "## 5. Channels in use",
        "",
    ]
    lines += [f"- {channel}" for channel in record.channels] or ["- (none enabled)"]
    lines += [
        "",
        "## 6. Queues, retention and opening hours",
        "",
        "| Queue | Name | Languages | Topics | Transcript kept (days) | PII vault kept (hours) "
        "| Opening hours | Active |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for q in record.queues:
        lines.append(
            _row(
                q.id,
                q.name,
                ", ".join(q.languages),
                ", ".join(q.topics) or "-",
                q.transcript_days,
                q.pii_vault_hours,
                q.hours,
                "yes" if q.active else "no",
            )
        )
    lines += [
        "",
        "Periods run from the end of the conversation. Deletion is crypto-shredding: the "
        "conversation's keys are destroyed, so copies in backups become unreadable too once "
        "the key-encryption key of the backup's time is retired.",
        "",
        "## 7. Who processes the data (staff with access, by role)",
        "",
        "| Role | Active accounts |",
        "|---|---|",
    ]
    lines += [_row(role, count) for role, count in record.staff_by_role.items()] or [
        _row("(none)", 0)
    ]
    lines += ["", "## 8. Recipients and disclosures", ""]
    if record.recipients:
        lines += [
            "| Recipient organisation | Legal basis | Purposes | Disclosures |",
            "|---|---|---|---|",
        ]
        lines += [_row(r, b, p, n) for r, b, p, n in record.recipients]
    else:
        lines.append("No disclosures to other parties are recorded in the audit trail.")
    lines += [
        "",
        "Chat platforms (Telegram, a Matrix homeserver) carry the messages as processors or "
        "independent controllers under their own terms; the web chat has no such third party.",
        "No transfers to third countries by the service itself.",
        "",
        "## 9. Technical and organisational security measures",
        "",
    ]
    lines += [f"- {measure}" for measure in record.security]
    return "\n".join(lines) + "\n"
