"""Where a web-chat message came from, kept only as a keyed digest, so that a block holds.

A web-chat resident is known by a random session token: opening a new tab or clearing the
browser makes a new pseudonym, and a block on the old one would be escaped at once. The
network the messages come from outlives the session, so a block also names that network, as
an HMAC under the pepper (never the address itself). IPv6 addresses count by their /64
network: devices change the lower half for privacy every few hours.

On a conversation the digest is sealed with the conversation's own data key (gone with the
conversation and with "delete my data"); a block carries it in the clear, as it carries the
pseudonym, for its duration, and housekeeping deletes ended blocks (`bot/jobs.py`).
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from privacy.crypto import seal, unseal
from privacy.pseudonym import pseudonymise

from .sealed_formats import ORIGIN
from .sealing import KeyPurpose
from .store.tables import Conversation

if TYPE_CHECKING:
    from .actions.context import Work

# Conversations whose sealed origin is remembered (a short digest each) before starting over.
KNOWN_ORIGINS = 20_000


def network_of(address: str) -> str | None:
    """The network an address stands for: itself for IPv4, its /64 for IPv6; None if it is
    not an IP address (a Unix socket, "unknown")."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return str(parsed)


def origin_digest(pepper: bytes, channel: str, address: str | None) -> str | None:
    """A keyed digest of the network of `address`, unrelated to any pseudonym ("o_" …)."""
    network = network_of(address) if address else None
    if network is None:
        return None
    return "o_" + pseudonymise(pepper, f"{channel}-origin", network).removeprefix("p_")


class OriginKeeper:
    """Seals each conversation's latest origin digest into it, opening the stored one only
    when this process has not seen it yet (as the dispatcher does for reply addresses)."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[bytes, str]] = {}

    async def keep(self, work: Work, conversation: Conversation, digest: str) -> None:
        sealed = conversation.sealed_origin
        if sealed is not None and self._known.get(conversation.id) == (sealed.blob, digest):
            return
        aad = ORIGIN.context(conversation.id)
        key = await work.core.keys.get(work.session, conversation.id, KeyPurpose.CONVERSATION)
        if sealed is None or unseal(key, sealed, aad=aad) != digest:
            sealed = seal(key, digest, aad=aad)
            conversation.sealed_origin = sealed
            work.session.add(conversation)
        if len(self._known) >= KNOWN_ORIGINS:
            self._known.clear()
        self._known[conversation.id] = (sealed.blob, digest)


async def origin_of(work: Work, conversation: Conversation) -> str | None:
    """The conversation's latest origin digest, if its channel has one."""
    if conversation.sealed_origin is None:
        return None
    key = await work.core.keys.get(work.session, conversation.id, KeyPurpose.CONVERSATION)
    return unseal(key, conversation.sealed_origin, aad=ORIGIN.context(conversation.id))
