"""The Matrix adapter: residents write to the bot's account from any Matrix client.

Never stores or logs a Matrix user id, display name or room id; advances its sync token only
after the core has stored every event of a sync batch, so a crash replays and never loses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import time
from collections.abc import Iterable, Mapping
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
    LoginResponse,
    MegolmEvent,
    RoomMemberEvent,
    RoomMessagesResponse,
    SendRetryError,
    SyncResponse,
    WhoamiResponse,
)
from nio.api import MessageDirection
from pydantic import SecretStr

from adapters.base import Capabilities, EventLog, InboundSink
from adapters.matrix_events import (
    CHANNEL,
    after_own_join,
    inbound_of,
    is_direct_invite,
    message_content,
)
from bot.events import (
    ChannelName,
    DeliveryId,
    Inbound,
    MediaKind,
    Outbound,
    PermanentDeliveryError,
    RecipientGone,
    ReplyAddress,
    RetryableDeliveryError,
    StoreUnavailable,
)

log = logging.getLogger("somesossu.matrix")

SYNC_TIMEOUT_MS = 30_000
TIMELINE_LIMIT = 100
MAX_BACKOFF_SECONDS = 60.0
UNDECRYPTABLE_GIVE_UP_SECONDS = 300.0
WITHDRAW_BUDGET_SECONDS = 20.0
DEVICE_NAME = "somesossu"

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


class MatrixLoginError(Exception):
    """The homeserver refused the configured credentials (the message never holds them)."""


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


def _secure_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)


def _write_private(path: Path, text: str) -> None:
    """Write atomically, readable by the service's user only (keys and tokens live here)."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _error_code(response: Any) -> str:
    code = getattr(response, "status_code", None)
    return str(code) if code else "unknown"


def _http_status(response: Any) -> int:
    transport = getattr(response, "transport_response", None)
    return int(getattr(transport, "status", 0) or 0)


def delivery_error(response: Any) -> Exception:
    """Map a Matrix error response to the outbox's retryable/permanent errors."""
    code = _error_code(response)
    if code == "M_LIMIT_EXCEEDED" or _http_status(response) == 429:
        retry_after_ms = getattr(response, "retry_after_ms", None) or 5000
        return RetryableDeliveryError("rate_limited", retry_after=retry_after_ms / 1000)
    if code == "M_FORBIDDEN":
        return RecipientGone("left_room")
    if _http_status(response) >= 500 or code == "unknown":
        return RetryableDeliveryError("network")
    return PermanentDeliveryError(code.lower()[:32])


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
        self._password = password
        self._access_token = access_token
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

    @property
    def _token_file(self) -> Path:
        return self.store_dir / "sync-token"

    @property
    def _session_file(self) -> Path:
        return self.store_dir / "session.json"

    # ---------------------------------------------------------------- lifecycle

    async def start(self, sink: InboundSink) -> None:
        """Log in (restoring the device and its keys) and begin syncing in the background."""
        # nio and peewee log room ids, user ids and SQL parameters: none of that may reach logs.
        logging.getLogger("nio").setLevel(logging.CRITICAL + 1)
        logging.getLogger("peewee").setLevel(logging.WARNING)
        _secure_dir(self.store_dir)
        self._sink = sink
        self._ready.clear()
        config = AsyncClientConfig(
            encryption_enabled=self.e2ee,
            store_sync_tokens=False,  # nio saves it before callbacks run: we save it after.
            max_limit_exceeded=0,  # rate limits go back to the outbox, which backs off
            max_timeouts=2,
            request_timeout=20,
            pickle_key=self._pickle_key or self._stored_pickle_key(),
        )
        self._client = AsyncClient(
            self.homeserver, self.user_id, store_path=str(self.store_dir), config=config
        )
        self._token = self._read_token()
        self._task = asyncio.create_task(self._run(), name="matrix-sync")

    async def wait_ready(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait for the first completed sync (tests and health checks)."""
        await asyncio.wait_for(self._ready.wait(), timeout)

    async def _retract(self, room_id: str, delivery_ids: Iterable[str]) -> None:
        """Redact single earlier bot messages (a moderator removed them); the room stays.

        Best effort: a refusal is counted, never raised, so the notice that goes with it is sent.
        """
        client = self._client
        targets = [e for e in dict.fromkeys(delivery_ids) if not e.startswith("in:")]
        failed = 0
        for event_id in targets:
            try:
                response = await client.room_redact(room_id, event_id, tx_id=f"retract-{event_id}")
            except (ClientConnectionError, TimeoutError):
                failed += 1
                continue
            if isinstance(response, ErrorResponse):
                failed += 1
        self._log("matrix.retracted", redacted=len(targets) - failed, failed=failed)

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

    # ---------------------------------------------------------------- login and files

    def _stored_pickle_key(self) -> str:
        # Encrypts the Olm/Megolm pickles at rest; a copy of the store alone is then useless.
        path = self.store_dir / "pickle.key"
        if not path.exists():
            _write_private(path, secrets.token_urlsafe(32))
        return path.read_text(encoding="utf-8").strip()

    def _read_token(self) -> str | None:
        try:
            token = self._token_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return token or None

    def _save_token(self, token: str) -> None:
        _write_private(self._token_file, token)

    def _read_session(self) -> dict[str, str] | None:
        try:
            session = json.loads(self._session_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        if not isinstance(session, dict) or session.get("user_id") != self.user_id:
            return None
        return {key: str(value) for key, value in session.items()}

    async def _login(self) -> None:
        client = self._client
        if self._access_token:
            client.access_token = self._access_token
            client.user_id = self.user_id
            whoami = await client.whoami()
            if not isinstance(whoami, WhoamiResponse) or whoami.user_id != self.user_id:
                raise MatrixLoginError(f"access token refused: {_error_code(whoami)}")
            if not whoami.device_id:
                raise MatrixLoginError("the access token has no device")
            client.restore_login(self.user_id, whoami.device_id, self._access_token)
        else:
            session = self._read_session()
            if session is not None:
                # The same device on every start: its keys decrypt what arrived meanwhile.
                client.restore_login(self.user_id, session["device_id"], session["access_token"])
                whoami = await client.whoami()
                if isinstance(whoami, WhoamiResponse):
                    self._finish_login()
                    return
                if _error_code(whoami) not in ("M_UNKNOWN_TOKEN", "M_FORBIDDEN"):
                    raise ConnectionError(_error_code(whoami))
                client.access_token = ""
            response = await client.login(password=self._password, device_name=DEVICE_NAME)
            if not isinstance(response, LoginResponse):
                if _http_status(response) >= 500 or _error_code(response) == "unknown":
                    raise ConnectionError(_error_code(response))
                raise MatrixLoginError(f"login refused: {_error_code(response)}")
            _write_private(
                self._session_file,
                json.dumps(
                    {
                        "user_id": self.user_id,
                        "device_id": response.device_id,
                        "access_token": response.access_token,
                    }
                ),
            )
        self._finish_login()

    def _finish_login(self) -> None:
        for path in self.store_dir.iterdir():
            if path.is_file():
                path.chmod(0o600)

    # ---------------------------------------------------------------- receiving

    async def _run(self) -> None:
        delay = 1.0
        while True:
            try:
                await self._login()
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
            code = _error_code(response)
            if code in ("M_UNKNOWN_TOKEN",):
                await self._login()
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
            self._save_token(durable)

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
                self._log("matrix.join_failed", logging.WARNING, error=_error_code(joined))
                if _http_status(joined) >= 500:
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
        inbound = inbound_of(source, room_id=room_id, own_user_id=self.user_id)
        if inbound is not None:
            await self._deliver_inbound(inbound)

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
            await self._retract(room_id, outbound.retract)
        if outbound.withdraw:
            await self._withdraw(room_id, outbound.withdraw)
        try:
            response = await client.room_send(
                room_id,
                "m.room.message",
                message_content(outbound),
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

    async def _withdraw(self, room_id: str, delivery_ids: Iterable[str]) -> None:
        """Redact the bot's own messages; a resident's own ("in:") the bot may not redact."""
        client = self._client
        targets = [
            event_id
            for event_id in delivery_ids
            if not event_id.startswith("in:") and event_id not in self._withdrawn
        ]
        deadline = time.monotonic() + WITHDRAW_BUDGET_SECONDS
        failed = 0
        for event_id in targets:
            if time.monotonic() > deadline:
                failed += 1
                continue
            try:
                response = await client.room_redact(room_id, event_id, tx_id=f"withdraw-{event_id}")
            except (ClientConnectionError, TimeoutError):
                failed += 1
                continue
            if isinstance(response, ErrorResponse):
                failed += 1
            else:
                self._withdrawn.add(event_id)
        self._log("matrix.withdrawn", redacted=len(targets) - failed, failed=failed)
