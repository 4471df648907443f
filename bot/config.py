"""Settings, read once at the edge from the environment and `.env` into a frozen object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org/bot"
DEFAULT_WHATSAPP_API_URL = "https://graph.facebook.com/v23.0"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names every variable to fix."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path = PROJECT_ROOT / "data"
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    today: date | None = None
    secret_salt: str = ""
    retention_days: int = 90
    log_level: str = "INFO"
    host: str = "0.0.0.0"  # noqa: S104 - a webhook server must listen beyond loopback
    port: int = 8080
    # Per-user flood guard: at most this many messages in `rate_window_s` seconds.
    rate_limit: int = 8
    rate_window_s: float = 60.0
    # How people reach this bot, printed under forwardable answers (e.g. "t.me/NamaBot").
    share_contact: str = ""
    telegram_token: str = ""
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    whatsapp_verify_token: str = ""
    whatsapp_app_secret: str = ""
    whatsapp_access_token: str = ""
    whatsapp_phone_number_id: str = ""
    whatsapp_api_url: str = DEFAULT_WHATSAPP_API_URL
    # Limits against hostile or broken input (issue 14): how long a request handler waits for
    # the state database before answering 503, how long a client may take to send a request,
    # how many connections are served at once, and the inbox backlog (messages, or age of the
    # oldest in seconds) past which /healthz and the log raise the alarm.
    db_wait_s: float = 2.0
    request_timeout_s: float = 10.0
    max_connections: int = 256
    backlog_alarm_size: int = 500
    backlog_alarm_age_s: float = 300.0
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def knowledge_db(self) -> Path:
        return self.data_dir / "knowledge.db"

    @property
    def state_db(self) -> Path:
        return self.data_dir / "state.db"

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_token)

    @property
    def telegram_webhook_mode(self) -> bool:
        return bool(self.telegram_token and self.telegram_webhook_url)

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.whatsapp_access_token or self.whatsapp_app_secret)

    def today_or(self, fallback: date) -> date:
        return self.today or fallback


def _read_env(environ: Mapping[str, str] | None, env_file: Path | None) -> dict[str, str]:
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    # The real environment wins over .env, as with every twelve-factor tool.
    values.update(os.environ if environ is None else environ)
    return values


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = PROJECT_ROOT / ".env"
) -> Settings:
    env = _read_env(environ, env_file)
    problems: list[str] = []

    def text(name: str, default: str = "") -> str:
        return env.get(name, default).strip()

    def integer(name: str, default: int) -> int:
        raw = text(name)
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError:
            problems.append(f"{name}={raw!r} is not a whole number")
            return default

    today: date | None = None
    if raw_today := text("BOT_TODAY"):
        try:
            today = date.fromisoformat(raw_today)
        except ValueError:
            problems.append(f"BOT_TODAY={raw_today!r} is not a date like 2026-11-21")

    data_dir = Path(text("BOT_DATA_DIR") or PROJECT_ROOT / "data")
    if not data_dir.is_absolute():
        data_dir = PROJECT_ROOT / data_dir

    knowledge_dir = Path(text("BOT_KNOWLEDGE_DIR") or PROJECT_ROOT / "knowledge")
    if not knowledge_dir.is_absolute():
        knowledge_dir = PROJECT_ROOT / knowledge_dir

    settings = Settings(
        data_dir=data_dir,
        knowledge_dir=knowledge_dir,
        today=today,
        secret_salt=text("BOT_SECRET_SALT"),
        retention_days=integer("BOT_RETENTION_DAYS", 90),
        log_level=text("BOT_LOG_LEVEL", "INFO").upper() or "INFO",
        host=text("HOST", "0.0.0.0"),  # noqa: S104
        port=integer("PORT", 8080),
        rate_limit=integer("BOT_RATE_LIMIT", 8),
        rate_window_s=float(integer("BOT_RATE_WINDOW_S", 60)),
        share_contact=text("BOT_SHARE_CONTACT"),
        telegram_token=text("TELEGRAM_BOT_TOKEN"),
        telegram_webhook_url=text("TELEGRAM_WEBHOOK_URL"),
        telegram_webhook_secret=text("TELEGRAM_WEBHOOK_SECRET"),
        telegram_api_url=text("TELEGRAM_API_URL") or DEFAULT_TELEGRAM_API_URL,
        whatsapp_verify_token=text("WHATSAPP_VERIFY_TOKEN"),
        whatsapp_app_secret=text("WHATSAPP_APP_SECRET"),
        whatsapp_access_token=text("WHATSAPP_ACCESS_TOKEN"),
        whatsapp_phone_number_id=text("WHATSAPP_PHONE_NUMBER_ID"),
        whatsapp_api_url=(text("WHATSAPP_API_URL") or DEFAULT_WHATSAPP_API_URL).rstrip("/"),
        db_wait_s=float(integer("BOT_DB_WAIT_S", 2)),
        request_timeout_s=float(integer("BOT_REQUEST_TIMEOUT_S", 10)),
        max_connections=integer("BOT_MAX_CONNECTIONS", 256),
        backlog_alarm_size=integer("BOT_BACKLOG_ALARM", 500),
        backlog_alarm_age_s=float(integer("BOT_BACKLOG_ALARM_AGE_S", 300)),
    )
    if settings.retention_days < 1:
        problems.append("BOT_RETENTION_DAYS must be 1 or more")
    if problems:
        raise ConfigError("Fix these settings in .env or the environment: " + "; ".join(problems))
    return settings


def require_webhook_settings(settings: Settings) -> None:
    """Fail fast, listing every missing name, before any webhook server starts."""
    missing: list[str] = []
    if not settings.secret_salt:
        missing.append("BOT_SECRET_SALT")
    if settings.telegram_webhook_mode and not settings.telegram_webhook_secret:
        missing.append("TELEGRAM_WEBHOOK_SECRET")
    if settings.whatsapp_enabled:
        for name, value in (
            ("WHATSAPP_APP_SECRET", settings.whatsapp_app_secret),
            ("WHATSAPP_VERIFY_TOKEN", settings.whatsapp_verify_token),
            ("WHATSAPP_ACCESS_TOKEN", settings.whatsapp_access_token),
            ("WHATSAPP_PHONE_NUMBER_ID", settings.whatsapp_phone_number_id),
        ):
            if not value:
                missing.append(name)
    if missing:
        raise ConfigError("Webhook mode needs these settings: " + ", ".join(missing))
