"""Settings, read once at the edge from the environment and `.env` into a frozen object."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dotenv import dotenv_values

from bot.endpoints import (
    DEFAULT_TELEGRAM_API_URL,
    DEFAULT_WHATSAPP_API_URL,
    EndpointError,
    telegram_api_url,
    whatsapp_api_url,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    # postgresql://… to share the state between instances; empty: SQLite in data_dir.
    database_url: str = ""
    # How long a worker's claim on an inbox message lasts without renewal (takeover after death).
    inbox_lease_s: float = 30.0
    # Reply sends a worker process has in flight at once, over all users and channels' inboxes.
    # A worker killed at an instant (kill -9, power loss) can have delivered each of them without
    # having recorded it: each can go out twice after the takeover. 16 keeps a burst moving at
    # the Graph API's ~0.2 s per send (~80 sends/s); 1 never doubles more than one reply part.
    sends_in_flight: int = 16
    # How often a worker looks in the inbox without being woken (every store wakes it: a socket
    # in the data folder with SQLite, LISTEN/NOTIFY with PostgreSQL); the fallback for a lost
    # wake, retries falling due and leases of dead workers.
    worker_poll_s: float = 1.0
    # The curators' desk (web page at /curator): off without a token; loopback unless configured.
    curator_token: str = ""
    curator_host: str = "127.0.0.1"
    curator_port: int = 8081
    # -- operations (issue 15) ---------------------------------------------------------------
    # "text" (one line per event, with a timestamp) or "json" (one object per line).
    log_format: str = "text"
    # TELEGRAM_API_URL as written (empty when unset), so that a failure can quote it.
    telegram_api_url_setting: str = ""
    # The bot's public WhatsApp number in international digits (e.g. 6281234567890), for the
    # wa.me link under forwardable answers; empty: no link.
    whatsapp_number: str = ""
    # /healthz turns 503 when the worker's last heartbeat, or the oldest message still waiting
    # in the inbox, is older than this, or when more messages than this wait.
    health_heartbeat_s: float = 30.0
    health_pending_age_s: float = 300.0
    health_backlog: int = 1000
    # Limits against hostile or broken input (issue 14): how long a request handler waits for
    # the state database before answering 503, how long a client may take to send a request,
    # and how many connections are served at once. The backlog alarm (in /healthz and the log)
    # is health_backlog and health_pending_age_s above.
    db_wait_s: float = 2.0
    request_timeout_s: float = 10.0
    max_connections: int = 256
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

    @property
    def curator_enabled(self) -> bool:
        return bool(self.curator_token)

    def today_or(self, fallback: date) -> date:
        return self.today or fallback


LOG_LEVELS = {
    "DEBUG": "DEBUG",
    "VERBOSE": "DEBUG",
    "INFO": "INFO",
    "WARNING": "WARNING",
    "WARN": "WARNING",
    "ERROR": "ERROR",
    "CRITICAL": "CRITICAL",
}
LOG_FORMATS = ("text", "json")


def running_from_checkout() -> bool:
    """True in a clone of the repository (also with an editable install), False when the
    package was installed with pip: then nothing may be written next to the code."""
    return (PROJECT_ROOT / "pyproject.toml").is_file()


def default_data_dir() -> Path:
    """The checkout's data/ folder, or the platform's data folder for an installed bot."""
    if running_from_checkout():
        return PROJECT_ROOT / "data"
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "tanya-jamsos"


def default_env_file() -> Path:
    """The checkout's .env, or .env in the working directory for an installed bot."""
    return PROJECT_ROOT / ".env" if running_from_checkout() else Path.cwd() / ".env"


def _read_env(environ: Mapping[str, str] | None, env_file: Path | None) -> dict[str, str]:
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    # The real environment wins over .env, as with every twelve-factor tool.
    values.update(os.environ if environ is None else environ)
    return values


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> Settings:
    """Read every setting; each malformed one is listed, in one ConfigError.

    `env_file` None reads the default .env (see `default_env_file`); tests pass `environ` and
    a path that does not exist."""
    env = _read_env(environ, default_env_file() if env_file is None else env_file)
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

    def number(name: str, default: float) -> float:
        raw = text(name)
        if not raw:
            return default
        try:
            # A decimal comma too: "0,5" is how half is written in Indonesia.
            value = float(raw.replace(",", "."))
        except ValueError:
            problems.append(f"{name}={raw!r} is not a number such as 60 or 0.5")
            return default
        if not value > 0 or value == float("inf"):
            problems.append(f"{name}={raw!r} must be more than 0")
            return default
        return value

    def choice(name: str, allowed: Mapping[str, str], default: str) -> str:
        raw = text(name)
        if not raw:
            return default
        value = allowed.get(raw.upper()) or allowed.get(raw.lower())
        if value is None:
            shown = ", ".join(dict.fromkeys(allowed.values()))
            problems.append(f"{name}={raw!r} is not one of {shown}")
            return default
        return value

    def endpoint(name: str, parse: Callable[[str], str], default: str) -> str:
        raw = text(name)
        if not raw:
            return default
        try:
            return parse(raw)
        except EndpointError as exc:
            problems.append(str(exc))
            return default

    today: date | None = None
    if raw_today := text("BOT_TODAY"):
        try:
            today = date.fromisoformat(raw_today)
        except ValueError:
            problems.append(f"BOT_TODAY={raw_today!r} is not a date like 2026-11-21")

    # Relative folders are relative to the checkout, or to the working directory when installed.
    home = PROJECT_ROOT if running_from_checkout() else Path.cwd()
    data_dir = (
        Path(text("BOT_DATA_DIR")).expanduser() if text("BOT_DATA_DIR") else default_data_dir()
    )
    if not data_dir.is_absolute():
        data_dir = home / data_dir

    knowledge_dir = Path(text("BOT_KNOWLEDGE_DIR") or PROJECT_ROOT / "knowledge")
    if not knowledge_dir.is_absolute():
        knowledge_dir = home / knowledge_dir
    token = text("TELEGRAM_BOT_TOKEN")

    settings = Settings(
        data_dir=data_dir,
        knowledge_dir=knowledge_dir,
        today=today,
        secret_salt=text("BOT_SECRET_SALT"),
        retention_days=integer("BOT_RETENTION_DAYS", 90),
        log_level=choice("BOT_LOG_LEVEL", LOG_LEVELS, "INFO"),
        host=text("HOST", "0.0.0.0"),  # noqa: S104
        port=integer("PORT", 8080),
        rate_limit=integer("BOT_RATE_LIMIT", 8),
        rate_window_s=number("BOT_RATE_WINDOW_S", 60.0),
        share_contact=text("BOT_SHARE_CONTACT"),
        telegram_token=token,
        telegram_webhook_url=text("TELEGRAM_WEBHOOK_URL"),
        telegram_webhook_secret=text("TELEGRAM_WEBHOOK_SECRET"),
        telegram_api_url=endpoint(
            "TELEGRAM_API_URL", lambda raw: telegram_api_url(raw, token), DEFAULT_TELEGRAM_API_URL
        ),
        whatsapp_verify_token=text("WHATSAPP_VERIFY_TOKEN"),
        whatsapp_app_secret=text("WHATSAPP_APP_SECRET"),
        whatsapp_access_token=text("WHATSAPP_ACCESS_TOKEN"),
        whatsapp_phone_number_id=text("WHATSAPP_PHONE_NUMBER_ID"),
        database_url=text("BOT_DATABASE_URL"),
        inbox_lease_s=number("BOT_INBOX_LEASE_S", 30.0),
        sends_in_flight=integer("BOT_SENDS_IN_FLIGHT", 16),
        worker_poll_s=number("BOT_WORKER_POLL_S", 1.0),
        whatsapp_api_url=endpoint("WHATSAPP_API_URL", whatsapp_api_url, DEFAULT_WHATSAPP_API_URL),
        curator_token=text("BOT_CURATOR_TOKEN"),
        curator_host=text("BOT_CURATOR_HOST") or "127.0.0.1",
        curator_port=integer("BOT_CURATOR_PORT", 8081),
        log_format=choice("BOT_LOG_FORMAT", {f: f for f in LOG_FORMATS}, "text"),
        telegram_api_url_setting=text("TELEGRAM_API_URL"),
        whatsapp_number=text("WHATSAPP_NUMBER").lstrip("+").replace(" ", "").replace("-", ""),
        health_heartbeat_s=number("BOT_HEALTH_HEARTBEAT_S", 30.0),
        health_pending_age_s=number("BOT_HEALTH_PENDING_AGE_S", 300.0),
        health_backlog=integer("BOT_HEALTH_BACKLOG", 1000),
        db_wait_s=number("BOT_DB_WAIT_S", 2.0),
        request_timeout_s=number("BOT_REQUEST_TIMEOUT_S", 10.0),
        max_connections=integer("BOT_MAX_CONNECTIONS", 256),
    )
    if settings.database_url and not settings.database_url.startswith(
        ("postgresql://", "postgres://")
    ):
        problems.append("BOT_DATABASE_URL must start with postgresql:// (or be empty for SQLite)")
    if settings.inbox_lease_s < 1:
        problems.append("BOT_INBOX_LEASE_S must be 1 or more")
    if settings.sends_in_flight < 1:
        problems.append("BOT_SENDS_IN_FLIGHT must be 1 or more")
    if not settings.worker_poll_s > 0:
        problems.append("BOT_WORKER_POLL_S must be more than 0 (seconds)")
    if settings.retention_days < 1:
        problems.append("BOT_RETENTION_DAYS must be 1 or more")
    if settings.curator_token and len(settings.curator_token) < 16:
        problems.append("BOT_CURATOR_TOKEN must be at least 16 characters (use a long random one)")
    if settings.rate_limit < 1:
        problems.append("BOT_RATE_LIMIT must be 1 or more")
    if not 0 <= settings.port < 65536:  # 0: any free port (tests)
        problems.append(f"PORT={settings.port} is not a port number (1-65535)")
    if settings.whatsapp_number and not settings.whatsapp_number.isdigit():
        problems.append(
            "WHATSAPP_NUMBER must be the number in international digits, e.g. 6281234567890"
        )
    if problems:
        raise ConfigError(
            "Fix these settings in .env or the environment:\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )
    return settings


# The settings each channel cannot run without: the one place that says so. A channel that
# receives webhooks also needs BOT_SECRET_SALT (require_webhook_settings).
REQUIRED: dict[str, tuple[tuple[str, str], ...]] = {
    "whatsapp": (
        ("WHATSAPP_APP_SECRET", "whatsapp_app_secret"),
        ("WHATSAPP_VERIFY_TOKEN", "whatsapp_verify_token"),
        ("WHATSAPP_ACCESS_TOKEN", "whatsapp_access_token"),
        ("WHATSAPP_PHONE_NUMBER_ID", "whatsapp_phone_number_id"),
    ),
    "telegram webhook": (("TELEGRAM_WEBHOOK_SECRET", "telegram_webhook_secret"),),
}
CHANNEL_NAMES = {"whatsapp": "The WhatsApp channel", "telegram webhook": "Telegram webhook mode"}


def enabled_channels(settings: Settings) -> list[str]:
    """The channels of REQUIRED that these settings turn on."""
    on = {"whatsapp": settings.whatsapp_enabled, "telegram webhook": settings.telegram_webhook_mode}
    return [name for name in REQUIRED if on[name]]


def missing_settings(settings: Settings, channel: str) -> list[str]:
    return [name for name, attribute in REQUIRED[channel] if not getattr(settings, attribute)]


def require_channel_settings(settings: Settings) -> None:
    """Every enabled channel has what it needs; else a ConfigError naming each missing one."""
    for channel in enabled_channels(settings):
        if missing := missing_settings(settings, channel):
            raise ConfigError(
                f"{CHANNEL_NAMES[channel]} needs these settings: " + ", ".join(missing)
            )


def require_webhook_settings(settings: Settings) -> None:
    """Fail fast, listing every missing name, before any webhook server starts."""
    missing: list[str] = []
    # The curators' desk alone receives nothing from users: a local salt will do for it.
    if not settings.secret_salt and enabled_channels(settings):
        missing.append("BOT_SECRET_SALT")
    for channel in sorted(enabled_channels(settings), reverse=True):  # Telegram's name first
        missing += missing_settings(settings, channel)
    if missing:
        raise ConfigError("Webhook mode needs these settings: " + ", ".join(missing))
