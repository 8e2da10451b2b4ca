"""Typed identifiers of the core, so that a conversation id cannot be passed as a user id.

Ids are 128 random bits from the operating system, as 32 hex digits (the shape of a uuid4
hex, without its fixed version digit): they reveal nothing about residents or order of
arrival. `uuid.uuid4().hex` gave the same randomness at six times the cost, and a chat message
takes several ids.
"""

from __future__ import annotations

import os
from typing import NewType

ConversationId = NewType("ConversationId", str)
MessageId = NewType("MessageId", str)
UserId = NewType("UserId", str)
QueueId = NewType("QueueId", str)
OutboxId = NewType("OutboxId", str)


def new_id() -> str:
    return os.urandom(16).hex()
