"""Load benchmark: the real service in a subprocess; simulated residents and counsellor on sockets.

Loopback only, bounded in time, never prints message text; cleans up its server and temp data.

usage: python bench/load.py [--database sqlite|postgres|both] [--duration S] [--rate R] [--json]

Phases, each against the same freshly started `somesossu serve` (see docs/performance.md):
  memory      K idle resident sockets after `hello`: server VmRSS before/after, per connection
  throughput  N residents send as fast as `delivered` comes back (bounded in flight) for S s,
              from when the bot's replies to their triage have all been delivered
  latency     a fixed offered rate R msg/s; time from the resident's `message` frame to the
              console websocket's `message.created` event for that conversation
  reply       a counsellor claims a few conversations and replies through the JSON API; time
              from the POST to the resident socket's `message` frame from the counsellor
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parents[1]
SOMESOSSU = REPO / ".venv" / "bin" / "somesossu"
HOST = "127.0.0.1"
BENCH_USER = "bench"
BENCH_PASSWORD = "bench-" + secrets.token_hex(16)
# /metrics is closed on the service port unless a token opens it (docs/deployment.md).
METRICS_TOKEN = "bench-metrics-" + secrets.token_hex(16)
USER_ADD: tuple[str, ...] = ("user", "add", BENCH_USER, "--role", "supervisor")
USER_ADD += ("--queue", "general", "--password-stdin")
POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
# The server allows 240 frames of any kind per socket and minute (adapters/webchat/adapter.py):
# a simulated resident stays under it so the benchmark measures work, not refusals.
FRAME_BUDGET = 236
# The console socket watches at most 20 conversations (bot/console/live.py MAX_WATCHED).
WATCH_PER_CONSOLE = 20
# Synthetic resident texts; some carry made-up personal details so the redactor has work.
TEXTS = (
    "Hei, tarvitsisin apua vuokrasopimuksen kanssa, vuokranantaja ei vastaa viesteihin.",
    "Minun numeroni on 040 123 4567, voitteko soittaa huomenna aamupäivällä?",
    "Asumistuen hakemus on ollut käsittelyssä jo kaksi kuukautta, mitä voin tehdä?",
    "Sähköpostini on testi.asukas@example.com jos tarvitsette lisätietoja.",
    "Kiitos, tämä auttoi jo paljon. Kysyisin vielä takuuvuokrasta.",
)


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile in milliseconds of values in seconds; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return round(ordered[rank] * 1000, 2)


def latency_summary(values: list[float]) -> dict[str, Any]:
    return {
        "count": len(values),
        "p50_ms": percentile(values, 0.50),
        "p95_ms": percentile(values, 0.95),
        "p99_ms": percentile(values, 0.99),
        "max_ms": round(max(values) * 1000, 2) if values else None,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def raise_file_limit() -> None:
    """Thousands of sockets need thousands of descriptors (used in this process and the server)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process in KiB, from /proc (Linux)."""
    found: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0])
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# ---- the server under test ------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    data_dir: Path
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _server_limits() -> None:
    # Runs in the child before exec: the server holds one descriptor per resident socket.
    raise_file_limit()


def server_environment(data_dir: Path, port: int, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOMESOSSU_")}
    env.update(
        SOMESOSSU_ENV="development",
        SOMESOSSU_DATA_DIR=str(data_dir),
        SOMESOSSU_HTTP_HOST=HOST,
        SOMESOSSU_HTTP_PORT=str(port),
        SOMESOSSU_LOG_LEVEL="WARNING",
        SOMESOSSU_METRICS_TOKEN=METRICS_TOKEN,
        # The bench's residents are machines: lift the per-session and per-address limits.
        SOMESOSSU_WEBCHAT_MESSAGES_PER_MINUTE="600",
        SOMESOSSU_WEBCHAT_CONNECTIONS_PER_ADDRESS="10000",
    )
    if database_url:
        env["SOMESOSSU_DATABASE_URL"] = database_url
    return env


@contextlib.asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A fresh database on the local PostgreSQL, dropped afterwards."""
    import asyncpg

    name = "somesossu_bench_" + secrets.token_hex(4)
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=10)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def start_server(temp: Path, database_url: str | None, profile: Path | None = None) -> Server:
    """`somesossu user add` (argon2: slow, once), then `somesossu serve` in the background."""
    data_dir = temp / "data"
    port = free_port()
    env = server_environment(data_dir, port, database_url)
    log_path = temp / "server.log"
    # cwd is the temp dir so a developer's `.env` in the repository cannot change the setup.
    added = subprocess.run(
        [str(SOMESOSSU), *USER_ADD],
        input=(BENCH_PASSWORD + "\n").encode(),
        env=env,
        cwd=temp,
        capture_output=True,
        timeout=120,
        check=False,
    )
    if added.returncode != 0:
        raise RuntimeError("user add failed: " + added.stderr.decode(errors="replace")[-500:])
    with log_path.open("wb") as log_file:
        # With --profile the server runs under cProfile; it writes the file on a clean stop.
        python = [str(SOMESOSSU.parent / "python"), "-m", "cProfile", "-o", str(profile)]
        process = subprocess.Popen(
            [*(python if profile else []), str(SOMESOSSU), "serve"],
            env=env,
            cwd=temp,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=_server_limits,
        )
    return Server(process, f"http://{HOST}:{port}", data_dir, log_path)


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(60)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(10)
    if server.process.returncode not in (0, -signal.SIGTERM):
        print(f"server exited with {server.process.returncode}:", file=sys.stderr)
        print(server.log_tail(), file=sys.stderr)


@contextlib.asynccontextmanager
async def running_server(
    database_url: str | None, profile: Path | None = None
) -> AsyncIterator[Server]:
    """The server on a free loopback port with a temp data dir; always stopped and removed."""
    temp = Path(tempfile.mkdtemp(prefix="somesossu-bench-"))
    try:
        server = await asyncio.to_thread(start_server, temp, database_url, profile)
        try:
            await wait_healthy(server)
            yield server
        finally:
            await asyncio.to_thread(stop_server, server)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


async def wait_healthy(server: Server, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError("server exited during start:\n" + server.log_tail())
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with http.get(server.base + "/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError("server not healthy in time:\n" + server.log_tail())


async def metric_total(http: aiohttp.ClientSession, base: str, name: str, *labels: str) -> float:
    """The sum of a counter in /metrics over the series that carry all `labels` (k="v")."""
    bearer = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    async with http.get(base + "/metrics", headers=bearer) as response:
        response.raise_for_status()
        body = await response.text()
    total = 0.0
    for line in body.splitlines():
        if line.startswith(name + "{") and all(label in line for label in labels):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def inbound_total(http: aiohttp.ClientSession, base: str) -> float:
    """somesossu_inbound_messages_total{channel="webchat"} from /metrics."""
    return await metric_total(http, base, "somesossu_inbound_messages_total", 'channel="webchat"')


async def replies_delivered(http: aiohttp.ClientSession, base: str, within: float = 60.0) -> None:
    """Wait until the bot's replies queued so far have gone out (the count stops growing).

    The triage of hundreds of residents queues over a thousand bot replies; delivered
    after the clock started, they would count against the throughput of inbound messages.
    """
    deadline = time.perf_counter() + within
    name, labels = "somesossu_outbound_messages_total", ('outcome="delivered"',)
    last = await metric_total(http, base, name, *labels)
    while time.perf_counter() < deadline:
        await asyncio.sleep(0.5)
        now = await metric_total(http, base, name, *labels)
        if now == last:
            return
        last = now


async def _text_frames(
    ws: aiohttp.ClientWebSocketResponse,
) -> AsyncIterator[tuple[float, dict[str, Any]]]:
    """Each JSON text frame with when it arrived (perf counter); ends at the first other frame
    (the socket closing)."""
    async for raw in ws:
        if raw.type is not aiohttp.WSMsgType.TEXT:
            break
        yield time.perf_counter(), json.loads(raw.data)


# ---- the counsellor ---------------------------------------------------------------------------


class Console:
    """One console websocket of the signed-in bench user; routes events to waiters."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.created: asyncio.Queue[str] = asyncio.Queue()
        self.watching: dict[str, asyncio.Future[None]] = {}
        self.on_message_created: Callable[[str, float], None] | None = None
        self.events = 0
        self.reader = asyncio.create_task(self._read(), name="bench-console-reader")

    async def _read(self) -> None:
        async for now, frame in _text_frames(self.ws):
            kind = frame.get("kind")
            self.events += 1
            payload = frame.get("payload") or {}
            if frame.get("type") == "event":
                if kind == "message.created" and payload.get("author") == "resident":
                    if self.on_message_created is not None:
                        self.on_message_created(str(payload.get("conversation")), now)
                elif kind == "conversation.created":
                    self.created.put_nowait(str(payload.get("conversation")))
            elif frame.get("type") == "watching":
                waiter = self.watching.pop(str(frame.get("conversation")), None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)

    async def watch(self, conversation_id: str) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self.watching[conversation_id] = waiter
        await self.ws.send_json({"type": "watch", "conversation": conversation_id})
        await asyncio.wait_for(waiter, 10)

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader


@dataclass
class Staff:
    http: aiohttp.ClientSession
    base: str
    csrf: str = ""

    async def sign_in(self) -> None:
        body = {"username": BENCH_USER, "password": BENCH_PASSWORD}
        async with self.http.post(self.base + "/api/login", json=body) as response:
            if response.status != 200:
                raise RuntimeError(f"sign-in failed: HTTP {response.status}")
            self.csrf = (await response.json())["csrf_token"]

    async def console(self) -> Console:
        ws = await self.http.ws_connect(self.base.replace("http", "ws", 1) + "/console/ws")
        return Console(ws)

    async def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"X-CSRF-Token": self.csrf}
        async with self.http.post(self.base + path, json=body or {}, headers=headers) as response:
            answer: dict[str, Any] = await response.json()
            if response.status != 200:
                raise RuntimeError(f"POST {path.split('/')[-1]} failed: {answer.get('code')}")
            return answer


# ---- the residents ----------------------------------------------------------------------------


@dataclass(eq=False)
class Resident:
    """One simulated browser tab on /chat/ws."""

    ws: aiohttp.ClientWebSocketResponse
    token: str = ""
    conversation: str = ""
    frames_sent: int = 0
    acks: dict[str, asyncio.Future[float]] = field(default_factory=dict)
    counsellor_messages: asyncio.Queue[float] = field(default_factory=asyncio.Queue)
    choices: list[str] = field(default_factory=list)
    errors: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    reader: asyncio.Task[None] | None = None
    ids: Iterator[int] = field(default_factory=itertools.count)

    @classmethod
    async def connect(cls, http: aiohttp.ClientSession, base: str) -> Resident:
        ws = await http.ws_connect(base.replace("http", "ws", 1) + "/chat/ws")
        resident = cls(ws)
        welcome = asyncio.get_running_loop().create_future()
        resident.reader = asyncio.create_task(resident._read(welcome), name="bench-resident")
        await resident.send({"type": "hello", "lang": "fi"})
        await asyncio.wait_for(welcome, 30)
        return resident

    async def _read(self, welcome: asyncio.Future[None]) -> None:
        async for now, frame in _text_frames(self.ws):
            kind = frame.get("type")
            if kind == "delivered":
                waiter = self.acks.pop(frame.get("client_id", ""), None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(now)
            elif kind == "message" and frame.get("from") == "counsellor":
                self.counsellor_messages.put_nowait(now)
            elif kind == "choices":
                self.choices = [c["value"] for c in frame.get("choices", [])]
            elif kind == "history" and not welcome.done():
                welcome.set_result(None)
            elif kind == "welcome":
                self.token = frame.get("token", "")
            elif kind == "error":
                self.errors[str(frame.get("code"))] += 1
                waiter = self.acks.pop(frame.get("client_id", ""), None)
                if waiter is not None and not waiter.done():
                    waiter.set_exception(RuntimeError(str(frame.get("code"))))

    async def send(self, frame: dict[str, Any]) -> None:
        self.frames_sent += 1
        await self.ws.send_str(json.dumps(frame))

    def expect_ack(self) -> tuple[str, asyncio.Future[float]]:
        client_id = f"b{next(self.ids)}"
        waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.acks[client_id] = waiter
        return client_id, waiter

    async def choose(self, value: str) -> None:
        client_id, waiter = self.expect_ack()
        await self.send({"type": "choice", "value": value, "client_id": client_id})
        await asyncio.wait_for(waiter, 30)

    async def triage(self) -> None:
        """lang:fi opens the conversation, then the housing topic queues it."""
        await self.choose("lang:fi")
        topic = next((c for c in self.choices if c.endswith("housing")), "topic:housing")
        await self.choose(topic)

    async def write(self) -> tuple[str, asyncio.Future[float], float]:
        client_id, waiter = self.expect_ack()
        text = TEXTS[self.frames_sent % len(TEXTS)]
        sent = time.perf_counter()
        await self.send({"type": "message", "text": text, "client_id": client_id})
        return client_id, waiter, sent

    @property
    def budget_left(self) -> int:
        return FRAME_BUDGET - self.frames_sent

    async def close(self) -> None:
        await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reader


async def gather_bounded(count: int, parallel: int, make: Callable[[], Any]) -> list[Any]:
    gate = asyncio.Semaphore(parallel)

    async def one() -> Any:
        async with gate:
            return await make()

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def close_all(residents: list[Resident]) -> None:
    await asyncio.gather(*(r.close() for r in residents), return_exceptions=True)


# ---- the phases -------------------------------------------------------------------------------


async def phase_memory(server: Server, http: aiohttp.ClientSession, idle: int) -> dict[str, Any]:
    """Idle resident sockets after hello: what one open connection costs the server."""
    await asyncio.sleep(1.0)  # let start-up allocations settle before the baseline
    before = proc_status(server.pid)
    residents = await gather_bounded(idle, 50, lambda: Resident.connect(http, server.base))
    await asyncio.sleep(1.0)
    after = proc_status(server.pid)
    await close_all(residents)
    delta_kib = after.get("VmRSS", 0) - before.get("VmRSS", 0)
    return {
        "connections": idle,
        "rss_before_mib": round(before.get("VmRSS", 0) / 1024, 1),
        "rss_with_connections_mib": round(after.get("VmRSS", 0) / 1024, 1),
        "per_connection_kib": round(delta_kib / idle, 1) if idle else None,
    }


async def phase_throughput(
    server: Server, http: aiohttp.ClientSession, residents_count: int, duration: float, depth: int
) -> dict[str, Any]:
    """Residents write as fast as `delivered` comes back, `depth` messages in flight each."""
    residents = await gather_bounded(
        residents_count, 50, lambda: Resident.connect(http, server.base)
    )
    await asyncio.gather(*(r.triage() for r in residents))
    await replies_delivered(http, server.base)
    stored_before = await inbound_total(http, server.base)
    acked: list[float] = []
    ack_latency: list[float] = []
    late = 0  # not acknowledged within 10 s after the end: the server's backlog
    exhausted = 0
    start = time.perf_counter()
    end = start + duration
    cpu_server, cpu_client = cpu_seconds(server.pid), own_cpu_seconds()

    async def pump(resident: Resident) -> None:
        nonlocal late, exhausted
        in_flight: deque[tuple[asyncio.Future[float], float]] = deque()
        while True:
            now = time.perf_counter()
            if now < end and resident.budget_left > 0 and len(in_flight) < depth:
                _, waiter, sent = await resident.write()
                in_flight.append((waiter, sent))
                continue
            if not in_flight:
                if resident.budget_left <= 0 and now < end:
                    exhausted += 1
                return
            waiter, sent = in_flight.popleft()
            try:
                at = await asyncio.wait_for(waiter, max(1.0, end + 10 - now))
            except RuntimeError:
                continue  # an `error` frame: counted by code in `errors`
            except TimeoutError:
                late += 1
                continue
            if at <= end:
                acked.append(at)
                ack_latency.append(at - sent)

    await asyncio.gather(*(pump(r) for r in residents))
    # CPU shares over the whole phase, including the drain of messages still in flight.
    elapsed = time.perf_counter() - start
    cpu_server = cpu_seconds(server.pid) - cpu_server
    cpu_client = own_cpu_seconds() - cpu_client
    stored = await inbound_total(http, server.base) - stored_before
    errors: defaultdict[str, int] = defaultdict(int)
    for resident in residents:
        for code, count in resident.errors.items():
            errors[code] += count
    await close_all(residents)
    return {
        "residents": residents_count,
        "in_flight_per_socket": depth,
        "seconds": duration,
        "acked": len(acked),
        "messages_per_second": round(len(acked) / duration, 1),
        "stored_by_server": int(stored),
        "ack_latency": latency_summary(ack_latency),
        "unacked_10s_after_end": late,
        "errors": dict(errors),
        "sockets_out_of_frame_budget": exhausted,
        "server_cpu_percent": round(100 * cpu_server / elapsed, 1),
        "client_cpu_percent": round(100 * cpu_client / elapsed, 1),
    }


async def mapped_residents(
    server: Server, http: aiohttp.ClientSession, console: Console, count: int
) -> list[Resident]:
    """Residents opened one at a time, so each `conversation.created` names its resident."""
    residents = []
    for _ in range(count):
        resident = await Resident.connect(http, server.base)
        while not console.created.empty():
            console.created.get_nowait()
        await resident.choose("lang:fi")
        resident.conversation = await asyncio.wait_for(console.created.get(), 10)
        topic = next((c for c in resident.choices if c.endswith("housing")), "topic:housing")
        await resident.choose(topic)
        residents.append(resident)
    return residents


async def phase_latency(
    server: Server,
    http: aiohttp.ClientSession,
    staff: Staff,
    lead_console: Console,
    count: int,
    rate: float,
    duration: float,
) -> tuple[dict[str, Any], list[Resident]]:
    """Open-loop offered rate; resident frame sent -> console `message.created` received."""
    residents = await mapped_residents(server, http, lead_console, count)
    consoles = [lead_console]
    while len(consoles) * WATCH_PER_CONSOLE < count:
        consoles.append(await staff.console())
    for index, resident in enumerate(residents):
        await consoles[index // WATCH_PER_CONSOLE].watch(resident.conversation)
    sent_at: dict[str, deque[float]] = defaultdict(deque)
    latencies: list[float] = []
    expected = int(rate * duration)
    all_seen = asyncio.Event()

    def arrived(conversation: str, at: float) -> None:
        queue = sent_at.get(conversation)
        if queue:
            latencies.append(at - queue.popleft())
            if len(latencies) >= expected:
                all_seen.set()

    for console in consoles:
        console.on_message_created = arrived
    total = expected
    start = time.perf_counter()
    cpu_server = cpu_seconds(server.pid)
    acks: list[asyncio.Future[float]] = []
    for index in range(total):
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        resident = residents[index % len(residents)]
        if resident.budget_left <= 0:
            continue
        # Recorded before the frame leaves, so the event cannot arrive before its send time.
        sent_at[resident.conversation].append(time.perf_counter())
        _, waiter, _ = await resident.write()
        acks.append(waiter)
    offered_seconds = time.perf_counter() - start
    expected = len(acks)
    if len(latencies) >= expected:
        all_seen.set()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(all_seen.wait(), 15)
    done, _ = await asyncio.wait(acks, timeout=5) if acks else (set(), set())
    cpu_server = cpu_seconds(server.pid) - cpu_server
    elapsed = time.perf_counter() - start
    for console in consoles:
        console.on_message_created = None
    for console in consoles[1:]:
        await console.close()
    return {
        "residents": count,
        "offered_rate": rate,
        "achieved_rate": round(len(acks) / offered_seconds, 1),
        "sent": len(acks),
        "acked": sum(1 for f in done if f.exception() is None),
        "resident_to_console": latency_summary(latencies),
        "server_cpu_percent": round(100 * cpu_server / elapsed, 1),
    }, residents


async def phase_reply(
    staff: Staff, residents: list[Resident], conversations: int, replies: int
) -> dict[str, Any]:
    """Claim, then reply through the API one at a time; time until the resident socket has it."""
    chosen = residents[:conversations]
    for resident in chosen:
        await staff.post(f"/api/conversations/{resident.conversation}/claim")
    await asyncio.sleep(0.5)  # the "joined" notices go out first; they are not measured
    latencies: list[float] = []
    api: list[float] = []
    lost = 0
    for index in range(replies):
        resident = chosen[index % len(chosen)]
        while not resident.counsellor_messages.empty():
            resident.counsellor_messages.get_nowait()
        started = time.perf_counter()
        await staff.post(
            f"/api/conversations/{resident.conversation}/reply",
            {"text": "Kiitos viestistä, katsotaan asiaa yhdessä."},
        )
        api.append(time.perf_counter() - started)
        try:
            arrived = await asyncio.wait_for(resident.counsellor_messages.get(), 10)
        except TimeoutError:
            lost += 1
            continue
        latencies.append(arrived - started)
    return {
        "conversations": len(chosen),
        "replies": replies,
        "not_received": lost,
        "console_to_resident": latency_summary(latencies),
        # The first reply pays for what nothing before it used (statements compiled,
        # connections opened); p99 of 60 replies is that one.
        "first_reply_ms": round(latencies[0] * 1000, 2) if latencies else None,
        "reply_api": latency_summary(api),
    }


async def run_one(database: str, args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"database": database, "load_average_before": load_average()}
    async with contextlib.AsyncExitStack() as stack:
        url = (
            await stack.enter_async_context(postgres_database()) if database == "postgres" else None
        )
        profile = args.profile.with_suffix(f".{database}.prof") if args.profile else None
        server = await stack.enter_async_context(running_server(url, profile))
        connector = aiohttp.TCPConnector(limit=0)
        # The session cookie comes from 127.0.0.1: an IP address, which the default jar refuses.
        jar = aiohttp.CookieJar(unsafe=True)
        http = await stack.enter_async_context(
            aiohttp.ClientSession(connector=connector, cookie_jar=jar)
        )
        staff = Staff(http, server.base)
        await staff.sign_in()
        console = await staff.console()
        stack.push_async_callback(console.close)
        phases = set(args.phases.split(","))
        if "memory" in phases:
            result["memory"] = await phase_memory(server, http, args.idle)
        if "throughput" in phases:
            result["throughput"] = await phase_throughput(
                server, http, args.residents, args.duration, args.in_flight
            )
        if "latency" in phases or "reply" in phases:
            latency, residents = await phase_latency(
                server,
                http,
                staff,
                console,
                args.latency_residents,
                args.rate,
                args.latency_seconds,
            )
            if "latency" in phases:
                result["latency"] = latency
            if "reply" in phases:
                result["reply"] = await phase_reply(
                    staff, residents, args.reply_conversations, args.replies
                )
            await close_all(residents)
        status = proc_status(server.pid)
        result["rss_end_mib"] = round(status.get("VmRSS", 0) / 1024, 1)
        result["rss_peak_mib"] = round(status.get("VmHWM", 0) / 1024, 1)
        result["server_alive"] = server.process.poll() is None
    result["load_average_after"] = load_average()
    return result


# ---- output -----------------------------------------------------------------------------------


def quantile(phase: str, figure: str, share: str) -> Callable[[dict[str, Any]], Any]:
    return lambda result: result[phase][figure][f"{share}_ms"]


def table(results: list[dict[str, Any]]) -> str:
    rows: list[tuple[str, ...]] = [("figure", *(r["database"] for r in results))]

    def row(label: str, pick: Callable[[dict[str, Any]], Any]) -> None:
        values = []
        for result in results:
            try:
                value = pick(result)
            except (KeyError, TypeError):
                value = None
            values.append("-" if value is None else str(value))
        rows.append((label, *values))

    row("inbound msg/s (acked)", lambda r: r["throughput"]["messages_per_second"])
    row(
        "  residents x in flight",
        lambda r: "{residents} x {in_flight_per_socket}".format(**r["throughput"]),
    )
    row(
        "  ack p50 / p99 ms",
        lambda r: "{p50_ms} / {p99_ms}".format(**r["throughput"]["ack_latency"]),
    )
    row(
        "  server / client CPU %",
        lambda r: "{server_cpu_percent} / {client_cpu_percent}".format(**r["throughput"]),
    )
    row(
        "  unacked 10 s after / errors",
        lambda r: f"{r['throughput']['unacked_10s_after_end']} / {r['throughput']['errors'] or 0}",
    )
    row(
        "resident->console offered/achieved",
        lambda r: "{offered_rate} / {achieved_rate}".format(**r["latency"]),
    )
    for share in ("p50", "p95", "p99"):
        row(f"  {share} ms", quantile("latency", "resident_to_console", share))
    row(
        "  events matched",
        lambda r: f"{r['latency']['resident_to_console']['count']} of {r['latency']['sent']}",
    )
    row("console->resident replies", lambda r: r["reply"]["console_to_resident"]["count"])
    for share in ("p50", "p95", "p99"):
        row(f"  {share} ms", quantile("reply", "console_to_resident", share))
    row("  first reply ms", lambda r: r["reply"]["first_reply_ms"])
    row("  reply API p50 ms", lambda r: r["reply"]["reply_api"]["p50_ms"])
    row("idle resident sockets", lambda r: r["memory"]["connections"])
    row(
        "  RSS before / with MiB",
        lambda r: "{rss_before_mib} / {rss_with_connections_mib}".format(**r["memory"]),
    )
    row("  KiB per connection", lambda r: r["memory"]["per_connection_kib"])
    row("RSS end / peak MiB", lambda r: f"{r['rss_end_mib']} / {r['rss_peak_mib']}")
    row("load average before", lambda r: " ".join(map(str, r["load_average_before"])))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in rows
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load benchmark of somesossu over real sockets (loopback only).",
        epilog="Figures and the commands that produced them: docs/performance.md",
    )
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument(
        "--phases",
        default="memory,throughput,latency,reply",
        help="comma-separated subset of memory,throughput,latency,reply",
    )
    parser.add_argument("--residents", type=int, default=300, help="throughput: sockets")
    parser.add_argument("--in-flight", type=int, default=2, help="throughput: unacked per socket")
    parser.add_argument("--duration", type=float, default=15.0, help="throughput: seconds (<= 50)")
    parser.add_argument("--rate", type=float, default=200.0, help="latency: offered msg/s")
    parser.add_argument("--latency-seconds", type=float, default=15.0)
    parser.add_argument("--latency-residents", type=int, default=100)
    parser.add_argument("--reply-conversations", type=int, default=3)
    parser.add_argument("--replies", type=int, default=60)
    parser.add_argument("--idle", type=int, default=2000, help="memory: idle resident sockets")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--profile",
        type=Path,
        help="run the server under cProfile; writes PROFILE.<database>.prof (slows it down)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 50 or not 0 < args.latency_seconds <= 50:
        parser.error("phases last at most 50 s: a socket may send 240 frames a minute")
    if args.rate * args.latency_seconds > FRAME_BUDGET * args.latency_residents:
        parser.error("--rate x --latency-seconds exceeds what --latency-residents may send")
    if min(args.residents, args.latency_residents, args.idle, args.in_flight) < 1:
        parser.error("counts must be at least 1")
    if args.reply_conversations > 3:
        parser.error("--reply-conversations: a supervisor may hold at most 3 chats at once")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not SOMESOSSU.exists():
        print(f"missing {SOMESOSSU}: create the venv first (make install)", file=sys.stderr)
        return 2
    raise_file_limit()
    if args.profile:
        args.profile = args.profile.resolve()
        args.profile.parent.mkdir(parents=True, exist_ok=True)
    databases = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    results = [asyncio.run(run_one(database, args)) for database in databases]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
