"""Costs as history grows (issue 23): databases of a given size built through the real pipeline.

Never prints message text: counts, rates and times only. Cleans up its temp data (and the
PostgreSQL databases it creates).

usage: python bench/history.py [--conversations 1000,10000] [--messages-per-conversation 10]
                               [--database sqlite|postgres|both] [--json]

For each size (an empty database first, unless --no-empty) and database, it

1. BUILDS the history in-process through the service's own code: `Dispatcher.receive` for every
   resident message and button (pseudonym, dedup, redaction, sealing, the effect engine, group
   commit), `bot.actions.conversations.claim/reply/close` for counsellors (access checks, audit
   records, position announcements), `Dispatcher.signal` for residents who leave, the outbox
   worker delivering every bot and counsellor message to an in-process platform. A round of
   `--batch` residents goes through its conversations together (their messages share the
   dispatcher's group commits; counsellors claim, reply and close concurrently): a greeting,
   language and topic buttons, a description, then a claim, counsellor replies and resident
   answers up to `--messages-per-conversation` written texts, and a close with an outcome. A
   share (`--left-share`) leaves while waiting (quick exit) instead; `--waiting` residents stay
   queued at the end. Some texts carry a phone number, an e-mail address or a name, so the
   redactor has work. The core's clock is simulated: the history is spread over the past at
   `--per-day` conversations a day (so time-windowed queries see a day's traffic, not the whole
   history) and ends at the real time, from which the measurements run.
2. MEASURES, against that database, with the real aiohttp app (console API) on loopback:
   - server CPU per new conversation: process CPU time over `--new` conversations (greeting,
     language, topic, description: queued), `--batch` at a time;
   - a claim with 30 waiting residents behind it: wall time of `claim` including the
     position announcements (median of 5, the queue topped up to 31 before each);
   - inbound msg/s: `--inbound` resident messages through `Dispatcher.receive`, 50 in flight;
   - `GET /api/conversations?state=closed` and `?state=queued` p50/p99 as a supervisor;
   - `/healthz` p99 while `GET /api/audit/verify` runs (as a privacy officer);
   - `bot.officer.pii_scan` (what scripts/pii_scan.py runs) messages/s, audit verification
     (`bot.officer.audit_verify.verify_audit`) records/s;
   - the SQLite write-ahead log: its peak during the build and its size at the end.

The scheduler's jobs do not run (retention would erase the simulated past's transcripts).
Argon2 runs with cheap parameters (staff accounts are made per size; sign-in is not measured).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import math
import os
import random
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
from aiohttp.test_utils import TestServer  # noqa: E402
from sqlmodel import col, func, select  # noqa: E402

from adapters.base import Capabilities, InboundSink  # noqa: E402
from bot.actions.conversations import OUTCOMES, Staff, claim, close, reply  # noqa: E402
from bot.app import build_service, build_web_app  # noqa: E402
from bot.cli import tune_garbage_collector  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.defaults import TOPICS  # noqa: E402
from bot.events import (  # noqa: E402
    ChannelName,
    DeliveryId,
    Inbound,
    Outbound,
    ReplyAddress,
    ResidentSignal,
)
from bot.service import Service  # noqa: E402
from bot.store import conversations as conversation_store  # noqa: E402
from bot.store.tables import AuditRow, Conversation, Message, OutboxRow  # noqa: E402
from privacy.pseudonym import pseudonymise  # noqa: E402

CHANNEL = ChannelName("history")
QUEUE = "general"
PASSWORD = "history bench password " + secrets.token_hex(8)
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
LANGUAGES = (("fi", 0.7), ("sv", 0.1), ("en", 0.2))
CLAIM_BEHIND = 30
CLAIM_REPEATS = 5
INBOUND_IN_FLIGHT = 50
HTTP_REQUESTS = 200

# Made-up residents' texts; {phone}, {email} and {name} are filled with made-up values.
GREETINGS = ("hei", "moi", "hej", "hello", "Hei, onko siellä ketään?")
TEXTS: dict[str, tuple[str, ...]] = {
    "fi": (
        "Tarvitsisin apua vuokrasopimuksen kanssa, vuokranantaja ei vastaa viesteihin.",
        "Numeroni on {phone}, voitteko soittaa huomenna aamupäivällä?",
        "Asumistuen hakemus on ollut käsittelyssä jo kaksi kuukautta.",
        "Sähköpostini on {email} jos tarvitsette lisätietoja.",
        "Olen {name} ja asun tällä hetkellä ystävän luona.",
        "Kiitos, tämä auttoi jo paljon.",
        "En tiedä mistä aloittaa, rahat eivät riitä vuokraan.",
        "Sosiaaliohjaajani {name} sanoi että kannattaa kysyä täältä.",
        "Voinko hakea toimeentulotukea jos olen töissä osa-aikaisesti?",
        "Selvä, kiitos vastauksesta.",
    ),
    "sv": (
        "Jag behöver hjälp med hyreskontraktet, hyresvärden svarar inte.",
        "Mitt nummer är {phone}, kan ni ringa i morgon?",
        "Jag heter {name} och bor hos en vän just nu.",
        "Tack, det hjälpte redan mycket.",
        "Kan jag ansöka om utkomststöd om jag jobbar deltid?",
    ),
    "en": (
        "I need help with my rental contract, the landlord does not answer.",
        "My number is {phone}, could you call me tomorrow morning?",
        "My name is {name} and I am staying with a friend at the moment.",
        "My email is {email} if you need more details.",
        "Thank you, that already helped a lot.",
        "Can I apply for social assistance if I work part time?",
    ),
}
REPLIES = (
    "Kiitos viestistä, katsotaan asiaa yhdessä.",
    "Voit hakea asumistukea Kelasta, autan mielelläni hakemuksen kanssa.",
    "Hyvä kysymys. Sosiaalitoimistossa voi varata ajan ohjaajalle.",
    "Thank you for writing. Let us look at this together.",
    "Tack för ditt meddelande, vi går igenom det tillsammans.",
)
FIRST_NAMES = ("Mikko", "Anna", "Juha", "Laura", "Ahmed", "Sofia", "Jari", "Aino", "Fatima")
SURNAMES = ("Virtanen", "Korhonen", "Nieminen", "Mäkinen", "Hämäläinen", "Laine", "Heikkinen")


def percentile_ms(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile in milliseconds of values in seconds."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))
    return round(ordered[rank] * 1000, 2)


def fill(template: str, rng: random.Random) -> str:
    return template.format(
        phone=f"04{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        email=f"asukas{rng.randint(1, 9999)}@example.com",
        name=f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
    )


# ---- the in-process platform and the simulated clock ----------------------------------------


@dataclass
class BenchPlatform:
    """A platform whose residents are this script: counts what the bot delivers, keeps nothing."""

    delivered: int = 0
    sink: InboundSink | None = None

    @property
    def name(self) -> ChannelName:
        return CHANNEL

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(buttons=True, message_deletion=True, typing=False, max_length=4096)

    async def start(self, sink: InboundSink) -> None:
        self.sink = sink

    async def send(self, address: ReplyAddress, outbound: Outbound) -> DeliveryId:
        self.delivered += 1
        return DeliveryId(f"d{self.delivered}")

    async def stop(self) -> None:
        self.sink = None


class SimulatedClock:
    """The core's clock: a simulated past while building, the real time afterwards."""

    def __init__(self, start: datetime) -> None:
        self.at = start
        self.real = False

    def __call__(self) -> datetime:
        return datetime.now(UTC) if self.real else self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


@dataclass
class BuildReport:
    """What the builder made, by its own tally (tests compare it with the database)."""

    conversations: int = 0
    closed: int = 0
    left: int = 0
    waiting: int = 0
    written: int = 0  # resident and counsellor texts
    seconds: float = 0.0
    wal_peak_bytes: int = 0


@dataclass
class Resident:
    sender_id: str
    language: str
    topic: str
    conversation: str = ""


@dataclass
class Bench:
    """One service on one fresh database, its web app on loopback, and its staff."""

    service: Service
    platform: BenchPlatform
    clock: SimulatedClock
    rng: random.Random
    counsellors: list[Staff] = field(default_factory=list)
    _messages: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _residents: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def core(self) -> Any:
        return self.service.core

    # -- residents ------------------------------------------------------------------------------

    def new_resident(self) -> Resident:
        language = self.rng.choices([c for c, _ in LANGUAGES], [w for _, w in LANGUAGES])[0]
        number = next(self._residents)
        return Resident(f"resident-{number}-{secrets.token_hex(4)}", language, self.pick_topic())

    def pick_topic(self) -> str:
        return self.rng.choice(TOPICS)

    def text_for(self, resident: Resident) -> str:
        return fill(self.rng.choice(TEXTS[resident.language]), self.rng)

    async def send(self, resident: Resident, *, text: str = "", choice: str | None = None) -> None:
        await self.service.dispatcher.receive(
            Inbound(
                channel=CHANNEL,
                sender_id=resident.sender_id,
                reply_address=ReplyAddress("addr-" + resident.sender_id),
                platform_message_id=f"h{next(self._messages)}",
                received_at=self.clock(),
                text=text,
                choice=choice,
            )
        )

    async def each(
        self, residents: Sequence[Resident], step: Callable[[Resident], Awaitable[None]]
    ) -> None:
        """Every resident's step at once: what arrives together shares a group commit."""
        await asyncio.gather(*(step(r) for r in residents))

    async def triage(self, residents: Sequence[Resident]) -> None:
        """Greeting, language, topic and a first description: the conversations are queued."""
        await self.each(residents, lambda r: self.send(r, text=self.rng.choice(GREETINGS)))
        await self.each(residents, lambda r: self.send(r, choice=f"lang:{r.language}"))
        await self.each(residents, lambda r: self.send(r, choice=f"topic:{r.topic}"))
        await self.each(residents, lambda r: self.send(r, text=self.text_for(r)))
        pepper = self.core.keyring.pepper
        by_pseudonym: dict[str, Resident] = {
            pseudonymise(pepper, CHANNEL, r.sender_id): r for r in residents
        }
        async with self.core.database.session() as session:
            found = await conversation_store.latest_for_many(session, list(by_pseudonym))
        for (pseudonym, _channel), conversation in found.items():
            by_pseudonym[pseudonym].conversation = conversation.id

    async def leave(self, residents: Sequence[Resident]) -> None:
        for resident in residents:
            await self.service.dispatcher.signal(
                ResidentSignal(CHANNEL, resident.sender_id, kind="left")
            )

    # -- staff ----------------------------------------------------------------------------------

    async def make_staff(self, count: int) -> None:
        from bot.actions.context import SYSTEM
        from bot.actions.users import create_user
        from bot.roles import Role

        for index in range(len(self.counsellors), count):
            user = await create_user(
                self.core,
                SYSTEM,
                username=f"counsellor{index}",
                role=Role.COUNSELLOR,
                password=PASSWORD,
                queues=(QUEUE,),
                display_name=f"{FIRST_NAMES[index % len(FIRST_NAMES)]}",
            )
            self.counsellors.append(Staff.of(user, [QUEUE]))
        for username, role in (("supervisor", Role.SUPERVISOR), ("officer", Role.PRIVACY_OFFICER)):
            async with self.core.database.session() as session:
                from bot.store import users as user_store

                if await user_store.by_username(session, username) is not None:
                    continue
            await create_user(
                self.core,
                SYSTEM,
                username=username,
                role=role,
                password=PASSWORD,
                queues=(QUEUE,) if role == Role.SUPERVISOR else (),
            )

    # -- building -------------------------------------------------------------------------------

    async def round(
        self, count: int, messages_per_conversation: int, left_share: float, report: BuildReport
    ) -> None:
        """`count` conversations from greeting to close, together."""
        residents = [self.new_resident() for _ in range(count)]
        await self.triage(residents)
        report.conversations += count
        report.written += 2 * count
        self.clock.advance(timedelta(minutes=self.rng.uniform(2, 15)))
        leaving = [r for r in residents if self.rng.random() < left_share]
        served = [r for r in residents if r not in leaving]
        await self.leave(leaving)
        report.left += len(leaving)
        staff_of = {r.conversation: self.counsellors[i // 3] for i, r in enumerate(served)}
        # Claims, replies and closes of a round run concurrently, as several counsellors
        # work at once (claims deadlocked on PostgreSQL before positions were told after
        # the commit; figures before 7 December were measured with them one at a time).
        await asyncio.gather(
            *(claim(self.core, staff_of[r.conversation], r.conversation) for r in served)
        )
        for turn in range(messages_per_conversation - 2):
            self.clock.advance(timedelta(minutes=self.rng.uniform(0.5, 3)))
            if turn % 2 == 0:
                await asyncio.gather(
                    *(
                        reply(
                            self.core,
                            staff_of[r.conversation],
                            r.conversation,
                            self.rng.choice(REPLIES),
                        )
                        for r in served
                    )
                )
            else:
                await self.each(served, lambda r: self.send(r, text=self.text_for(r)))
            report.written += len(served)
        self.clock.advance(timedelta(minutes=self.rng.uniform(1, 5)))
        outcomes = [self.rng.choice(OUTCOMES) for _ in served]
        await asyncio.gather(
            *(
                close(
                    self.core,
                    staff_of[r.conversation],
                    r.conversation,
                    outcome=outcome,
                    tags=[r.topic],
                )
                for r, outcome in zip(served, outcomes, strict=True)
            )
        )
        report.closed += len(served)

    async def build(
        self,
        conversations: int,
        *,
        messages_per_conversation: int = 10,
        batch: int = 10,
        left_share: float = 0.05,
        waiting: int = CLAIM_BEHIND,
        per_day: float = 300.0,
        progress: Callable[[BuildReport], None] | None = None,
    ) -> BuildReport:
        """The history, then `waiting` residents left queued; the clock ends at the real time."""
        report = BuildReport()
        await self.make_staff(max(1, math.ceil(batch / 3)) + 2)
        started = time.perf_counter()
        round_span = timedelta(days=batch / per_day)
        next_round = self.clock.at
        last_print = started
        done = 0
        while done < conversations:
            count = min(batch, conversations - done)
            self.clock.at = max(self.clock.at, next_round)
            await self.round(count, messages_per_conversation, left_share, report)
            next_round += round_span
            done += count
            report.wal_peak_bytes = max(report.wal_peak_bytes, self.core.database.wal_bytes())
            if progress is not None and time.perf_counter() - last_print >= 10:
                last_print = time.perf_counter()
                report.seconds = last_print - started
                progress(report)
        await self.queue_up(waiting, report)
        await self.settle_outbox()
        report.seconds = time.perf_counter() - started
        report.wal_peak_bytes = max(report.wal_peak_bytes, self.core.database.wal_bytes())
        return report

    async def queue_up(self, count: int, report: BuildReport | None = None) -> list[Resident]:
        residents = [self.new_resident() for _ in range(count)]
        if residents:
            await self.triage(residents)
        if report is not None:
            report.conversations += count
            report.waiting += count
            report.written += 2 * count
        return residents

    async def settle_outbox(self, within: float = 60.0) -> None:
        """Let the outbox worker send what is due, so measurements do not pay for the build's."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if await self.service.outbox.deliver_due():
                continue
            # Nothing due here: the app's own outbox worker may hold a lease on the rest.
            async with self.core.database.session() as session:
                pending = (
                    await session.execute(
                        select(func.count()).where(col(OutboxRow.state) == "pending")
                    )
                ).scalar_one()
            if not pending:
                return
            await asyncio.sleep(0.02)

    # -- counting (what tests compare with the builder's own tally) -----------------------------

    async def counts(self) -> dict[str, int]:
        async with self.core.database.session() as session:
            states = dict(
                (
                    await session.execute(
                        select(Conversation.state, func.count()).group_by(Conversation.state)
                    )
                ).all()
            )
            authors = dict(
                (
                    await session.execute(
                        select(Message.author, func.count())
                        .where(Message.kind == "text")
                        .group_by(Message.author)
                    )
                ).all()
            )
            messages = (
                await session.execute(select(func.count()).select_from(Message))
            ).scalar_one()
            audit = (await session.execute(select(func.count()).select_from(AuditRow))).scalar_one()
        return {
            "conversations": sum(states.values()),
            "closed": int(states.get("closed", 0)),
            "queued": int(states.get("queued", 0)),
            "messages": int(messages),  # every stored message: texts, buttons, the bot's
            "written": int(authors.get("resident", 0)) + int(authors.get("counsellor", 0)),
            "audit_records": int(audit),
        }


# ---- setting up and tearing down ------------------------------------------------------------


def cheap_passwords() -> None:
    """Staff accounts are made per size; production argon2 (about 1 s each) would dominate."""
    from argon2 import PasswordHasher

    from bot import passwords

    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._hasher = fast
    passwords._DUMMY_HASH = fast.hash("dummy")


def postgres_base_url() -> str:
    return (
        os.environ.get("SOMESOSSU_TEST_DATABASE_URL")
        or os.environ.get("TEST_DATABASE_URL")
        or DEFAULT_POSTGRES
    )


async def postgres_admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(
        postgres_base_url().replace("postgresql+asyncpg", "postgresql")
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def database_url(database: str, data_dir: Path) -> AsyncIterator[str | None]:
    """None (SQLite in the data dir) or a fresh PostgreSQL database, dropped afterwards."""
    if database == "sqlite":
        yield None
        return
    name = "somesossu_history_" + secrets.token_hex(4)
    await postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_base_url().rsplit("/", 1)[0] + f"/{name}"
    finally:
        await postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.asynccontextmanager
async def open_bench(
    data_dir: Path,
    url: str | None,
    *,
    span: timedelta,
    seed: int = 23,
    outbox_worker: bool = True,
) -> AsyncIterator[tuple[Bench, TestServer]]:
    """The service on a fresh database with its web app served on loopback (no scheduler;
    without its outbox worker too when `outbox_worker` is false: the caller sweeps)."""
    cheap_passwords()
    overrides: dict[str, Any] = {"data_dir": data_dir, "log_level": "WARNING"}
    if url:
        overrides["database_url"] = url
    service = build_service(load_settings(**overrides))
    platform = BenchPlatform()
    service.add_adapter(platform)
    # Before anything is written: the core's clock only ever moves forward.
    clock = SimulatedClock(datetime.now(UTC) - span - timedelta(hours=1))
    service.core.clock = clock
    app = build_web_app(service)
    # Retention and sweeps would act on the simulated past; the bench measures requests.
    app.cleanup_ctx[:] = [ctx for ctx in app.cleanup_ctx if "scheduler" not in ctx.__name__]
    if not outbox_worker:
        app.cleanup_ctx[:] = [ctx for ctx in app.cleanup_ctx if "outbox" not in ctx.__name__]
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield Bench(service, platform, clock, random.Random(seed)), server
    finally:
        await server.close()


# ---- measuring ------------------------------------------------------------------------------


async def signed_in(server: TestServer, username: str) -> aiohttp.ClientSession:
    http = aiohttp.ClientSession(
        base_url=str(server.make_url("/")), cookie_jar=aiohttp.CookieJar(unsafe=True)
    )
    body = {"username": username, "password": PASSWORD}
    async with http.post("/api/login", json=body) as response:
        if response.status != 200:
            await http.close()
            raise RuntimeError(f"sign-in of {username} failed: HTTP {response.status}")
    return http


async def timed_gets(http: aiohttp.ClientSession, path: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        async with http.get(path) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path}: HTTP {response.status}")
        times.append(time.perf_counter() - started)
    return times


async def inbound_rate(bench: Bench, residents: Sequence[Resident], messages: int) -> float:
    """Messages per second through `Dispatcher.receive`, INBOUND_IN_FLIGHT at a time, from
    residents already queued."""
    pending: set[asyncio.Task[None]] = set()
    started = time.perf_counter()
    for index in range(messages):
        if len(pending) >= INBOUND_IN_FLIGHT:
            _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        resident = residents[index % len(residents)]
        pending.add(asyncio.create_task(bench.send(resident, text=bench.text_for(resident))))
    await asyncio.gather(*pending)
    return round(messages / (time.perf_counter() - started), 1)


async def measure(bench: Bench, server: TestServer, args: argparse.Namespace) -> dict[str, Any]:
    core, result = bench.core, dict[str, Any]()
    bench.clock.real = True
    # As `somesossu serve` does once it listens: what exists now lives on, so the full
    # collections skip it. Without this every figure below paid for full collections over
    # the builder's heap (70-230 ms each, the whole p99 of the listings) that the service
    # does not make.
    tune_garbage_collector()

    # A claim with CLAIM_BEHIND residents waiting behind the one claimed.
    claims: list[float] = []
    claimer = bench.counsellors[-1]
    for _ in range(CLAIM_REPEATS):
        async with core.database.session() as session:
            waiting = await conversation_store.waiting_in_queue(session, QUEUE)
        await bench.queue_up(max(0, CLAIM_BEHIND + 1 - len(waiting)))
        async with core.database.session() as session:
            first = (await conversation_store.waiting_in_queue(session, QUEUE))[0]
        started = time.perf_counter()
        await claim(core, claimer, first.id)
        claims.append(time.perf_counter() - started)
        await close(core, claimer, first.id, outcome="other")
    result["claim_ms_median"] = round(statistics.median(claims) * 1000, 2)
    result["claim_ms_max"] = round(max(claims) * 1000, 2)
    await bench.settle_outbox()

    # Server CPU per new conversation, then inbound msg/s from the same residents.
    cpu = time.process_time()
    fresh: list[Resident] = []
    for start in range(0, args.new, args.batch):
        fresh += await bench.queue_up(min(args.batch, args.new - start))
    result["cpu_ms_per_new_conversation"] = round(
        (time.process_time() - cpu) / max(1, args.new) * 1000, 2
    )
    await bench.settle_outbox()
    result["inbound_msg_per_s"] = await inbound_rate(bench, fresh, args.inbound)
    await bench.leave(fresh)
    await bench.settle_outbox()

    supervisor = await signed_in(server, "supervisor")
    officer = await signed_in(server, "officer")
    try:
        for state in ("closed", "queued"):
            times = await timed_gets(supervisor, f"/api/conversations?state={state}", HTTP_REQUESTS)
            result[f"list_{state}_p50_ms"] = percentile_ms(times, 0.50)
            result[f"list_{state}_p99_ms"] = percentile_ms(times, 0.99)
        # /healthz as often as it answers while verifications run (at least 2 s of them).
        health: list[float] = []
        verifications: list[float] = []
        until = time.perf_counter() + 2.0
        while time.perf_counter() < until or not verifications:
            started = time.perf_counter()
            verify = asyncio.create_task(timed_gets(officer, "/api/audit/verify", 1))
            while not verify.done():
                health += await timed_gets(officer, "/healthz", 1)
            await verify
            verifications.append(time.perf_counter() - started)
        result["audit_verify_api_ms"] = round(statistics.median(verifications) * 1000, 1)
        result["healthz_during_verify_p99_ms"] = percentile_ms(health, 0.99)
        result["healthz_during_verify_max_ms"] = percentile_ms(health, 1.0)
        result["healthz_samples"] = len(health)
    finally:
        await supervisor.close()
        await officer.close()

    from bot.officer.audit_verify import verify_audit
    from bot.officer.pii_scan import pii_scan

    started = time.perf_counter()
    scan = await pii_scan(core)
    seconds = time.perf_counter() - started
    result["pii_scan_messages"] = scan.messages_scanned
    result["pii_scan_msg_per_s"] = round(scan.messages_scanned / seconds, 1)
    started = time.perf_counter()
    verified = await verify_audit(core)
    seconds = time.perf_counter() - started
    result["audit_records"] = verified.records
    result["audit_verify_ok"] = verified.ok
    result["audit_verify_records_per_s"] = round(verified.records / seconds, 1)
    result["wal_end_mib"] = round(core.database.wal_bytes() / 2**20, 2)
    return result


# ---- the run and its table ------------------------------------------------------------------


def print_progress(database: str, size: int) -> Callable[[BuildReport], None]:
    def show(report: BuildReport) -> None:
        print(
            f"  {database} {size}: {report.conversations} conversations, "
            f"{report.conversations / report.seconds:.1f} conv/s, "
            f"{report.written / report.seconds:.0f} texts/s written",
            file=sys.stderr,
            flush=True,
        )

    return show


async def run_size(database: str, size: int, args: argparse.Namespace) -> dict[str, Any]:
    temp = Path(tempfile.mkdtemp(prefix="somesossu-history-"))
    try:
        async with (
            database_url(database, temp) as url,
            open_bench(temp / "data", url, span=timedelta(days=size / args.per_day)) as (
                bench,
                server,
            ),
        ):
            report = await bench.build(
                size,
                messages_per_conversation=args.messages_per_conversation,
                batch=args.batch,
                left_share=args.left_share,
                waiting=args.waiting,
                per_day=args.per_day,
                progress=print_progress(database, size),
            )
            counts = await bench.counts()
            print(
                f"built {database} {size}: {report.conversations} conversations, "
                f"{counts['messages']} messages ({report.written} written) in "
                f"{report.seconds:.1f} s: {report.conversations / report.seconds:.1f} conv/s, "
                f"{counts['messages'] / report.seconds:.0f} stored msg/s",
                file=sys.stderr,
                flush=True,
            )
            try:
                measured = await measure(bench, server, args)
            finally:
                gc.unfreeze()  # the next size's build must not keep this one's heap alive
        return {
            "database": database,
            "size": size,
            "build": asdict(report),
            "counts": counts,
            **measured,
            "wal_peak_build_mib": round(report.wal_peak_bytes / 2**20, 2),
        }
    finally:
        shutil.rmtree(temp, ignore_errors=True)


ROWS: tuple[tuple[str, str], ...] = (
    ("conversations / messages", "{counts[conversations]} / {counts[messages]}"),
    ("build conv/s / stored msg/s", "{build_conv_s} / {build_msg_s}"),
    ("server CPU per new conversation ms", "{cpu_ms_per_new_conversation}"),
    ("claim, 30 waiting behind: median / max ms", "{claim_ms_median} / {claim_ms_max}"),
    ("inbound msg/s (dispatcher, 50 in flight)", "{inbound_msg_per_s}"),
    ("GET ?state=closed p50 / p99 ms", "{list_closed_p50_ms} / {list_closed_p99_ms}"),
    ("GET ?state=queued p50 / p99 ms", "{list_queued_p50_ms} / {list_queued_p99_ms}"),
    ("GET /api/audit/verify ms", "{audit_verify_api_ms}"),
    (
        "/healthz during verify p99 / max ms (n)",
        "{healthz_during_verify_p99_ms} / {healthz_during_verify_max_ms} ({healthz_samples})",
    ),
    ("pii scan msg/s", "{pii_scan_msg_per_s}"),
    ("audit verification records/s", "{audit_verify_records_per_s}"),
    ("WAL peak during build / end MiB", "{wal_peak_build_mib} / {wal_end_mib}"),
)


def table(results: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for database in dict.fromkeys(r["database"] for r in results):
        mine = [r for r in results if r["database"] == database]
        rows = [(database, *(f"{r['size']} conv" if r["size"] else "empty" for r in mine))]
        for label, template in ROWS:
            cells = []
            for r in mine:
                seconds = r["build"]["seconds"] or 1.0
                extra = {
                    "build_conv_s": round(r["build"]["conversations"] / seconds, 1),
                    "build_msg_s": round(r["counts"]["messages"] / seconds),
                }
                if database != "sqlite" and label.startswith("WAL"):
                    cells.append("-")
                else:
                    cells.append(template.format(**r, **extra))
            rows.append((label, *cells))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines += [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
        lines.append("")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/history.py",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Figures and the commands that produced them: docs/performance.md",
    )
    parser.add_argument(
        "--conversations",
        default="1000,10000",
        help="comma-separated history sizes in conversations (default 1000,10000)",
    )
    parser.add_argument("--no-empty", action="store_true", help="skip the empty database")
    parser.add_argument(
        "--messages-per-conversation",
        type=int,
        default=10,
        metavar="M",
        help="resident and counsellor texts per served conversation (>= 2)",
    )
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument(
        "--batch",
        type=int,
        default=10,
        help="conversations built together (all wait in the queue at once; default 10)",
    )
    parser.add_argument(
        "--left-share",
        type=float,
        default=0.05,
        help="share of residents who leave while waiting (default 0.05)",
    )
    parser.add_argument(
        "--waiting",
        type=int,
        default=CLAIM_BEHIND,
        help="residents left queued at the end of the build",
    )
    parser.add_argument(
        "--per-day",
        type=float,
        default=300.0,
        help="simulated conversations a day (spreads the history in time)",
    )
    parser.add_argument("--new", type=int, default=200, help="new conversations for the CPU figure")
    parser.add_argument("--inbound", type=int, default=2000, help="messages for inbound msg/s")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(s) for s in args.conversations.split(",") if s.strip()]
    except ValueError:
        parser.error("--conversations: comma-separated whole numbers")
    if not args.no_empty and 0 not in args.sizes:
        args.sizes.insert(0, 0)
    if args.messages_per_conversation < 2 or min(args.batch, args.new, args.inbound) < 1:
        parser.error("--messages-per-conversation >= 2; --batch, --new, --inbound >= 1")
    if any(size < 0 for size in args.sizes) or not 0 <= args.left_share < 1:
        parser.error("sizes >= 0 and 0 <= --left-share < 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    databases = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    # A stop by SIGTERM unwinds like Ctrl-C, so the temp data and databases are removed.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    results = []
    for database in databases:
        for size in args.sizes:
            results.append(asyncio.run(run_size(database, size, args)))
            # Each size's figures as soon as they are in: a long run stopped later keeps them.
            print("result: " + json.dumps(results[-1]), file=sys.stderr, flush=True)
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
