"""Typed identifiers of the core, so that a conversation id cannot be passed as a user id.

Ids are random (uuid4 hex): they reveal nothing about residents or order of arrival.
"""

from __future__ import annotations

import uuid
from typing import NewType

ConversationId = NewType("ConversationId", str)
MessageId = NewType("MessageId", str)
UserId = NewType("UserId", str)
QueueId = NewType("QueueId", str)
OutboxId = NewType("OutboxId", str)


def new_id() -> str:
    return uuid.uuid4().hex
