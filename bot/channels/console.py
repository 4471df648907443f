"""The console channel: lines typed at a terminal (or piped in) through the same conversation
service as Telegram and WhatsApp, so its questions reach the curators' report too; the reply
as plain text with numbered options."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from bot.channels.text import body, numbered_options
from bot.privacy import user_key
from core.reply import Reply

if TYPE_CHECKING:  # `ask` renders with this module and needs no conversation service
    from bot.conversation import Conversation

CHANNEL = "console"
# Typed alone, these end the chat (as Ctrl-D does).
QUIT_WORDS = frozenset({"keluar", "exit", "quit"})


def render(reply: Reply) -> str:
    options = numbered_options(reply.options)
    return body(reply) + ("\n\n" + options if options else "")


def chat(
    conversation: Conversation,
    salt: str,
    stdin: TextIO,
    stdout: TextIO,
    *,
    resume: bool = False,
) -> None:
    """Answer each line until the end of input or a quit word. Each run starts a fresh
    conversation unless `resume`: a piped script must not pick up the options of the previous
    run. At a terminal the bot greets first and shows a prompt."""
    from handlers.notices import CONSOLE_HINT

    key = user_key(CHANNEL, "local", salt)
    if not resume:
        conversation.start_over(key)
    interactive = stdin.isatty()
    if interactive:
        greeting = conversation.greet(CHANNEL, key)
        if greeting is not None:
            print(render(greeting), file=stdout)
        print(f"\n{CONSOLE_HINT}\n", file=stdout)
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        text = line.strip()
        if text.lower() in QUIT_WORDS:
            break
        reply = conversation.handle(CHANNEL, key, text=text)
        if reply is not None:
            print(render(reply) + "\n", file=stdout, flush=True)
