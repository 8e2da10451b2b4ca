"""The hub topics a conversation's events are published on: its own and its queue's.

Topics name ids only, never content.
"""

from __future__ import annotations


def conversation_topic(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


def queue_topic(queue_id: str | None) -> str:
    return f"queue:{queue_id or 'triage'}"
