"""One small sender for every outgoing Telegram message, with bounded retries.

PTB's AIORateLimiter is a reference implementation (PTB #3772) and retries nothing by default,
so the bot owns its policy: a 429 is waited out for as long as Telegram asks (up to a bound), a
network failure or time-out is retried with exponential backoff and jitter, a 403 means the user
blocked the bot (recorded, never retried), and a group that became a supergroup is followed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import Bot, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.channels.backoff import RetryPolicy
from bot.channels.telegram.render import Outgoing
from bot.metrics import metrics

# Opt in to PTB's future `RetryAfter.retry_after` type (a timedelta, PTB v22.2+). Without it,
# PTB itself emits a deprecation warning whenever it builds a RetryAfter for a 429; with it, the
# exception is exactly the one a future PTB raises. `_seconds` below accepts both types.
os.environ.setdefault("PTB_TIMEDELTA", "1")

log = logging.getLogger(__name__)


# The Bot API's error as the HTTP status it came with, or the kind of failure (TimedOut before
# NetworkError, its base class).
_ERROR_CODES: tuple[tuple[type[TelegramError], str], ...] = (
    (RetryAfter, "429"),
    (Forbidden, "403"),
    (BadRequest, "400"),
    (ChatMigrated, "migrated"),
    (TimedOut, "timeout"),
    (NetworkError, "network"),
)


def _error_code(exc: TelegramError) -> str:
    return next((code for kind, code in _ERROR_CODES if isinstance(exc, kind)), type(exc).__name__)


def _seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Sender:
    """Sends rendered messages to one chat; `on_blocked(chat_id)` is told about a 403."""

    def __init__(
        self,
        bot: Bot,
        on_blocked: Callable[[int], None],
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.on_blocked = on_blocked
        self.policy = policy or RetryPolicy()
        self.sleep = sleep

    async def send_all(
        self, chat_id: int, messages: list[Outgoing], reply_to: int | None = None
    ) -> bool:
        """Send the pieces in order; False (and nothing more sent) once the chat is blocked."""
        for i, message in enumerate(messages):
            # Only the first piece quotes the question; the rest follow it directly.
            target = await self.send(chat_id, message, reply_to if i == 0 else None)
            if target is None:
                return False
            chat_id = target  # the group may have become a supergroup with a new id
        return True

    async def _timed(self, started: float, **params: Any) -> None:
        """One sendMessage, its time and any error counted by code (no content, no chat)."""
        try:
            await self.bot.send_message(**params)
        except TelegramError as exc:
            metrics().sent("telegram", time.perf_counter() - started, _error_code(exc))
            raise
        metrics().sent("telegram", time.perf_counter() - started)

    async def send(
        self, chat_id: int, message: Outgoing, reply_to: int | None = None
    ) -> int | None:
        """The chat id the message went to (it changes when a group migrated), or None when the
        bot may not write to this chat. Raises when the retries are used up."""
        policy = self.policy
        attempt = 0
        while True:
            attempt += 1
            sent_at = time.perf_counter()
            try:
                await self._timed(
                    sent_at,
                    chat_id=chat_id,
                    text=message.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=message.keyboard,
                    reply_parameters=(
                        ReplyParameters(reply_to, allow_sending_without_reply=True)
                        if reply_to is not None
                        else None
                    ),
                    # Previews of bpjsketenagakerjaan.go.id links cost data on cheap phones.
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
                return chat_id
            except Forbidden:
                self.on_blocked(chat_id)
                return None
            except RetryAfter as exc:
                delay = _seconds(exc)
                if attempt >= policy.max_attempts or delay > policy.max_retry_after_s:
                    raise
                log.warning("telegram flood control: waiting %.1f s (attempt %d)", delay, attempt)
            except ChatMigrated as exc:
                if attempt >= policy.max_attempts:
                    raise
                chat_id = exc.new_chat_id
                continue
            except BadRequest:
                # A malformed request fails the same way every time: do not retry it.
                raise
            except NetworkError as exc:  # includes TimedOut
                if attempt >= policy.max_attempts:
                    raise
                delay = policy.backoff(attempt)
                log.warning(
                    "telegram send failed (%s); retrying in %.1f s", type(exc).__name__, delay
                )
            await self.sleep(delay)
