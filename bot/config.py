"""Settings of the whole service, read once from the environment and `.env`.

Built once by the composition root and passed down; never read from module globals. Error
messages name the bad setting and never echo its value (a secret may be in it).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .logs import LOG_FORMATS

ENV_PREFIX = "SOMESOSSU_"
DEFAULT_TIME_ZONE = "Europe/Helsinki"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class TelegramMode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class ConfigError(Exception):
    """A setting is missing or invalid; the message names the setting, never its value."""


Port = Annotated[int, Field(ge=1, le=65535)]


class Settings(BaseSettings):
    """Every setting of somesossu. Each field is `SOMESOSSU_<NAME>` in the environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
        frozen=True,
    )

    env: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path("./data")
    database_url: str = ""
    http_host: str = "127.0.0.1"
    http_port: Port = 8080
    public_url: str = ""
    log_level: str = "INFO"
    log_format: str = "auto"
    # The service's local time: opening-time texts, feedback and attendance days, group
    # session times typed without a zone, officer reports. An IANA name (bot/config.py `zone`).
    time_zone: str = DEFAULT_TIME_ZONE

    keks: SecretStr | None = None
    current_kek_version: int | None = Field(default=None, ge=1)
    pepper: SecretStr | None = None
    audit_key: SecretStr | None = None
    # The development key file; by default keys.json in the data directory (see below).
    key_file: Path = Path("data/keys.json")
    # Days a KEK wraps new data keys before a new key epoch starts (bot/key_epochs.py).
    key_epoch_days: int = Field(default=30, ge=1, le=366)
    # Minutes one audit record of a read stands for the same person's repeated reads of the
    # same conversation (bot/read_audit.py); 0 records every read.
    audit_read_window_minutes: int = Field(default=10, ge=0, le=24 * 60)

    secure_cookies: bool = False
    # /metrics: a separate listener (off unless a port is set) and/or a bearer token that
    # opens /metrics on the service port; with neither, the service port answers 404.
    metrics_host: str = "127.0.0.1"
    metrics_port: Port | None = None
    metrics_token: SecretStr | None = None
    max_message_chars: int = Field(default=4000, ge=100, le=100_000)
    # Files residents send (web chat; docs/attachments.md): largest upload in bytes, files
    # kept per conversation, and hours a closed conversation keeps its files (text: 30 days).
    attachment_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    attachment_max_per_conversation: int = Field(default=10, ge=0, le=1000)
    attachment_retention_hours: int = Field(default=72, ge=0, le=24 * 3650)
    idle_reminder_minutes: int = Field(default=20, ge=1, le=24 * 60)
    idle_close_minutes: int = Field(default=10, ge=1, le=24 * 60)

    webchat_frame_ancestors: str = "'self'"
    webchat_leave_url: str = "https://www.google.com/"
    webchat_messages_per_minute: int = Field(default=20, ge=1, le=600)
    webchat_connections_per_address: int = Field(default=20, ge=1, le=10_000)
    webchat_trusted_proxies: str = ""
    # A web-chat block also covers new sessions from the resident's network (bot/origins.py).
    webchat_block_by_address: bool = True
    # Minutes a waiting resident is left to counsellors who speak their language before
    # anyone in the queue may claim them; 0 turns that off (bot/language_routing.py).
    language_first_minutes: int = Field(default=5, ge=0, le=120)
    # Impact reports (GET /api/reports/*) show counts under this as "<N" (bot/reports.py).
    report_min_cell: int = Field(default=5, ge=2, le=100)

    # Sign-in throttling (docs/deployment.md explains the numbers).
    signin_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    signin_failures_per_account_address: int = Field(default=5, ge=1, le=1000)
    signin_failures_per_address: int = Field(default=30, ge=1, le=100_000)
    signin_failures_per_account: int = Field(default=50, ge=1, le=100_000)
    signin_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    signin_lockout_max_minutes: int = Field(default=24 * 60, ge=1, le=30 * 24 * 60)

    telegram_token: SecretStr | None = None
    telegram_mode: TelegramMode = TelegramMode.POLLING
    telegram_webhook_url: str = ""
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_protect_content: bool = True

    matrix_homeserver: str = ""
    matrix_user_id: str = ""
    matrix_password: SecretStr | None = None
    matrix_access_token: SecretStr | None = None
    matrix_e2ee: bool = True

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("log_format")
    @classmethod
    def _known_log_format(cls, value: str) -> str:
        if value not in LOG_FORMATS:
            raise ValueError("must be auto, json or text")
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            # ValueError: a malformed key such as "../x", which zoneinfo refuses to look up;
            # OSError: a directory of the zone database such as "Europe".
            raise ValueError(
                "unknown time zone, expected an IANA name such as Europe/Helsinki"
            ) from None
        return value

    @field_validator("metrics_token")
    @classmethod
    def _long_metrics_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 24:
            raise ValueError("must be at least 24 characters (e.g. openssl rand -hex 16)")
        return value

    @model_validator(mode="before")
    @classmethod
    def _key_file_beside_the_data(cls, values: Any) -> Any:
        # Unset, the key file follows the data directory: one setting moves a whole instance.
        if isinstance(values, dict) and not values.get("key_file"):
            data_dir = values.get("data_dir") or Path("./data")
            return {**values, "key_file": Path(data_dir) / "keys.json"}
        return values

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'somesossu.db').resolve()}"

    @property
    def zone(self) -> ZoneInfo:
        """The service's time zone: the one place the rest of the code takes it from."""
        # zoneinfo caches instances by key, so this is a dictionary look-up after the first.
        return ZoneInfo(self.time_zone)

    @property
    def keys_configured(self) -> bool:
        return self.keks is not None

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.http_host}:{self.http_port}"


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning validation errors into a message that names each setting."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = ".".join(str(part) for part in item["loc"]) or "?"
            problems.append(f"{ENV_PREFIX}{field.upper()}: {item['msg']}")
        raise ConfigError("invalid settings: " + "; ".join(problems)) from None
