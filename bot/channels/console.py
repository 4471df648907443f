"""The console channel: the reply as plain text with numbered options."""

from __future__ import annotations

from bot.channels.text import body, numbered_options
from core.reply import Reply


def render(reply: Reply) -> str:
    options = numbered_options(reply.options)
    return body(reply) + ("\n\n" + options if options else "")
