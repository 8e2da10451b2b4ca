"""The bot's Matrix device: logged in as the same device on every start, its files on disk.

The session, sync token and pickle key are written atomically and readable by the service's
user only; credentials never reach a log line or an exception message.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from nio import LoginResponse, WhoamiResponse

from adapters.matrix_errors import MatrixLoginError, error_code, http_status

DEVICE_NAME = "somesossu"


def _write_private(path: Path, text: str) -> None:
    """Write atomically, readable by the service's user only (keys and tokens live here)."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class MatrixDevice:
    """One account's device in `store_dir`: log in with a password or an access token."""

    def __init__(
        self,
        *,
        user_id: str,
        store_dir: Path,
        password: str | None = None,
        access_token: str | None = None,
    ) -> None:
        self.user_id = user_id
        self.store_dir = store_dir
        self._password = password
        self._access_token = access_token

    @property
    def _token_file(self) -> Path:
        return self.store_dir / "sync-token"

    @property
    def _session_file(self) -> Path:
        return self.store_dir / "session.json"

    def secure_dir(self) -> None:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.store_dir.chmod(0o700)

    def stored_pickle_key(self) -> str:
        # Encrypts the Olm/Megolm pickles at rest; a copy of the store alone is then useless.
        path = self.store_dir / "pickle.key"
        if not path.exists():
            _write_private(path, secrets.token_urlsafe(32))
        return path.read_text(encoding="utf-8").strip()

    def read_token(self) -> str | None:
        try:
            token = self._token_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return token or None

    def save_token(self, token: str) -> None:
        _write_private(self._token_file, token)

    def _read_session(self) -> dict[str, str] | None:
        try:
            session = json.loads(self._session_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        if not isinstance(session, dict) or session.get("user_id") != self.user_id:
            return None
        return {key: str(value) for key, value in session.items()}

    async def login(self, client: Any) -> None:
        """Log `client` in; raises `MatrixLoginError` for refused credentials and
        `ConnectionError` for a homeserver that may answer later."""
        if self._access_token:
            client.access_token = self._access_token
            client.user_id = self.user_id
            whoami = await client.whoami()
            if not isinstance(whoami, WhoamiResponse) or whoami.user_id != self.user_id:
                raise MatrixLoginError(f"access token refused: {error_code(whoami)}")
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
                if error_code(whoami) not in ("M_UNKNOWN_TOKEN", "M_FORBIDDEN"):
                    raise ConnectionError(error_code(whoami))
                client.access_token = ""
            response = await client.login(password=self._password, device_name=DEVICE_NAME)
            if not isinstance(response, LoginResponse):
                if http_status(response) >= 500 or error_code(response) == "unknown":
                    raise ConnectionError(error_code(response))
                raise MatrixLoginError(f"login refused: {error_code(response)}")
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
