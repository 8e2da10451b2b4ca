"""The Matrix adapter: residents write to the bot's account from any Matrix client.

Never stores or logs a Matrix user id, display name or room id; advances its sync token only
after the core has stored every event of a sync batch, so a crash replays and never loses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from aiohttp import ClientConnectionError
from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    JoinError,
    LocalProtocolError,
    MegolmEvent,
    RoomMemberEvent,
    RoomMessagesResponse,
    SendRetryError,
    SyncResponse,
)
from nio.api import MessageDirection
from pydantic import SecretStr

from adapters.base import Capabilities, EventLog, InboundSink
from adapters.matrix_device import MatrixDevice
from adapters.matrix_errors import MatrixLoginError, delivery_error, error_code, http_status
from adapters.matrix_events import (
    CHANNEL,
    after_own_join,
    caption_of,
    inbound_of,
    is_direct_invite,
    message_content,
)
from adapters.matrix_files import MatrixFile, UploadFailed, document_content
from adapters.matrix_redactions import may_redact_others, retract, withdraw
from bot.events import (
    ChannelName,
    DeliveryId,
    Inbound,
    MediaKind,
    Outbound,
    RecipientGone,
    ReplyAddress,
    RetryableDeliveryError,
    StoreUnavailable,
)

# Importers (the composition root, tests) take these from the adapter's own module.
__all__ = ["MatrixAdapter", "MatrixLoginError", "MatrixSettings", "delivery_error"]

log = logging.getLogger("somesossu.matrix")

SYNC_TIMEOUT_MS = 30_000
TIMELINE_LIMIT = 100
MAX_BACKOFF_SECONDS = 60.0
UNDECRYPTABLE_GIVE_UP_SECONDS = 300.0

# Only what the bot needs: no presence, typing, receipts or account data of residents.
SYNC_FILTER: dict[str, Any] = {
    "presence": {"not_types": ["*"]},
    "account_data": {"not_types": ["*"]},
    "room": {
        "timeline": {"limit": TIMELINE_LIMIT},
        "ephemeral": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
    },
}


@dataclass
class _Pending:
    """An encrypted event whose room key has not arrived yet."""

    room_id: str
    event: Any
    replay_from: str
    first_seen: float


@dataclass
class _Batch:
    """What one sync left to do once its events were stored."""

    pending: list[_Pending] = field(default_factory=list)


class MatrixSettings(Protocol):
    """The settings this adapter reads (`bot.config.Settings` has them), seen structurally."""

    @property
    def matrix_homeserver(self) -> str: ...
    @property
    def matrix_user_id(self) -> str: ...
    @property
    def matrix_password(self) -> SecretStr | None: ...
    @property
    def matrix_access_token(self) -> SecretStr | None: ...
    @property
    def matrix_e2ee(self) -> bool: ...
    @property
    def data_dir(self) -> Path: ...


class MatrixAdapter:
    """Residents invite the bot to a direct chat; one room is one reply address."""

    def __init__(
        self,
        *,
        homeserver: str,
        user_id: str,
        store_dir: Path,
        password: str | None = None,
        access_token: str | None = None,
        e2ee: bool = True,
        sync_timeout_ms: int = SYNC_TIMEOUT_MS,
        pickle_key: str | None = None,
        log: EventLog,
    ) -> None:
        if not password and not access_token:
            raise ValueError("matrix needs a password or an access token")
        self.homeserver = homeserver.rstrip("/")
        self.user_id = user_id
        self.store_dir = store_dir
        self.e2ee = e2ee
        self.sync_timeout_ms = sync_timeout_ms
        self._device = MatrixDevice(
            user_id=user_id, store_dir=store_dir, password=password, access_token=access_token
        )
        self._pickle_key = pickle_key
        self._log = log
        self._client: Any = None
        self._sink: InboundSink | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._token: str | None = None
        self._pending: list[_Pending] = []
        self._withdrawn: set[str] = set()

    @classmethod
    def from_settings(cls, settings: MatrixSettings, log: EventLog) -> MatrixAdapter:
        password = settings.matrix_password
        token = settings.matrix_access_token
        return cls(
            homeserver=settings.matrix_homeserver,
            user_id=settings.matrix_user_id,
            store_dir=settings.data_dir / "matrix",
            password=password.get_secret_value() if password else None,
            access_token=token.get_secret_value() if token else None,
            e2ee=settings.matrix_e2ee,
            log=log,
        )

    @property
    def name(self) -> ChannelName:
        return CHANNEL

    @property
    def capabilities(self) -> Capabilities:
        # Matrix events may be 64 KiB; 30 000 characters leave room for UTF-8 and encryption.
        return Capabilities(buttons=False, message_deletion=True, typing=False, max_length=30_000)

    # ---------------------------------------------------------------- lifecycle

    async def start(self, sink: InboundSink) -> None:
        """Log in (restoring the device and its keys) and begin syncing in the background."""
        # nio and peewee log room ids, user ids and SQL parameters: none of that may reach logs.
        logging.getLogger("nio").setLevel(logging.CRITICAL + 1)
        logging.getLogger("peewee").setLevel(logging.WARNING)
        self._device.secure_dir()
        self._sink = sink
        self._ready.clear()
        config = AsyncClientConfig(
            encryption_enabled=self.e2ee,
            store_sync_tokens=False,  # nio saves it before callbacks run: we save it after.
            max_limit_exceeded=0,  # rate limits go back to the outbox, which backs off
            max_timeouts=2,
            request_timeout=20,
            pickle_key=self._pickle_key or self._device.stored_pickle_key(),
        )
        self._client = AsyncClient(
            self.homeserver, self.user_id, store_path=str(self.store_dir), config=config
        )
        self._token = self._device.read_token()
        self._task = asyncio.create_task(self._run(), name="matrix-sync")

    async def wait_ready(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait for the first completed sync (tests and health checks)."""
        async with asyncio.timeout(timeout):
            await self._ready.wait()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        client, self._client = self._client, None
        self._ready.clear()
        if client is not None:
            await client.close()
        self._sink = None

    # ---------------------------------------------------------------- receiving

    async def _run(self) -> None:
        delay = 1.0
        while True:
            try:
                await self._device.login(self._client)
                break
            except MatrixLoginError as error:
                # Wrong credentials do not heal by retrying: say so once and stay down.
                self._log("matrix.login_failed", logging.ERROR, reason=str(error))
                return
            except (ClientConnectionError, TimeoutError, ConnectionError, OSError):
                self._log("matrix.login_retry", logging.WARNING, seconds=delay)
                await asyncio.sleep(delay)
                delay = min(MAX_BACKOFF_SECONDS, delay * 2)
        self._log("matrix.logged_in", e2ee=self.e2ee)
        first = True
        delay = 1.0
        while True:
            try:
                await self._sync_once(first=first)
                first = False
                delay = 1.0
                self._ready.set()
            except asyncio.CancelledError:
                raise
            except (ClientConnectionError, TimeoutError, ConnectionError, StoreUnavailable) as e:
                self._log("matrix.sync_retry", logging.WARNING, error=type(e).__name__, s=delay)
                await asyncio.sleep(delay)
                delay = min(MAX_BACKOFF_SECONDS, delay * 2)
            except Exception:
                log.exception("matrix.sync_failed")
                await asyncio.sleep(delay)
                delay = min(MAX_BACKOFF_SECONDS, delay * 2)

    async def _sync_once(self, *, first: bool) -> None:
        client = self._client
        since = self._token
        response = await client.sync(
            timeout=0 if first else self.sync_timeout_ms,
            sync_filter=SYNC_FILTER,
            since=since,
            # After a restart nio knows no room: fetch their state, the timeline stays incremental.
            full_state=True if first else None,
        )
        if not isinstance(response, SyncResponse):
            code = error_code(response)
            if code in ("M_UNKNOWN_TOKEN",):
                await self._device.login(self._client)
                return
            raise ConnectionError(code)
        await self._exchange_keys()
        await self._handle_invites(response)
        for room_id, info in response.rooms.join.items():
            await self._handle_room(room_id, info, since)
        for room_id in response.rooms.leave:
            # Kicked or the room was left elsewhere: nothing more will come from it.
            self._pending = [item for item in self._pending if item.room_id != room_id]
        await self._retry_pending()
        # Everything of this batch is stored: only now may a restart start after it.
        self._token = response.next_batch
        durable = self._pending[0].replay_from if self._pending else response.next_batch
        if durable:
            self._device.save_token(durable)

    async def _exchange_keys(self) -> None:
        """What nio's sync_forever does between syncs: keys up, keys of others, to-device."""
        client = self._client
        if not self.e2ee or client.olm is None:
            return
        await client.send_to_device_messages()
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())

    async def _handle_invites(self, response: Any) -> None:
        client = self._client
        for room_id, info in response.rooms.invite.items():
            if room_id in client.rooms:
                continue
            # nio moves a stripped member event's content out of its source: put it back.
            sources = [
                {**event.source, "content": getattr(event, "content", {})}
                for event in info.invite_state
            ]
            if not is_direct_invite(sources, self.user_id):
                # Group rooms are not a private channel to a counsellor: decline.
                await client.room_leave(room_id)
                self._log("matrix.invite_declined")
                continue
            joined = await client.join(room_id)
            if isinstance(joined, JoinError):
                self._log("matrix.join_failed", logging.WARNING, error=error_code(joined))
                if http_status(joined) >= 500:
                    raise ConnectionError("join")
                continue
            self._log("matrix.invite_accepted")

    async def _handle_room(self, room_id: str, info: Any, since: str | None) -> None:
        events = list(info.timeline.events)
        start = after_own_join([getattr(event, "source", {}) for event in events], self.user_id)
        if start == 0 and info.timeline.limited and since and info.timeline.prev_batch:
            # More arrived than one sync carries (a long outage): fetch the gap first.
            events = await self._backfill(room_id, info.timeline.prev_batch, since) + events
        for event in events[start:]:
            if isinstance(event, RoomMemberEvent):
                await self._member_changed(room_id, event)
            elif isinstance(event, MegolmEvent):
                self._pending.append(_Pending(room_id, event, since or "", time.monotonic()))
            else:
                await self._deliver(getattr(event, "source", {}), room_id)

    async def _backfill(self, room_id: str, start: str, until: str) -> list[Any]:
        client = self._client
        events: list[Any] = []
        token: str | None = start
        for _ in range(50):
            response = await client.room_messages(
                room_id, start=token, end=until, direction=MessageDirection.back, limit=100
            )
            if not isinstance(response, RoomMessagesResponse) or not response.chunk:
                break
            events = list(reversed(response.chunk)) + events
            if not response.end or response.end == token:
                break
            token = response.end
        self._log("matrix.backfilled", events=len(events))
        return events

    async def _member_changed(self, room_id: str, event: Any) -> None:
        if event.state_key == self.user_id or event.membership not in ("leave", "ban"):
            return
        room = self._client.rooms.get(room_id)
        others = [user for user in (room.users if room else {}) if user != self.user_id]
        if not others:
            # The resident left the direct chat: leave too, later replies see "left_room".
            await self._client.room_leave(room_id)
            await self._client.room_forget(room_id)
            self._log("matrix.room_left", reason="resident_left")

    async def _retry_pending(self) -> None:
        still: list[_Pending] = []
        for item in self._pending:
            try:
                decrypted = self._client.decrypt_event(item.event)
            except Exception:
                decrypted = None
            source = getattr(decrypted, "source", None)
            if isinstance(source, Mapping) and source.get("type") != "m.room.encrypted":
                await self._deliver(source, item.room_id)
            elif time.monotonic() - item.first_seen > UNDECRYPTABLE_GIVE_UP_SECONDS:
                # Tell the resident something did not arrive rather than stay silent forever.
                self._log("matrix.undecryptable", logging.WARNING)
                await self._deliver_inbound(self._unreadable(item))
            else:
                still.append(item)
        self._pending = still

    def _unreadable(self, item: _Pending) -> Inbound:
        source = item.event.source
        inbound = inbound_of(
            {**source, "type": "m.room.message", "content": {"msgtype": "m.unknown"}},
            room_id=item.room_id,
            own_user_id=self.user_id,
        )
        assert inbound is not None and inbound.media is MediaKind.OTHER
        return inbound

    async def _deliver(self, source: Mapping[str, Any], room_id: str) -> None:
        client = self._client
        inbound = inbound_of(
            source,
            room_id=room_id,
            own_user_id=self.user_id,
            open_file=lambda ref: MatrixFile(client, ref),
        )
        if inbound is not None:
            await self._deliver_inbound(inbound)
            caption = caption_of(source, room_id=room_id, own_user_id=self.user_id)
            if caption is not None:
                # After the file: on a redelivery the file is a duplicate and so is this.
                await self._deliver_inbound(caption)

    async def _deliver_inbound(self, inbound: Inbound) -> None:
        assert self._sink is not None
        try:
            await self._sink(inbound)
        except StoreUnavailable:
            raise
        except Exception:
            # A message the core cannot take must not block every later one: skip it.
            log.exception("matrix.inbound_failed")

    # ---------------------------------------------------------------- sending

    async def send(self, address: ReplyAddress, outbound: Outbound) -> DeliveryId:
        client = self._client
        if client is None or not self._ready.is_set():
            raise RetryableDeliveryError("not_ready", retry_after=5.0)
        room_id = str(address)
        if room_id not in client.rooms:
            raise RecipientGone("left_room")
        if outbound.retract:
            await retract(client, room_id, outbound.retract, self._log)
        if outbound.withdraw:
            try:
                # Asked before anything is redacted: a retry starts the erasure over whole.
                residents_too = await may_redact_others(client, room_id)
            except (ClientConnectionError, TimeoutError):
                raise RetryableDeliveryError("network") from None
            await withdraw(
                client,
                room_id,
                outbound.withdraw,
                self._withdrawn,
                self._log,
                residents_too=residents_too,
            )
        content = message_content(outbound)
        if outbound.document is not None:
            try:
                content = await document_content(
                    client, client.rooms[room_id], content["body"], outbound.document
                )
            except UploadFailed:
                raise RetryableDeliveryError("upload") from None
        try:
            response = await client.room_send(
                room_id,
                "m.room.message",
                content,
                # The outbox id as transaction id: a retried send is stored once by the server.
                tx_id=outbound.outbox_id,
                # Trust on first use: see docs/matrix.md ("Trusting residents' devices").
                ignore_unverified_devices=True,
            )
        except LocalProtocolError:
            raise RecipientGone("left_room") from None
        except SendRetryError:
            raise RetryableDeliveryError("keys") from None
        except (ClientConnectionError, TimeoutError):
            raise RetryableDeliveryError("network") from None
        if isinstance(response, ErrorResponse):
            raise delivery_error(response)
        if outbound.withdraw:
            # Erasure: the confirmation went out; the room itself is the last trace to drop.
            await client.room_leave(room_id)
            await client.room_forget(room_id)
            self._log("matrix.room_left", reason="erased")
        return DeliveryId(str(response.event_id))
