"""New identifiers for the core's rows: 128 random bits, never derived from a resident.

Ids are 128 random bits from the operating system, as 32 hex digits (the shape of a uuid4
hex, without its fixed version digit): they reveal nothing about residents or order of
arrival. `uuid.uuid4().hex` gave the same randomness at six times the cost, and a chat message
takes several ids.

No `NewType` per kind of id (conversation, message, user, queue, outbox) lives here any more:
they were declared and never used. Ids reach the core as `str` from SQLModel columns
(bot/store/tables.py), aiohttp routes and JSON bodies, through some 110 signatures; typing them
would take a cast at every one of those boundaries and the columns themselves, and a cast
checks nothing. The ids that do cross a boundary where a swap is likely are typed where they
cross it: `ChannelName`, `DeliveryId` and `ReplyAddress` in bot/events.py, `Pseudonym` in
privacy/pseudonym.py.
"""

from __future__ import annotations

import os


def new_id() -> str:
    return os.urandom(16).hex()
