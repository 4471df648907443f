"""Reading and rewriting stored inbox payloads in tests: they are sealed (bot.sealing), so a
test opens them with the install's salt, as the inbox worker does."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from bot.sealing import sealer_for
from bot.state_protocols import InboxItem

# The salt of the `settings` fixture (tests/conftest.py).
TEST_SALT = "test-salt"


def opened(row: sqlite3.Row | InboxItem, salt: str = TEST_SALT) -> dict[str, Any]:
    """The payload of an inbox row (read with sqlite3.Row) or of a claimed item, opened."""
    if isinstance(row, InboxItem):
        return sealer_for(salt).open(row.channel, row.message_id, row.payload)
    stored = json.loads(row["payload"])
    return sealer_for(salt).open(row["channel"], row["message_id"], stored)


def reseal(
    db: sqlite3.Connection, row: sqlite3.Row, payload: dict[str, Any], salt: str = TEST_SALT
) -> None:
    """Replace a row's payload with `payload`, sealed as the bot would seal it."""
    sealed = sealer_for(salt).seal(row["channel"], row["message_id"], payload)
    db.execute("UPDATE inbox SET payload = ? WHERE id = ?", (json.dumps(sealed), row["id"]))
