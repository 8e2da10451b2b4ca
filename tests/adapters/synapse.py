"""A real Synapse homeserver for the Matrix tests, started once per session on loopback.

Never reachable from outside 127.0.0.1, never federates, and is always terminated.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

STARTUP_DEADLINE_SECONDS = 120.0
SERVER_NAME = "localhost"

LOG_CONFIG = """\
version: 1
formatters:
  plain:
    format: '%(asctime)s %(name)s %(levelname)s %(message)s'
handlers:
  file:
    class: logging.FileHandler
    filename: {log_file}
    formatter: plain
  access:
    class: logging.FileHandler
    filename: {log_file}.access
    formatter: plain
root:
  level: WARNING
  handlers: [file]
loggers:
  synapse.access:
    level: INFO
    handlers: [access]
    propagate: false
disable_existing_loggers: false
"""

# Relaxed rate limits: the tests send bursts that a public server would (rightly) throttle.
_UNLIMITED = "{per_second: 1000, burst_count: 1000}"

HOMESERVER_YAML = """\
server_name: "{server_name}"
pid_file: "{root}/homeserver.pid"
public_baseurl: "http://127.0.0.1:{port}/"
listeners:
  - port: {port}
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "{root}/homeserver.db"
log_config: "{root}/log.yaml"
media_store_path: "{root}/media"
signing_key_path: "{root}/signing.key"
registration_shared_secret: "{shared_secret}"
macaroon_secret_key: "{macaroon_secret}"
form_secret: "{form_secret}"
enable_registration: false
report_stats: false
enable_metrics: false
url_preview_enabled: false
presence:
  enabled: false
trusted_key_servers: []
suppress_key_server_warning: true
federation_domain_whitelist: []
rc_message: {unlimited}
rc_registration: {unlimited}
rc_joins:
  local: {unlimited}
  remote: {unlimited}
rc_invites:
  per_room: {unlimited}
  per_user: {unlimited}
  per_issuer: {unlimited}
rc_login:
  address: {unlimited}
  account: {unlimited}
  failed_attempts: {unlimited}
rc_key_requests: {unlimited}
rc_3pid_validation: {unlimited}
rc_delayed_event_mgmt: {unlimited}
"""


@dataclass(frozen=True)
class MatrixUser:
    user_id: str
    password: str


@dataclass
class Synapse:
    """A running homeserver: its base URL and a way to register users on it."""

    base_url: str
    shared_secret: str
    log_file: Path
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def access_log(self) -> Path:
        """One line per request the server answered (access tokens redacted by Synapse)."""
        return Path(f"{self.log_file}.access")

    def media_downloads(self, media_id: str) -> int:
        """How many times the server has handed out this media's content (any API version)."""
        if not self.access_log.exists():
            return 0
        lines = self.access_log.read_text(encoding="utf-8", errors="replace").splitlines()
        return sum(f"/download/{SERVER_NAME}/{media_id}" in line for line in lines)

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self._names)}{secrets.token_hex(2)}"

    async def register(self, prefix: str) -> MatrixUser:
        """Register a fresh user through the shared-secret admin API."""
        localpart = self.unique(prefix)
        password = secrets.token_urlsafe(16)
        url = f"{self.base_url}/_synapse/admin/v1/register"
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(url) as response:
                response.raise_for_status()
                nonce = (await response.json())["nonce"]
            mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
            mac.update(nonce.encode())
            for part in (localpart, password, "notadmin"):
                mac.update(b"\x00" + part.encode())
            body = {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": False,
                "mac": mac.hexdigest(),
            }
            async with session.post(url, json=body) as response:
                payload = await response.json()
                assert response.status == 200, payload
        return MatrixUser(user_id=payload["user_id"], password=password)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _write_config(root: Path, port: int, shared_secret: str) -> Path:
    from signedjson.key import generate_signing_key, write_signing_keys

    (root / "media").mkdir()
    with open(root / "signing.key", "w", encoding="utf-8") as key_file:
        write_signing_keys(key_file, [generate_signing_key("a_test")])
    (root / "log.yaml").write_text(LOG_CONFIG.format(log_file=root / "homeserver.log"))
    config = root / "homeserver.yaml"
    config.write_text(
        HOMESERVER_YAML.format(
            server_name=SERVER_NAME,
            root=root,
            port=port,
            shared_secret=shared_secret,
            macaroon_secret=secrets.token_hex(16),
            form_secret=secrets.token_hex(16),
            unlimited=_UNLIMITED,
        )
    )
    return config


def _wait_until_up(process: subprocess.Popen[bytes], base_url: str, log_file: Path) -> None:
    deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_file.read_text()[-3000:] if log_file.exists() else ""
            pytest.fail(f"synapse exited with {process.returncode}:\n{tail}")
        try:
            versions = f"{base_url}/_matrix/client/versions"  # always http://127.0.0.1
            with urllib.request.urlopen(versions, timeout=2):  # noqa: S310
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    pytest.fail(f"synapse did not answer within {STARTUP_DEADLINE_SECONDS} s")


def synapse_available() -> bool:
    try:
        import synapse  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="session")
def synapse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """Start Synapse once per session (SQLite, client API only) and always stop it."""
    if not synapse_available():
        if os.environ.get("CI"):
            pytest.fail("matrix-synapse is not installed (pip install -e '.[dev]')")
        pytest.skip("matrix-synapse is not installed: pip install -e '.[dev]'")
    root = tmp_path_factory.mktemp("synapse")
    port = _free_port()
    shared_secret = secrets.token_hex(16)
    config = _write_config(root, port, shared_secret)
    base_url = f"http://127.0.0.1:{port}"
    log_file = root / "homeserver.log"
    stderr = open(root / "stderr.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "synapse.app.homeserver", "-c", str(config)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        # Small caches: the machine is shared and the test server holds a few users only.
        env={**os.environ, "SYNAPSE_CACHE_FACTOR": "0.1"},
    )
    try:
        _wait_until_up(process, base_url, log_file)
        yield Synapse(base_url=base_url, shared_secret=shared_secret, log_file=log_file)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        stderr.close()
