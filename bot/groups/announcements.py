"""Opt-in news of group sessions: consent, opt-in per topic and language, withdrawal, expiry,
and staff announcements with delivered / failed / withdrawn counts.

An announcement goes only to residents whose opt-in for that topic and language is in force;
an opt-in keeps the pseudonym and a reply address sealed under its own key, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete as sql_delete
from sqlmodel import col, select

from bot.access import Staff, may_announce
from bot.actions.context import Core, Work, unit_of_work
from bot.errors import ActionError
from bot.ids import new_id
from bot.sealed_formats import ANNOUNCEMENT_TEXT, NEWS_REPLY_ADDRESS
from bot.sealing import KeyPurpose
from bot.store.tables import OutboxRow, Topic
from bot.texts import LANGUAGES
from privacy.audit import AuditAction
from privacy.crypto import seal, unseal

from .commands import GroupCommand, group_word
from .delivery import queue_to_address
from .session_rules import every_row
from .sessions import GroupLimits, GroupState, load_session
from .tables import Announcement, AnnouncementDelivery, NewsOptIn

ANNOUNCEMENT_MAX = 1000


def opt_in_owner(opt_in_id: str) -> str:
    """Each opt-in has its own key: withdrawing or expiring it crypto-shreds the address."""
    return f"news:{opt_in_id}"


async def topics(work: Work) -> list[Topic]:
    query = select(Topic).where(col(Topic.active).is_(True)).order_by(col(Topic.position))
    return await every_row(work.session, query)


def topic_label(topic: Topic, language: str) -> str:
    return topic.labels.get(language) or topic.labels.get("en") or topic.id


async def _answer(
    work: Work,
    channel: str,
    reply_address: str,
    language: str,
    key: str,
    params: Mapping[str, object] | None = None,
) -> None:
    """Answer the resident at `reply_address` with the catalog text `key` in `language`."""
    await queue_to_address(
        work,
        channel=channel,
        reply_address=reply_address,
        text=work.core.texts.text(language, key, **(params or {})),
        language=language,
    )


async def offer(work: Work, *, channel: str, reply_address: str, language: str) -> None:
    """The plain-language consent text, with one button (or number) per topic."""
    texts = work.core.texts
    available = await topics(work)
    listing = "\n".join(
        f"{number}. {topic_label(topic, language)}" for number, topic in enumerate(available, 1)
    )
    text = texts.text(
        language,
        "news_consent",
        days=GroupLimits.of(work.core.settings).news_opt_in_days,
        stop_word=group_word(language, GroupCommand.STOP_NEWS),
        news_word=group_word(language, GroupCommand.NEWS),
        topics=listing,
    )
    choices = [(f"news:{topic.id}:{language}", topic_label(topic, language)) for topic in available]
    await queue_to_address(
        work,
        channel=channel,
        reply_address=reply_address,
        text=text,
        language=language,
        choices=choices,
    )


async def opt_in(
    work: Work,
    *,
    pseudonym: str,
    channel: str,
    reply_address: str,
    language: str,
    choice: str,
) -> bool:
    """Record consent for a topic ("<topic>:<lang>" from a button, or the topic's number)."""
    core = work.core
    available = await topics(work)
    topic: Topic | None = None
    news_language = language
    if choice.isdigit() and 1 <= int(choice) <= len(available):
        topic = available[int(choice) - 1]
    elif ":" in choice:
        topic_id, _, chosen_language = choice.partition(":")
        topic = next((t for t in available if t.id == topic_id), None)
        news_language = chosen_language if chosen_language in LANGUAGES else language
    if topic is None:
        await _answer(
            work,
            channel,
            reply_address,
            language,
            "news_unknown_topic",
            {"news_word": group_word(language, GroupCommand.NEWS)},
        )
        return False
    days = GroupLimits.of(core.settings).news_opt_in_days
    now = core.now()
    query = select(NewsOptIn).where(
        NewsOptIn.pseudonym == pseudonym,
        NewsOptIn.channel == channel,
        NewsOptIn.topic_id == topic.id,
        NewsOptIn.language == news_language,
    )
    existing = (await work.session.execute(query)).scalar_one_or_none()
    if existing is None:
        opt_in_id = new_id()
        key = core.keys.create(work.session, opt_in_owner(opt_in_id), KeyPurpose.CONVERSATION)
        existing = NewsOptIn(
            id=opt_in_id,
            pseudonym=pseudonym,
            channel=channel,
            topic_id=topic.id,
            language=news_language,
            sealed_reply_address=seal(
                key, reply_address, aad=NEWS_REPLY_ADDRESS.context(opt_in_id)
            ),
            expires_at=now + timedelta(days=days),
        )
    else:
        key = await core.keys.get(work.session, opt_in_owner(existing.id), KeyPurpose.CONVERSATION)
        existing.sealed_reply_address = seal(
            key, reply_address, aad=NEWS_REPLY_ADDRESS.context(existing.id)
        )
    existing.consented_at = now
    existing.expires_at = now + timedelta(days=days)
    work.session.add(existing)
    await _answer(
        work,
        channel,
        reply_address,
        language,
        "news_opted_in",
        {
            "topic": topic_label(topic, language),
            "language": core.texts.language_name(news_language),
            "days": days,
            "stop_word": group_word(language, GroupCommand.STOP_NEWS),
        },
    )
    return True


async def _forget(work: Work, opt_ins: list[NewsOptIn], outcome: str) -> int:
    """Delete opt-ins and their keys; their undelivered announcements are not sent."""
    ids = [o.id for o in opt_ins]
    if not ids:
        return 0
    links = await every_row(
        work.session,
        select(AnnouncementDelivery).where(
            col(AnnouncementDelivery.opt_in_id).in_(ids),
            AnnouncementDelivery.outcome == "pending",
        ),
    )
    pending = await every_row(
        work.session,
        select(OutboxRow.id).where(
            col(OutboxRow.id).in_([link.outbox_id for link in links]),
            OutboxRow.state == "pending",
        ),
    )
    await work.session.execute(sql_delete(OutboxRow).where(col(OutboxRow.id).in_(pending)))
    for link in links:
        if link.outbox_id in pending:
            link.outcome = outcome
        link.opt_in_id = None
        work.session.add(link)
    for opt_in_row in opt_ins:
        await work.core.keys.destroy(
            work.session, opt_in_owner(opt_in_row.id), (KeyPurpose.CONVERSATION,)
        )
    await work.session.execute(sql_delete(NewsOptIn).where(col(NewsOptIn.id).in_(ids)))
    return len(ids)


async def withdraw(
    work: Work, *, pseudonym: str, channel: str, reply_address: str, language: str
) -> int:
    """Withdraw every opt-in of this resident on this channel, at once."""
    query = select(NewsOptIn).where(NewsOptIn.pseudonym == pseudonym, NewsOptIn.channel == channel)
    found = await every_row(work.session, query)
    count = await _forget(work, found, "withdrawn")
    await _answer(
        work, channel, reply_address, language, "news_withdrawn" if count else "news_none"
    )
    return count


async def expire(core: Core) -> int:
    """Delete opt-ins past their expiry (scheduled)."""
    async with unit_of_work(core) as work:
        query = select(NewsOptIn).where(col(NewsOptIn.expires_at) <= core.now())
        return await _forget(work, await every_row(work.session, query), "expired")


@dataclass(frozen=True, slots=True)
class AnnouncementCounts:
    id: str
    recipients: int
    delivered: int
    failed: int
    withdrawn: int
    pending: int


async def send(
    core: Core,
    staff: Staff,
    *,
    topic_id: str,
    language: str,
    text: str,
    session_id: str | None = None,
) -> AnnouncementCounts:
    """Queue an announcement to every opt-in in force for this topic and language."""
    if not may_announce(staff):
        raise ActionError("forbidden", "your role does not send announcements")
    text = text.strip()
    if not text or len(text) > ANNOUNCEMENT_MAX:
        raise ActionError("invalid_input", f"an announcement is 1-{ANNOUNCEMENT_MAX} characters")
    if language not in LANGUAGES:
        raise ActionError("invalid_input", "unknown language")
    async with unit_of_work(core) as work:
        topic = await work.session.get(Topic, topic_id)
        if topic is None:
            raise ActionError("invalid_input", "no such topic")
        lines = [core.texts.text(language, "group_announcement", text=text)]
        choices: list[tuple[str, str]] = []
        if session_id is not None:
            group = await load_session(work, session_id)
            if group.state not in (GroupState.SCHEDULED, GroupState.OPEN):
                raise ActionError("invalid_state", "the session is over")
            lines.append(
                core.texts.text(
                    language,
                    "group_announcement_join",
                    title=group.title,
                    when=core.texts.format_when(language, group.starts_at, zone=core.settings.zone),
                    join_word=group_word(language, GroupCommand.JOIN),
                    code=group.code,
                )
            )
            choices.append(
                (f"group:join:{group.code}", core.texts.text(language, "group_join_button"))
            )
        lines.append(
            core.texts.text(
                language, "news_how_to_stop", stop_word=group_word(language, GroupCommand.STOP_NEWS)
            )
        )
        choices.append(("news:stop", core.texts.text(language, "news_stop_button")))
        body = "\n\n".join(lines)
        system = await core.keys.system_key(work.session)
        announcement_id = new_id()
        announcement = Announcement(
            id=announcement_id,
            topic_id=topic_id,
            language=language,
            session_id=session_id,
            sealed_text=seal(system, text, aad=ANNOUNCEMENT_TEXT.context(announcement_id)),
            sent_by=staff.user_id,
            created_at=core.now(),
        )
        work.session.add(announcement)
        await work.session.flush()
        query = select(NewsOptIn).where(
            NewsOptIn.topic_id == topic_id,
            NewsOptIn.language == language,
            col(NewsOptIn.expires_at) > core.now(),
        )
        recipients = 0
        for opt_in_row in (await work.session.execute(query)).scalars():
            key = await core.keys.get(
                work.session, opt_in_owner(opt_in_row.id), KeyPurpose.CONVERSATION
            )
            address = unseal(
                key, opt_in_row.sealed_reply_address, aad=NEWS_REPLY_ADDRESS.context(opt_in_row.id)
            )
            row = await queue_to_address(
                work,
                channel=opt_in_row.channel,
                reply_address=address,
                text=body,
                language=language,
                choices=choices,
                message_id=f"announcement:{announcement.id}"[:64],
                thread=opt_in_owner(opt_in_row.id),
            )
            work.session.add(
                AnnouncementDelivery(
                    outbox_id=row.id, announcement_id=announcement.id, opt_in_id=opt_in_row.id
                )
            )
            recipients += 1
        announcement.recipients = recipients
        await work.audit(
            staff.actor(),
            AuditAction.CREATE,
            object_type="announcement",
            object_id=announcement.id,
            purpose=f"topic={topic_id} language={language} recipients={recipients}",
        )
        work.publish("staff", "announcement.sent", announcement=announcement.id)
    return AnnouncementCounts(announcement.id, recipients, 0, 0, 0, recipients)


async def counts(core: Core, announcement_id: str) -> AnnouncementCounts:
    """Delivered, failed, withdrawn and still pending, refreshed from the outbox."""
    async with unit_of_work(core) as work:
        announcement = await work.session.get(Announcement, announcement_id)
        if announcement is None:
            raise ActionError("not_found", "no such announcement")
        links = await every_row(
            work.session,
            select(AnnouncementDelivery).where(
                AnnouncementDelivery.announcement_id == announcement_id
            ),
        )
        pending_ids = [link.outbox_id for link in links if link.outcome == "pending"]
        result = await work.session.execute(
            select(OutboxRow.id, OutboxRow.state).where(col(OutboxRow.id).in_(pending_ids))
        )
        states = {str(outbox_id): str(state) for outbox_id, state in result.all()}
        for link in links:
            if link.outcome == "pending" and states.get(link.outbox_id) in ("delivered", "failed"):
                link.outcome = str(states[link.outbox_id])
                if link.outcome == "delivered":
                    link.opt_in_id = None  # nothing left to withdraw
                work.session.add(link)
        tally = {
            outcome: sum(1 for link in links if link.outcome == outcome)
            for outcome in ("delivered", "failed", "withdrawn", "expired", "pending")
        }
        announcement.delivered = tally["delivered"]
        announcement.failed = tally["failed"]
        announcement.withdrawn = tally["withdrawn"] + tally["expired"]
        work.session.add(announcement)
        return AnnouncementCounts(
            announcement.id,
            announcement.recipients,
            announcement.delivered,
            announcement.failed,
            announcement.withdrawn,
            tally["pending"],
        )
