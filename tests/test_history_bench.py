"""bench/history.py builds what it says it built: its tally matches the database."""

from __future__ import annotations

import importlib.util
import sys
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlmodel import col, func, select

from bot.conversation_facts import RESIDENT_LEFT
from bot.store.tables import AuditRow, Conversation, Message, OutboxRow

REPO = Path(__file__).resolve().parents[1]


def history_module() -> ModuleType:
    """bench/ is not a package: load the script by its path."""
    spec = importlib.util.spec_from_file_location("bench_history", REPO / "bench" / "history.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


async def test_builder_counts_match_the_database(tmp_path: Path) -> None:
    history = history_module()
    async with history.open_bench(tmp_path / "data", None, span=timedelta(days=1)) as (bench, _):
        report = await bench.build(
            20, messages_per_conversation=6, batch=10, left_share=0.2, waiting=5
        )
        reported = await bench.counts()
        async with bench.core.database.session() as session:

            async def count(query: Any) -> int:
                return int((await session.execute(query)).scalar_one())

            def where(*conditions: Any) -> Any:
                return select(func.count()).where(*conditions)

            conversations = await count(select(func.count()).select_from(Conversation))
            closed = await count(where(col(Conversation.state) == "closed"))
            left = await count(where(col(Conversation.close_outcome) == RESIDENT_LEFT))
            queued = await count(where(col(Conversation.state) == "queued"))
            written = await count(
                where(col(Message.author).in_(("resident", "counsellor")), Message.kind == "text")
            )
            replies = await count(where(col(Message.author) == "counsellor"))
            audit = await count(select(func.count()).select_from(AuditRow))
            pending = await count(where(col(OutboxRow.state) == "pending"))
    assert report.conversations == 25 == conversations == reported["conversations"]
    assert report.waiting == 5 == queued == reported["queued"]
    assert report.closed + report.left == 20 == closed == reported["closed"]
    assert report.left == left
    assert report.closed > 0
    assert report.written == written == reported["written"]
    # Of 6 written texts per served conversation, the counsellor wrote 2.
    assert replies == 2 * report.closed
    # A claim, two replies and a close per served conversation are audited.
    assert audit == reported["audit_records"] >= 4 * report.closed
    assert pending == 0  # the outbox delivered everything to the bench's platform
    assert bench.platform.delivered > 0
