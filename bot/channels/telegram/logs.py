"""Logs of the Telegram channel never hold the bot token, a chat id or a message text.

The token is part of every Bot API URL: httpx logs each request URL at INFO, PTB logs the URL
at DEBUG when a Bot is created (and every call's parameters, chat ids and texts included), and
PTB's InvalidToken message quotes the token. So: httpx and httpcore log warnings only, PTB logs
from INFO up, and a filter on the root handlers replaces the token wherever it still appears.
"""

from __future__ import annotations

import logging
import traceback

from telegram import Update


class RedactToken(logging.Filter):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = None
        return True


def protect_logs(token: str) -> None:
    """Idempotent; called before the first Bot object exists."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    ptb = logging.getLogger("telegram")
    if ptb.level < logging.INFO:  # NOTSET (0) too: PTB must not inherit a DEBUG root level
        ptb.setLevel(logging.INFO)
    if not token:
        return
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactToken) and f.token == token for f in handler.filters):
            handler.addFilter(RedactToken(token))


def update_kind(update: object) -> str:
    """Which part of an update is set (message, callback_query, ...): safe to log."""
    if isinstance(update, Update):
        for kind in Update.ALL_TYPES:
            if getattr(update, kind, None) is not None:
                return kind
        return "unknown"
    return type(update).__name__


def failure_site(error: BaseException | None) -> str:
    """File and line where an exception was raised: useful, and free of user data."""
    if error is None or error.__traceback__ is None:
        return "?"
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"
