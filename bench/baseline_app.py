"""The floor an acknowledgement costs: a bare aiohttp app that does what acknowledging a WhatsApp
webhook must do, and nothing else.

    python bench/baseline_app.py PORT APP_SECRET DATABASE

It checks the X-Hub-Signature-256 HMAC of the raw body, parses the JSON, takes each message's id,
sender and text, and inserts them into SQLite (WAL, synchronous=NORMAL: a committed row survives
a crash, as in the bot) before answering 200. The insert runs on the event loop, as the simplest
app would write it. `make bench` divides the bot server's CPU per acknowledgement by this app's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import sys
import time

from aiohttp import web

PREFIX = "sha256="
# No AUTOINCREMENT: the bot's inbox has none either (it costs every insert one more page).
SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    user_key TEXT NOT NULL,
    payload TEXT,
    received_at REAL NOT NULL
)
"""


def make_app(secret: str, database: str) -> web.Application:
    conn = sqlite3.connect(database, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(SCHEMA)
    key = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        raw = await request.read()
        header = request.headers.get("X-Hub-Signature-256", "")
        expected = PREFIX + hmac.new(key, raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, header):
            return web.Response(status=403, text="Invalid signature")
        data = json.loads(raw)
        rows = []
        for entry in data.get("entry", []):
            for change in entry.get("changes", []):
                for message in change.get("value", {}).get("messages", []):
                    sender = hashlib.sha256(message["from"].encode()).hexdigest()
                    text = message.get("text", {}).get("body", "")
                    rows.append((message["id"], sender, text, time.time()))
        conn.executemany(
            "INSERT OR IGNORE INTO inbox (message_id, user_key, payload, received_at) "
            "VALUES (?, ?, ?, ?)",
            rows,
        )
        return web.Response(text="OK")

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application(client_max_size=3 * 1024 * 1024)
    app.router.add_post("/webhook/whatsapp", receive)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    port, secret, database = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    web.run_app(
        make_app(secret, database), host="127.0.0.1", port=port, print=None, access_log=None
    )


if __name__ == "__main__":
    main()
