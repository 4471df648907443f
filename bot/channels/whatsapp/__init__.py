"""The WhatsApp channel (Cloud API), one concept a module:

- `routes`: the webhook (verify, check the signature, store in the inbox, acknowledge) and the
  worker's lifecycle in the app; what the composition root (bot.app) wires.
- `options`: the channel's name and the worker's knobs, shared by both sides.
- `responder`: the Graph client and inbox worker while they run (`answering`), and one stored
  message answered: read receipt, one call of the conversation service, the sends. Imported
  only where replies are sent (the worker), with `send`, the renderer.
- `parse`: lenient parsing of Meta's webhook payloads and the signature check; `send`: a Reply
  as WhatsApp messages (buttons, lists, text) and the Graph API client.

This package's names are the channel's face to the rest of the bot.
"""

from bot.channels.whatsapp.options import CHANNEL, WhatsAppOptions
from bot.channels.whatsapp.routes import OPTIONS, RUNTIME, WEBHOOK_PATH, setup

__all__ = [
    "CHANNEL",
    "OPTIONS",
    "RUNTIME",
    "WEBHOOK_PATH",
    "WhatsAppOptions",
    "setup",
]
