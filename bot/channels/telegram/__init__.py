"""The Telegram channel, one concept a module:

- `door`: what storing an update needs (its chat, its key, its seal, a bare Bot API client):
  all the acknowledging server imports of the channel, with `routes` and `logs`.
- `routes`: how updates come in (the webhook route, long polling into the inbox) and the inbox
  worker that answers them; what the composition root (bot.app) wires.
- `adapter`: `TelegramChannel`, PTB's handlers translating an update into one call of the
  conversation service, and the inbox Responder.
- `render`: a Reply as HTML messages and an inline keyboard; `send`: the Bot API sender
  (retries, 429, blocked users); `logs`: logs that never show the token; `failures`: what a
  start-up failure tells the operator.

This package's names are the channel's face to the rest of the bot; they leave out the adapter
and the renderer, which are imported where replies are sent.
"""

from bot.channels.telegram.door import CHANNEL
from bot.channels.telegram.logs import protect_logs
from bot.channels.telegram.routes import (
    DOOR_KEY,
    INBOX_OPTIONS,
    RUN_WORKER,
    WEBHOOK_PATH,
    WORKER_KEY,
    answering,
    polling,
    setup_polling,
    setup_webhook,
)

__all__ = [
    "CHANNEL",
    "DOOR_KEY",
    "INBOX_OPTIONS",
    "RUN_WORKER",
    "WEBHOOK_PATH",
    "WORKER_KEY",
    "answering",
    "polling",
    "protect_logs",
    "setup_polling",
    "setup_webhook",
]
