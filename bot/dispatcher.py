"""Receives Inbound messages from every adapter and runs them through privacy, store and flow.

Returns only after the message is committed, so adapters acknowledge their platform only
then; raises StoreUnavailable (never drops silently) when the store cannot take it now.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import insert

from privacy.crypto import seal, unseal
from privacy.pseudonym import pseudonymise

from .actions.context import Core, Work, unit_of_work
from .attachments import PreparedFile, prepare_inbound
from .commands import parse_command
from .conversation import (
    Event,
    ResidentChoice,
    ResidentLeft,
    ResidentMedia,
    ResidentText,
    Say,
    State,
    Superseded,
    starts_new_conversation,
)
from .conversation_keys import open_conversation
from .effects import facts_of, run_event, settle_event
from .events import Inbound, ResidentSignal, StoreUnavailable
from .group_commit import GroupCommit
from .groups.router import group_request, route_group_message
from .hub import HubEvent
from .hub_topics import conversation_topic
from .inbound_text import CheckedText, InboundChecks
from .logs import log_event
from .origins import OriginKeeper, origin_digest
from .outbox_writer import queue_system_message
from .queueing import announce_positions
from .replies import Run, say
from .sealed_formats import REPLY_ADDRESS
from .sealing import KeyPurpose
from .store import conversations as conversation_store
from .store import returning
from .store.inbound import batch_facts
from .store.rows import table_of
from .store.tables import Conversation, InboundSeen
from .texts import DEFAULT_LANGUAGE

log = logging.getLogger("somesossu.dispatcher")

STORE_RETRIES = (0.05, 0.2, 0.5)
# Messages stored in one transaction at most; more only lengthen the wait of the first.
MAX_BATCH = 256


@dataclass
class _Known:
    """What one batch's messages need from the store, asked once for all of them.

    Kept true within the transaction as the batch goes: keys seen, conversations opened,
    groups joined. `latest` lacks a resident when it must be asked again.
    """

    seen: set[str]
    blocked: set[str]
    in_group: set[str]
    latest: dict[tuple[str, str], Conversation | None]
    new_seen: list[dict[str, object]] = field(default_factory=list)

    @classmethod
    async def load(
        cls,
        work: Work,
        pseudonyms: Sequence[str],
        seen_keys: Sequence[str],
        origins: Sequence[str | None],
    ) -> _Known:
        session, residents = work.session, set(pseudonyms)
        networks = {origin for origin in origins if origin is not None}
        facts = await batch_facts(session, seen_keys, residents, work.core.now(), networks)
        latest: dict[tuple[str, str], Conversation | None] = dict(
            await conversation_store.latest_for_many(session, residents)
        )
        return cls(seen=facts.seen, blocked=facts.blocked, in_group=facts.in_group, latest=latest)


# Conversations whose reply address is remembered (a few hundred bytes each) before starting over.
KNOWN_ADDRESSES = 20_000


class Dispatcher:
    def __init__(self, core: Core) -> None:
        self.core = core
        # Length, crisis and redaction run once per text, for conversations and groups alike.
        self.checks = InboundChecks(
            redactor=core.redactor,
            max_chars=core.settings.max_message_chars,
            count_finding=lambda kind: core.metrics.redaction_findings.labels(kind=kind).inc(),
        )
        # Which reply address each conversation's stored (sealed) one is, as a keyed digest:
        # opening the sealed address for every message to compare it cost more than storing
        # the message. Keyed with a per-process random key; the address itself is not kept.
        self._digest_key = os.urandom(32)
        self._known_addresses: dict[str, tuple[bytes, bytes]] = {}
        self._origins = OriginKeeper()
        # Residents told they are blocked, per block, when a new web-chat session met a block
        # on its network: the block's own `notified` flag speaks for the blocked pseudonym only.
        self._told_blocked: set[tuple[str, str]] = set()
        self._files: dict[int, PreparedFile] = {}
        self._batches: GroupCommit[Inbound, str] = GroupCommit(
            self._receive_batch, max_batch=MAX_BATCH, name="inbound"
        )

    async def _seen_before(self, inbound: Inbound) -> bool:
        async with self.core.database.session() as session:
            found = await session.get(InboundSeen, self._seen_key(inbound))
        return found is not None

    def _seen_key(self, inbound: Inbound) -> str:
        message = f"inbound:{inbound.channel}:{inbound.platform_message_id}".encode()
        return hmac.new(self.core.keyring.pepper, message, hashlib.sha256).hexdigest()

    async def receive(self, inbound: Inbound) -> None:
        """The adapters' sink: store and route one message, retrying brief store outages."""
        started = time.perf_counter()
        if inbound.has_file and not await self._seen_before(inbound):
            # Made safe (or refused) before the transaction; the batch reads it by identity.
            # A redelivered file is not fetched again: the batch drops it as a duplicate.
            self._files[id(inbound)] = await prepare_inbound(self.core, inbound)
        try:
            outcome = await self._submit(inbound)
        finally:
            # Whatever happened, the rebuilt file is not held here past this message.
            self._files.pop(id(inbound), None)
        metrics = self.core.metrics
        if outcome == "duplicate":
            metrics.inbound_duplicates.labels(channel=inbound.channel).inc()
        else:
            metrics.inbound_messages.labels(channel=inbound.channel).inc()
            metrics.pipeline_seconds.labels(channel=inbound.channel).observe(
                time.perf_counter() - started
            )
        log_event(
            log,
            "inbound.stored",
            logging.DEBUG,
            channel=inbound.channel,
            outcome=outcome,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )

    async def _submit(self, inbound: Inbound) -> str:
        """Through the group commit, retrying brief store outages."""
        for attempt, delay in enumerate((*STORE_RETRIES, None)):
            try:
                return await self._batches.submit(inbound)
            except StoreUnavailable:
                if delay is None:
                    log_event(
                        log,
                        "inbound.store_unavailable",
                        logging.ERROR,
                        channel=inbound.channel,
                        attempts=attempt + 1,
                    )
                    raise
                await asyncio.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _receive_batch(self, inbounds: Sequence[Inbound]) -> list[str]:
        """Store and route several messages in one transaction (see group_commit)."""
        core = self.core
        pepper = core.keyring.pepper
        pseudonyms = [pseudonymise(pepper, i.channel, i.sender_id) for i in inbounds]
        seen_keys = [self._seen_key(inbound) for inbound in inbounds]
        origins = [self._origin(inbound) for inbound in inbounds]
        core.metrics.inbound_batch_size.observe(len(inbounds))
        async with unit_of_work(core) as work:
            known = await _Known.load(work, pseudonyms, seen_keys, origins)
            batch = zip(inbounds, pseudonyms, seen_keys, origins, strict=True)
            outcomes = [await self._receive_one(work, known, *each) for each in batch]
            if known.new_seen:
                # One bulk insert: nothing in the batch reads these rows back.
                await work.session.execute(insert(table_of(InboundSeen)), known.new_seen)
        return outcomes

    async def _receive_one(
        self,
        work: Work,
        known: _Known,
        inbound: Inbound,
        pseudonym: str,
        seen_key: str,
        origin: str | None,
    ) -> str:
        core, session = self.core, work.session
        if seen_key in known.seen:
            return "duplicate"
        known.seen.add(seen_key)
        known.new_seen.append({"key": seen_key, "created_at": core.now()})
        if (pseudonym in known.blocked or origin in known.blocked) and await self._blocked(
            work, pseudonym, origin, inbound
        ):
            return "blocked"
        checked = self._check(inbound)
        if pseudonym in known.in_group or group_request(inbound) is not None:
            # Joining makes the resident's next messages in this batch group messages too.
            known.in_group.add(pseudonym)
            if await route_group_message(work, pseudonym, inbound, checked):
                return "group"
        place = (pseudonym, inbound.channel)
        conversation = (
            known.latest[place]
            if place in known.latest
            else await conversation_store.latest_for(session, pseudonym, inbound.channel)
        )
        event = self._event(inbound, checked)
        if conversation is None or starts_new_conversation(facts_of(conversation), event):
            came_back = conversation is not None
            if conversation is not None:
                await settle_event(work, conversation, Superseded())
            conversation = await open_conversation(
                work,
                pseudonym=pseudonym,
                channel=inbound.channel,
                reply_address=inbound.reply_address,
            )
            if (
                isinstance(event, ResidentText | ResidentChoice)
                and came_back
                and await self._ask_returning(work, conversation)
            ):
                event = replace(event, returning=True)
        else:
            await self._refresh_reply_address(work, conversation, inbound)
        if origin is not None:
            await self._origins.keep(work, conversation, origin)
        known.latest[place] = conversation
        if checked is not None and checked.too_long:
            await self._too_long(work, conversation)
            return "too_long"
        await run_event(
            work, conversation, event, platform_ref=inbound.platform_message_id, checked=checked
        )
        if not isinstance(event, ResidentText) or event.command is not None:
            # Commands and buttons may erase or end conversations: look again next time.
            known.latest.pop(place, None)
        return "stored"

    async def signal(self, signal: ResidentSignal) -> None:
        """Forward a typing notice to the consoles watching this resident's conversation;
        end the conversation of a resident who left quickly."""
        pseudonym = pseudonymise(self.core.keyring.pepper, signal.channel, signal.sender_id)
        if signal.kind == "left":
            await self._resident_left(pseudonym, signal.channel)
            return
        async with self.core.database.session() as session:
            conversation = await conversation_store.latest_for(session, pseudonym, signal.channel)
        if conversation is not None and conversation.state != State.CLOSED:
            self.core.hub.publish(
                HubEvent(
                    conversation_topic(conversation.id),
                    f"resident.{signal.kind}",
                    {"conversation": conversation.id},
                )
            )

    async def _resident_left(self, pseudonym: str, channel: str) -> None:
        """The resident left quickly: their open conversation ends now, so nobody claims it
        or answers into the void, and those still waiting move up."""
        async with unit_of_work(self.core) as work:
            conversation = await conversation_store.latest_for(work.session, pseudonym, channel)
            if conversation is None or conversation.state == State.CLOSED:
                return
            was_waiting = conversation.state in (State.QUEUED, State.WAITING_HOURS)
            await run_event(work, conversation, ResidentLeft())
            if was_waiting and conversation.queue_id:
                await announce_positions(work, conversation.queue_id)

    def _check(self, inbound: Inbound) -> CheckedText | None:
        """The checks of a text message (None for media and buttons), whatever its route."""
        if inbound.media is not None or inbound.choice is not None or inbound.has_file:
            return None
        return self.checks.check(inbound.text)

    @staticmethod
    async def _ask_returning(work: Work, conversation: Conversation) -> bool:
        """Whether to ask a resident who came back if counsellors may see their earlier chats:
        only while one is kept and they have not answered before."""
        pseudonym = conversation.pseudonym
        if await returning.decision(work.session, pseudonym) is not None:
            return False
        return await returning.has_earlier(work.session, pseudonym, conversation.id)

    def _event(self, inbound: Inbound, checked: CheckedText | None) -> Event:
        prepared = self._files.get(id(inbound))
        if inbound.has_file and prepared is not None:
            return ResidentMedia(prepared.kind, file=prepared.sanitised, refused=prepared.refused)
        if inbound.media is not None:
            return ResidentMedia(str(inbound.media))
        if inbound.choice is not None:
            return ResidentChoice(inbound.choice, language_hint=inbound.language_hint)
        if checked is None:  # not reached: every text was checked before routing
            checked = self.checks.check(inbound.text)
        return ResidentText(
            checked.text,
            command=parse_command(checked.text),
            crisis=checked.crisis,
            language_hint=inbound.language_hint,
        )

    async def _refresh_reply_address(
        self, work: Work, conversation: Conversation, inbound: Inbound
    ) -> None:
        # A web-chat resident who reconnects answers from a new socket: follow them.
        sealed = conversation.sealed_reply_address
        digest = self._address_digest(inbound.reply_address)
        if self._known_addresses.get(conversation.id) == (sealed.blob, digest):
            return  # the stored address is this one: no need to open it again
        key = await work.core.keys.get(work.session, conversation.id, KeyPurpose.CONVERSATION)
        aad = REPLY_ADDRESS.context(conversation.id)
        if unseal(key, sealed, aad=aad) != inbound.reply_address:
            sealed = seal(key, inbound.reply_address, aad=aad)
            conversation.sealed_reply_address = sealed
            work.session.add(conversation)
        if len(self._known_addresses) >= KNOWN_ADDRESSES:
            self._known_addresses.clear()
        self._known_addresses[conversation.id] = (sealed.blob, digest)

    def _address_digest(self, address: str) -> bytes:
        return hashlib.blake2b(address.encode(), key=self._digest_key, digest_size=16).digest()

    async def _too_long(self, work: Work, conversation: Conversation) -> None:
        config = await work.core.flow.get(work.session)
        run = Run(work, conversation, config)
        await say(run, Say("too_long", {"max": work.core.settings.max_message_chars}))

    def _origin(self, inbound: Inbound) -> str | None:
        if inbound.origin is None or not self.core.settings.webchat_block_by_address:
            return None
        return origin_digest(self.core.keyring.pepper, inbound.channel, inbound.origin)

    async def _blocked(
        self, work: Work, pseudonym: str, origin: str | None, inbound: Inbound
    ) -> bool:
        block = await conversation_store.active_block(
            work.session, pseudonym, work.core.now(), origin
        )
        if block is None:
            return False
        if block.pseudonym == pseudonym:
            if block.notified:
                return True
            block.notified = True
            work.session.add(block)
        else:
            # Blocked by its network: a new session, told once (per process) like the first.
            told = (block.id, pseudonym)
            if told in self._told_blocked:
                return True
            if len(self._told_blocked) >= KNOWN_ADDRESSES:
                self._told_blocked.clear()
            self._told_blocked.add(told)
        language = inbound.language_hint or DEFAULT_LANGUAGE
        await queue_system_message(
            work,
            work.core.texts.text(language, "blocked"),
            channel=inbound.channel,
            reply_address=inbound.reply_address,
            language=language,
        )
        return True
