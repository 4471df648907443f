"""The channel-neutral answer: text, options and sources.

This module imports nothing of ours so that handlers, the engine and every channel can share it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Option:
    """A choice offered to the user: a button on Telegram/WhatsApp, a numbered line elsewhere.

    `id` is what the engine gets back when the option is chosen (an intent id, optionally with an
    argument after a colon, e.g. ``coverage:kota-kupang``); it stays short because Telegram allows
    64 bytes of callback data. `title` is what the user sees.
    """

    id: str
    title: str


@dataclass(frozen=True)
class Reply:
    """What the bot says, whatever the channel.

    `figures` lists every amount, percentage or count the text states that came from a knowledge
    row or a calculation; tests use it to prove that no figure in a reply was made up.
    """

    text: str
    options: tuple[Option, ...] = ()
    sources: tuple[str, ...] = ()
    intent: str | None = None
    confidence: float = 0.0
    figures: frozenset[str] = field(default_factory=frozenset)
    # The forwardable short form of this answer, when one makes sense (agen Perisai "share").
    share_text: str | None = None
    # The rest of the answer (the working of a calculation, secondary details), one option
    # ("Rincian") away: `text` is the phone-sized first message.
    details: str = ""

    @property
    def understood(self) -> bool:
        return self.intent is not None


def reply_json(reply: Reply) -> str:
    """The reply as `ask --json` prints it; the curators' desk shows the same object."""
    return json.dumps(
        {
            "intent": reply.intent,
            "confidence": reply.confidence,
            "text": reply.text,
            "details": reply.details,
            "options": [{"id": o.id, "title": o.title} for o in reply.options],
            "sources": list(reply.sources),
        },
        ensure_ascii=False,
    )
