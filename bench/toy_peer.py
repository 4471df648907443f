"""The toy peer: the simplest WhatsApp FAQ bot one could write with the same tools, to race.

    python bench/toy_peer.py PORT APP_SECRET KNOWLEDGE_DB GRAPH_URL ACCESS_TOKEN

A bare aiohttp app that checks the webhook's signature, parses it, picks the closest example of
the knowledge database with rapidfuzz (token_set_ratio over every example, as our engine's
fuzzy step does), sends a text reply to the Graph API and only then answers 200. No durability:
nothing is stored, a crash loses what is in flight, a redelivery is answered twice; no
conversation, entities, figures or rate limits. Its replies carry the same
biz_opaque_callback_data marker as the bot's ("<wamid>#1/1"), so the fake Graph API counts them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import sys
from typing import Any

import aiohttp
from aiohttp import web
from rapidfuzz import fuzz, process, utils

PREFIX = "sha256="
GRAPH = web.AppKey("graph", aiohttp.ClientSession)


def read_examples(knowledge_db: str) -> tuple[list[str], list[str]]:
    conn = sqlite3.connect(f"file:{knowledge_db}?mode=ro", uri=True)
    rows = conn.execute("SELECT text, intent FROM examples").fetchall()
    conn.close()
    return [utils.default_process(t) for t, _ in rows], [i for _, i in rows]


def make_app(secret: str, knowledge_db: str, graph_url: str, token: str) -> web.Application:
    examples, intents = read_examples(knowledge_db)
    key = secret.encode()
    headers = {"Authorization": f"Bearer {token}"}

    def best_intent(text: str) -> str:
        found = process.extractOne(
            utils.default_process(text), examples, scorer=fuzz.token_set_ratio, processor=None
        )
        return intents[found[2]] if found and found[1] >= 50 else "fallback"

    async def reply(session: aiohttp.ClientSession, message: dict[str, Any]) -> None:
        intent = best_intent(message.get("text", {}).get("body", ""))
        body = {
            "messaging_product": "whatsapp",
            "to": message["from"],
            "type": "text",
            "text": {"body": f"Jawaban untuk {intent}."},
            "biz_opaque_callback_data": f"{message['id']}#1/1",
        }
        async with session.post(graph_url, json=body, headers=headers) as response:
            await response.read()

    async def receive(request: web.Request) -> web.Response:
        raw = await request.read()
        header = request.headers.get("X-Hub-Signature-256", "")
        expected = PREFIX + hmac.new(key, raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, header):
            return web.Response(status=403, text="Invalid signature")
        data = json.loads(raw)
        for entry in data.get("entry", []):
            for change in entry.get("changes", []):
                for message in change.get("value", {}).get("messages", []):
                    await reply(request.app[GRAPH], message)
        return web.Response(text="OK")

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def graph_session(app: web.Application) -> Any:
        async with aiohttp.ClientSession() as session:
            app[GRAPH] = session
            yield

    app = web.Application(client_max_size=3 * 1024 * 1024)
    app.router.add_post("/webhook/whatsapp", receive)
    app.router.add_get("/healthz", healthz)
    app.cleanup_ctx.append(graph_session)
    return app


def main() -> None:
    port, secret, knowledge_db, graph_url, token = sys.argv[1:6]
    app = make_app(secret, knowledge_db, graph_url, token)
    web.run_app(app, host="127.0.0.1", port=int(port), print=None, access_log=None)


if __name__ == "__main__":
    main()
