"""What the Telegram channel needs at the door, where updates are stored and not answered: the
channel's name, which updates it asks for, whose chat an update is, the keys and the seal of
what is stored, and a bare Bot API client for setWebhook, deleteWebhook and getUpdates.

The acknowledging server (`serve`) imports only this side of the channel: the adapter, the
renderer and their words are imported where replies are sent (the worker process).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import ExtBot

from bot.config import Settings
from bot.privacy import user_key
from bot.sealing import Sealer, sealer_for

CHANNEL = "telegram"
# Only what the bot acts on; anything else Telegram still sends is ignored by the handlers.
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")


def chat_of(update: dict[str, Any]) -> int | None:
    """The chat a raw update belongs to (the unit of ordering), or None when there is none."""
    for kind in ("message", "my_chat_member"):
        body = update.get(kind)
        if isinstance(body, dict):
            chat = body.get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                return int(chat["id"])
    query = update.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message")
        if isinstance(message, dict):
            chat = message.get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                return int(chat["id"])
    return None


def file_url(api_url: str) -> str:
    """The file endpoint next to the Bot API endpoint (…/bot → …/file/bot), as on Telegram."""
    head, sep, tail = api_url.rpartition("/bot")
    return f"{head}/file/bot{tail}" if sep else api_url


def bare_bot(settings: Settings) -> ExtBot[None]:
    """A Bot API client without handlers, for a process that stores updates and sends nothing."""
    return ExtBot(
        settings.telegram_token,
        base_url=settings.telegram_api_url,
        base_file_url=file_url(settings.telegram_api_url),
    )


@dataclass
class TelegramDoor:
    """How an update is stored: its user's key and its sealed payload, both made with the
    runtime's salt."""

    settings: Settings
    salt: str
    sealer: Sealer = field(init=False)

    def __post_init__(self) -> None:
        # The inbox payloads (the raw update, the chat to reply to) are stored sealed with it.
        self.sealer = sealer_for(self.salt)

    def key(self, raw_id: int | str) -> str:
        return user_key(CHANNEL, str(raw_id), self.salt)
