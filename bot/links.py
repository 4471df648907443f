"""Links back to the bot, for the forwardable ("Bagikan") text of an answer.

On Telegram a deep link `https://t.me/<bot>?start=<intent>` opens the bot and sends
`/start <intent>`, which answers that intent. WhatsApp has no payload: `https://wa.me/<number>`
opens a chat with the bot's number, and `?text=` fills in the answer's title, which the bot
answers as that intent (an exact title opens its answer, see `Conversation`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

# Telegram's start parameter: 1-64 characters of A-Z, a-z, 0-9, _ and -.
START_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def telegram_link(username: str, intent: str) -> str | None:
    if not username or not START_PARAMETER.match(intent):
        return None
    return f"https://t.me/{username}?start={intent}"


def whatsapp_link(number: str, title: str) -> str | None:
    if not number.isdigit():
        return None
    return f"https://wa.me/{number}" + (f"?text={quote(title)}" if title else "")


@dataclass
class ShareLinks:
    """What the links need: the Telegram bot's username (known once getMe answered) and the
    bot's public WhatsApp number (WHATSAPP_NUMBER)."""

    telegram_username: str = ""
    whatsapp_number: str = ""

    def line(self, channel: str, intent: str, title: str) -> str | None:
        """The last line of a forwardable text on this channel, or None without a link."""
        # Imported here: only a turn that answers reaches this line, and the acknowledging
        # server, which imports this module through the conversation, imports no handlers.
        from handlers.words import ask_directly

        if channel == "telegram":
            link = telegram_link(self.telegram_username, intent)
            return ask_directly("Telegram", link) if link else None
        if channel == "whatsapp":
            link = whatsapp_link(self.whatsapp_number, title)
            return ask_directly("WhatsApp", link) if link else None
        return None
