"""What is accepted at the door: text that can be stored and read, of a stated length.

Everything a user sends passes through `clean_text` before it is stored or answered: lone UTF-16
surrogates ("\\ud83d" from a broken emoji) cannot be encoded as UTF-8, so SQLite refuses them and
used to take the whole webhook down with a 500; they become U+FFFD. Text is capped at
MAX_TEXT_CHARS: the engine reads 1,000 characters, so storing more only costs disk.
"""

from __future__ import annotations

import json
import re
from typing import Any

# The engine reads this many characters of a message (bot.engine.MAX_INPUT_CHARS); a message is
# stored and answered from its first MAX_TEXT_CHARS characters.
MAX_TEXT_CHARS = 1000
# Ids, button payloads and other short fields.
MAX_FIELD_CHARS = 256
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def repair(text: str) -> str:
    """The text with every lone surrogate replaced by U+FFFD, so that it encodes as UTF-8."""
    if text.isascii():
        # Nothing to repair, known without reading it (a flag of the string): most fields of
        # every webhook (ids, numbers, kinds) and many texts.
        return text
    return _SURROGATE.sub("\ufffd", text)


def clean_text(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    return repair(text[:limit])


def repair_json(data: Any) -> Any:
    """Parsed JSON with every lone surrogate (in keys and values) replaced by U+FFFD: what a
    platform sends is stored as JSON, and a lone surrogate cannot be encoded to be stored."""
    text = json.dumps(data, ensure_ascii=False)
    if not _SURROGATE.search(text):
        return data
    return json.loads(repair(text))
