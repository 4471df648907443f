"""The WhatsApp channel (Cloud API), one concept a module:

- `routes`: the webhook (verify, check the signature, store in the inbox, acknowledge) and the
  worker's lifecycle in the app; what the composition root (bot.app) wires.
- `responder`: the worker's knobs, the Graph client and inbox worker while they run
  (`answering`), and one stored message answered: read receipt, one call of the conversation
  service, the sends.
- `parse`: lenient parsing of Meta's webhook payloads and the signature check; `send`: a Reply
  as WhatsApp messages (buttons, lists, text) and the Graph API client.

This package's names are the channel's face to the rest of the bot.
"""

from bot.channels.whatsapp.responder import CHANNEL, WhatsAppOptions, answering
from bot.channels.whatsapp.routes import OPTIONS, RUNTIME, WEBHOOK_PATH, setup

__all__ = [
    "CHANNEL",
    "OPTIONS",
    "RUNTIME",
    "WEBHOOK_PATH",
    "WhatsAppOptions",
    "answering",
    "setup",
]
