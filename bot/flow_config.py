"""The triage configuration (topics, queues' opening hours) read from the store and cached.

Admins change it rarely; the cache is refreshed after `invalidate()` or every few seconds so
that several instances converge without a restart.
"""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncSession

from .conversation import FlowConfig, TopicOption
from .hours import HoursError, OpeningHours
from .store import queues as queue_store
from .texts import LANGUAGES, Texts

REFRESH_SECONDS = 10.0


class FlowCache:
    def __init__(self, texts: Texts) -> None:
        self._texts = texts
        self._config: FlowConfig | None = None
        self._loaded_at = 0.0
        self.retention_days: dict[str, int] = {}

    def invalidate(self) -> None:
        self._config = None

    async def get(self, session: AsyncSession) -> FlowConfig:
        if self._config is None or time.monotonic() - self._loaded_at > REFRESH_SECONDS:
            self._config = await self._load(session)
            self._loaded_at = time.monotonic()
        return self._config

    async def _load(self, session: AsyncSession) -> FlowConfig:
        queues = await queue_store.all_queues(session, active_only=True)
        hours: dict[str, OpeningHours] = {}
        for queue in queues:
            if not queue.opening_hours:
                hours[queue.id] = OpeningHours.always()
                continue
            try:
                hours[queue.id] = OpeningHours.from_json(queue.opening_hours)
            except HoursError:
                # A broken schedule must not stop residents from reaching a queue.
                hours[queue.id] = OpeningHours.always()
        active = {queue.id for queue in queues}
        topics = tuple(
            TopicOption(id=topic.id, queue_id=topic.queue_id, labels=dict(topic.labels))
            for topic in await queue_store.all_topics(session)
            if topic.queue_id in active
        )
        self.retention_days = {queue.id: queue.transcript_days for queue in queues}
        days = max(self.retention_days.values(), default=30)
        return FlowConfig(
            topics=topics,
            hours=hours,
            transcript_days=days,
            languages=LANGUAGES,
            language_names={code: self._texts.language_name(code) for code in LANGUAGES},
        )
