"""The Telegram channel's two ways to run: long polling and a webhook on our aiohttp app.

- `run_polling(settings)`: `python -m bot` with TELEGRAM_BOT_TOKEN and no TELEGRAM_WEBHOOK_URL.
- `setup_polling(app)`: the same long polling inside the aiohttp app (next to WhatsApp).
- `setup_webhook(app)`: called by `bot.server.make_app` in webhook mode. It adds
  `POST /webhook/telegram` and a cleanup context that owns the PTB Application's lifecycle
  (initialise, register commands, setWebhook, start; stop and shut down on exit).

The adapter itself is `bot.channels.telegram_channel.TelegramChannel`; rendering and sending
live in `telegram_render` and `telegram_send`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
import signal
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken, TelegramError

from bot import appkeys
from bot.channels.telegram_channel import ALLOWED_UPDATES, TelegramChannel
from bot.channels.telegram_logs import protect_logs
from bot.config import ConfigError, Settings
from bot.conversation import Conversation
from bot.state import SqliteState

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhook/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
# setWebhook accepts 1-256 characters of A-Z, a-z, 0-9, _ and - as secret_token.
_SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Long-poll timeout for getUpdates: Telegram holds the request open until an update arrives.
POLL_TIMEOUT_S = 30

CHANNEL_KEY = web.AppKey("telegram_channel", TelegramChannel)

__all__ = [
    "WEBHOOK_PATH",
    "TelegramChannel",
    "protect_logs",
    "run_polling",
    "serve_polling",
    "setup_polling",
    "setup_webhook",
]


# -- polling ---------------------------------------------------------------------------------


def _polling_failed(exc: TelegramError) -> None:
    # PTB's default logs the exception with its message; the type is enough and leaks nothing.
    log.warning("telegram polling failed: %s; retrying", type(exc).__name__)


async def _start_polling(channel: TelegramChannel) -> None:
    await channel.start()
    updater = channel.application.updater
    if updater is None:
        raise RuntimeError("this TelegramChannel was built for webhook mode; it cannot poll")
    await updater.start_polling(
        timeout=timedelta(seconds=POLL_TIMEOUT_S),
        allowed_updates=list(ALLOWED_UPDATES),
        error_callback=_polling_failed,
    )


async def serve_polling(settings: Settings, stop: asyncio.Event) -> None:
    """Poll Telegram and answer until `stop` is set; then finish what was received."""
    from bot.runtime import load_engine

    state = SqliteState(settings.state_db)
    try:
        channel = TelegramChannel(
            settings, Conversation(load_engine(settings), state, settings), state
        )
        try:
            await _start_polling(channel)
            await stop.wait()
        finally:
            await channel.stop()
    finally:
        state.close()


def run_polling(settings: Settings) -> int:
    """`python -m bot` with a token and no webhook URL: poll until Ctrl-C or SIGTERM."""
    protect_logs(settings.telegram_token)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Not available on Windows, nor outside the main thread: Ctrl-C then still works.
            with contextlib.suppress(NotImplementedError, ValueError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        print("Tanya Jamsos: polling Telegram (Ctrl-C to stop)", file=sys.stderr, flush=True)
        await serve_polling(settings, stop)

    try:
        asyncio.run(main())
    except InvalidToken:
        print(
            "error: Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather.",
            file=sys.stderr,
        )
        return 1
    except TelegramError as exc:
        print(f"error: Telegram is not reachable ({type(exc).__name__}).", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def setup_polling(app: web.Application) -> None:
    """Telegram by long polling inside the bot's aiohttp app, for a process that serves the
    WhatsApp webhook but has no public URL for Telegram (TELEGRAM_WEBHOOK_URL unset)."""
    settings = app[appkeys.SETTINGS]
    app[CHANNEL_KEY] = TelegramChannel(settings, app[appkeys.CONVERSATION], app[appkeys.STATE])
    app.cleanup_ctx.append(_polling_lifecycle)


async def _polling_lifecycle(app: web.Application) -> AsyncIterator[None]:
    channel = app[CHANNEL_KEY]
    try:
        await _start_polling(channel)
        yield
    finally:
        await channel.stop()


# -- webhook ---------------------------------------------------------------------------------


def require_secret(settings: Settings) -> str:
    """Fail closed: webhook mode never starts without a well-formed secret token."""
    secret = settings.telegram_webhook_secret
    if not secret:
        raise ConfigError(
            "Telegram webhook mode needs TELEGRAM_WEBHOOK_SECRET (1-256 of A-Z a-z 0-9 _ -)"
        )
    if not _SECRET_FORMAT.match(secret):
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET may only hold 1-256 characters of A-Z, a-z, 0-9, _ and -"
        )
    return secret


def setup_webhook(app: web.Application) -> None:
    """Add the Telegram webhook route and the PTB lifecycle to the bot's aiohttp app."""
    settings = app[appkeys.SETTINGS]
    require_secret(settings)
    if not settings.telegram_webhook_url.rstrip("/").endswith(WEBHOOK_PATH):
        log.warning(
            "TELEGRAM_WEBHOOK_URL does not end in %s; make sure your proxy maps it", WEBHOOK_PATH
        )
    app[CHANNEL_KEY] = TelegramChannel(
        settings, app[appkeys.CONVERSATION], app[appkeys.STATE], webhook=True
    )
    app.router.add_post(WEBHOOK_PATH, telegram_webhook)
    app.cleanup_ctx.append(_telegram_lifecycle)


async def _telegram_lifecycle(app: web.Application) -> AsyncIterator[None]:
    channel = app[CHANNEL_KEY]
    settings = channel.settings
    try:
        await channel.start()
        await channel.application.bot.set_webhook(
            settings.telegram_webhook_url,
            secret_token=settings.telegram_webhook_secret,
            allowed_updates=list(ALLOWED_UPDATES),
        )
        yield
    finally:
        await channel.stop()


async def telegram_webhook(request: web.Request) -> web.Response:
    """Check the secret, parse, queue, answer 200. Processing never happens inside the request:
    Telegram resends an update it waited too long for, and the user gets two answers."""
    channel = request.app[CHANNEL_KEY]
    given = request.headers.get(SECRET_HEADER)
    if given is None:
        return web.json_response({"error": "missing secret token"}, status=401)
    expected = channel.settings.telegram_webhook_secret
    # A header that is not UTF-8 arrives with surrogate escapes: compare its bytes as sent.
    if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8")):
        return web.json_response({"error": "wrong secret token"}, status=403)
    raw = await request.read()
    data = _parse_body(raw)
    if data is None:
        return web.json_response({"error": "not a Telegram update"}, status=400)
    try:
        update = Update.de_json(data, channel.application.bot)
    except Exception as exc:
        # Authentic but unreadable for this PTB version (the Bot API grew a field PTB now
        # requires): acknowledge and drop it. A 4xx would make Telegram redeliver it again and
        # again and hold back the updates queued behind it.
        log.warning("unreadable telegram update ignored: %s", type(exc).__name__)
        return web.Response(status=200)
    # PTB's update fetcher (started with the Application) takes it from here in its own
    # tracked task, so the 200 goes out now; Application.stop() drains the queue on shutdown.
    channel.application.update_queue.put_nowait(update)
    return web.Response(status=200)


def _parse_body(raw: bytes) -> dict[str, Any] | None:
    """The update as a JSON object with an integer update_id, or None for anything else."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: nesting deeper than the parser's stack (never a real update).
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    return data
