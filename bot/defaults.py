"""The default configuration made on first start: a queue, topics, close tags, canned replies.

Writes configuration only (no resident data); admins change all of it in the console later.
"""

from __future__ import annotations

from sqlmodel import select

from privacy.audit import AuditAction

from .actions.context import SYSTEM, Core, unit_of_work
from .config import Environment
from .hours import OpeningHours
from .store.tables import CannedReply, CloseTag, Queue, Topic
from .texts import LANGUAGES

DEFAULT_QUEUE = "general"
TOPICS = ("housing", "money", "work", "health", "immigration", "other")

# Weekdays 9-16 in the service's zone, which ensure_defaults adds as "timezone".
WORKING_HOURS = {
    "always_open": False,
    "closed_on_public_holidays": True,
    "weekly": {day: [["09:00", "16:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "exceptions": {},
}

# Starting points for counsellors; each organisation rewrites them in the console.
CANNED_REPLIES: dict[str, list[tuple[str, str]]] = {
    "fi": [
        (
            "Tervehdys",
            "Hei, olen sosiaaliohjaaja. Kiitos kun kirjoitit. Kerro rauhassa, missä voin auttaa.",
        ),
        (
            "Kysy lisää",
            "Kiitos. Voitko kertoa vähän lisää tilanteestasi? Nimeä tai henkilötunnusta ei tarvita.",
        ),
        ("Lopetus", "Kiitos keskustelusta. Voit kirjoittaa meille uudelleen milloin tahansa."),
    ],
    "sv": [
        (
            "Hälsning",
            "Hej, jag är socialhandledare. Tack för att du skrev. Berätta i lugn och ro hur jag kan hjälpa.",
        ),
        (
            "Fråga mer",
            "Tack. Kan du berätta lite mer om din situation? Du behöver inte ge ditt namn eller personbeteckning.",
        ),
        ("Avslutning", "Tack för samtalet. Du kan skriva till oss igen när som helst."),
    ],
    "en": [
        (
            "Greeting",
            "Hello, I am a social counsellor. Thank you for writing. Tell me in your own time how I can help.",
        ),
        (
            "Ask more",
            "Thank you. Could you tell me a little more about your situation? You do not need to give your name or identity code.",
        ),
        ("Closing", "Thank you for the conversation. You can write to us again at any time."),
    ],
    "ru": [
        (
            "Приветствие",
            "Здравствуйте, я социальный консультант. Спасибо, что написали. Расскажите спокойно, чем я могу помочь.",
        ),
        (
            "Уточнить",
            "Спасибо. Можете рассказать немного больше о вашей ситуации? Имя и личный код называть не нужно.",
        ),
        ("Завершение", "Спасибо за разговор. Вы можете написать нам снова в любое время."),
    ],
    "uk": [
        (
            "Привітання",
            "Вітаю, я соціальний консультант. Дякую, що написали. Розкажіть спокійно, чим я можу допомогти.",
        ),
        (
            "Уточнити",
            "Дякую. Чи можете розповісти трохи більше про вашу ситуацію? Ім'я та особистий код називати не потрібно.",
        ),
        ("Завершення", "Дякую за розмову. Ви можете написати нам знову будь-коли."),
    ],
    "ar": [
        ("تحية", "مرحبًا، أنا مرشد اجتماعي. شكرًا لأنك كتبت لنا. أخبرني بهدوء كيف يمكنني مساعدتك."),
        (
            "مزيد من المعلومات",
            "شكرًا. هل يمكنك أن تخبرني قليلًا عن وضعك؟ لا تحتاج إلى ذكر اسمك أو رقمك الشخصي.",
        ),
        ("الختام", "شكرًا على المحادثة. يمكنك الكتابة إلينا مرة أخرى في أي وقت."),
    ],
}


async def ensure_defaults(core: Core) -> bool:
    """Create the default queue, topics and canned replies if there is no queue yet."""
    async with unit_of_work(core) as work:
        if (await work.session.execute(select(Queue.id).limit(1))).first() is not None:
            return False
        development = core.settings.env is Environment.DEVELOPMENT
        # The first queue's rota is in the service's own zone (SOMESOSSU_TIME_ZONE).
        hours = (
            OpeningHours.always().to_json()
            if development
            else {**WORKING_HOURS, "timezone": core.settings.time_zone}
        )
        work.session.add(
            Queue(
                id=DEFAULT_QUEUE,
                name="Yleinen neuvonta / General advice",
                languages=list(LANGUAGES),
                opening_hours=dict(hours),
                transcript_days=30,
                pii_vault_hours=24,
            )
        )
        await work.session.flush()
        for position, topic in enumerate(TOPICS):
            labels = {code: core.texts.text(code, f"topic_{topic}") for code in LANGUAGES}
            work.session.add(
                Topic(id=topic, queue_id=DEFAULT_QUEUE, labels=labels, position=position)
            )
            # The close form offers the topics as close tags until admins define their own.
            label = " / ".join(dict.fromkeys(labels[code] for code in ("fi", "en")))
            work.session.add(
                CloseTag(queue_id=DEFAULT_QUEUE, id=topic, label=label[:60], position=position)
            )
        for language, replies in CANNED_REPLIES.items():
            for position, (title, body) in enumerate(replies):
                work.session.add(
                    CannedReply(language=language, title=title, body=body, position=position)
                )
        await work.audit(
            SYSTEM,
            AuditAction.CONFIG_CHANGE,
            object_type="queue",
            object_id=DEFAULT_QUEUE,
            purpose="default configuration",
        )
    core.flow.invalidate()
    return True
