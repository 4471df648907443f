"""A Reply as Telegram messages: HTML text within 4096 characters and an inline keyboard.

Pure functions and one small lookup table, no I/O: the adapter (`adapter.py`) sends what
`render` returns. The text is exactly `body(reply)` from `bot.channels.text` (escaped for HTML
parse mode), so Telegram and the console say the same words.
"""

from __future__ import annotations

import hashlib
import html
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.channels.text import body, split_message
from core.reply import Option, Reply
from handlers.words import CHOOSE_TEXT

MAX_TEXT = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096
MAX_CALLBACK_BYTES = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)  # 64
# Intent ids are snake_case words, so a leading "~" can never be mistaken for a plain option id.
HASH_PREFIX = "~"


@dataclass(frozen=True)
class Outgoing:
    """One sendMessage call: `text` is already escaped for parse_mode=HTML."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def _token(option_id: str) -> str:
    digest = hashlib.sha256(option_id.encode("utf-8")).hexdigest()[:32]
    return HASH_PREFIX + digest


def fits(data: str) -> bool:
    return 0 < len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES


class CallbackCodec:
    """Option ids to callback data of at most 64 bytes, and back.

    Short ids (all of today's intent ids, also with ":region") travel as they are. A longer one
    travels as a stable hash token. The token is resolved from a bounded table of ids this
    process has rendered, and otherwise, for example after a restart, from `option_ids`: every
    option id the knowledge can produce (`Conversation.option_ids`), asked for only then."""

    def __init__(
        self, option_ids: Callable[[], Iterable[str]] | None = None, capacity: int = 10_000
    ) -> None:
        self._option_ids = option_ids
        self._capacity = capacity
        self._recent: OrderedDict[str, str] = OrderedDict()
        self._known: dict[str, str] | None = None

    def encode(self, option_id: str) -> str:
        if fits(option_id) and not option_id.startswith(HASH_PREFIX):
            return option_id
        token = _token(option_id)
        self._recent[token] = option_id
        self._recent.move_to_end(token)
        while len(self._recent) > self._capacity:
            self._recent.popitem(last=False)
        return token

    def decode(self, data: str) -> str | None:
        """The option id behind callback data; None when a token can no longer be resolved."""
        if not data.startswith(HASH_PREFIX):
            return data or None
        if data in self._recent:
            return self._recent[data]
        if self._known is None:
            ids = self._option_ids() if self._option_ids is not None else ()
            self._known = {_token(i): i for i in ids if not fits(i)}
        return self._known.get(data)


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str) -> list[str]:
    """Pieces of at most 4096 characters, split on paragraph boundaries, nothing cut.

    Python counts code points; Telegram may count UTF-16 units, in which an emoji counts twice.
    A piece that is too long in UTF-16 is split again at half the limit, which always fits."""
    pieces: list[str] = []
    for piece in split_message(text, MAX_TEXT):
        if _utf16_length(piece) > MAX_TEXT:
            pieces.extend(split_message(piece, MAX_TEXT // 2))
        else:
            pieces.append(piece)
    # Telegram refuses empty or blank messages; only whitespace is dropped here.
    return [piece for piece in pieces if piece.strip()]


def keyboard(options: tuple[Option, ...], codec: CallbackCodec) -> InlineKeyboardMarkup | None:
    if not options:
        return None
    # One button per row: titles are whole phrases and must stay readable on small screens.
    rows = [[InlineKeyboardButton(o.title, callback_data=codec.encode(o.id))] for o in options]
    return InlineKeyboardMarkup(rows)


def render(reply: Reply, codec: CallbackCodec) -> list[Outgoing]:
    """The messages for one reply; the keyboard goes under the last piece, next to the end."""
    pieces = split_text(body(reply)) or ([CHOOSE_TEXT] if reply.options else [])
    markup = keyboard(reply.options, codec)
    last = len(pieces) - 1
    return [
        Outgoing(html.escape(piece, quote=False), markup if i == last else None)
        for i, piece in enumerate(pieces)
    ]


def render_text(text: str) -> list[Outgoing]:
    """A fixed notice (not from the engine) as messages."""
    return [Outgoing(html.escape(piece, quote=False)) for piece in split_text(text)]
