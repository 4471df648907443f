"""The acknowledging server is lean: in webhook mode (its worker in a process of its own, no
curators' desk) it never imports the engine, the handlers, rapidfuzz or sqlite_utils, and never
reads the knowledge database, even after acknowledging messages and button presses; nor the
channels' adapters and renderers, whose words come from the handlers.

A fresh interpreter runs the app `serve` runs (`acknowledging_app`), with both webhooks, against
the fake Bot API, takes one WhatsApp message and two Telegram updates, and reports what it
imported. A fresh interpreter, because this test process has long imported everything."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.processes import ROOT, clean_env, free_port

HEAVY = (
    "bot.engine",
    "bot.runtime",
    "handlers",
    "knowledge",
    "rapidfuzz",
    "sqlite_utils",
    # The answering side of the channels: imported where replies are sent (the worker process).
    "bot.channels.text",
    "bot.channels.telegram.adapter",
    "bot.channels.telegram.render",
    "bot.channels.whatsapp.responder",
    "bot.channels.whatsapp.send",
)

_SERVER = """
import asyncio, json, os, sys

import aiohttp
from aiohttp import web

from bot.config import load_settings
from bot.server import acknowledging_app
from tests.fakes.graph_api import signed, text_webhook
from tests.fakes.telegram_api import TOKEN, callback_update, serve_fake, text_update


async def main():
    async with serve_fake() as api:
        os.environ["TELEGRAM_BOT_TOKEN"] = TOKEN
        os.environ["TELEGRAM_API_URL"] = api.api_url
        settings = load_settings()
        runner = web.AppRunner(acknowledging_app(settings), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        statuses = []
        async with aiohttp.ClientSession() as http:
            raw, headers = signed(
                text_webhook("6281100000001", "wamid.lean.1", "apa itu jht"),
                settings.whatsapp_app_secret,
            )
            async with http.post(f"{url}/webhook/whatsapp", data=raw, headers=headers) as r:
                statuses.append(r.status)
            secret = {"X-Telegram-Bot-Api-Secret-Token": settings.telegram_webhook_secret}
            for update in (text_update(4242, "apa itu jkm"), callback_update(4242, "jht_apa")):
                async with http.post(
                    f"{url}/webhook/telegram", json=update, headers=secret
                ) as r:
                    statuses.append(r.status)
        await runner.cleanup()
    heavy = json.loads(sys.argv[1])
    loaded = sorted(m for m in sys.modules if m in heavy or m.split(".")[0] in heavy)
    print(json.dumps({"statuses": statuses, "loaded": loaded}))


asyncio.run(main())
"""


def _run(args: list[str], **settings: str) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter with the WhatsApp webhook configured, plus `settings`."""
    env = clean_env(
        BOT_SECRET_SALT="lean-test-salt",
        WHATSAPP_VERIFY_TOKEN="verify",
        WHATSAPP_APP_SECRET="lean-app-secret",
        WHATSAPP_ACCESS_TOKEN="lean-access-token",
        WHATSAPP_PHONE_NUMBER_ID="1234567890",
        **settings,
    )
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_webhook_server_acknowledges_without_the_engine(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"  # empty: no knowledge database built beforehand
    done = _run(
        ["-c", _SERVER, json.dumps(HEAVY)],
        BOT_DATA_DIR=str(data_dir),
        TELEGRAM_WEBHOOK_URL="https://bot.example.org/webhook/telegram",
        TELEGRAM_WEBHOOK_SECRET="lean-Secret_1",
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["statuses"] == [200, 200, 200]  # all three stored and acknowledged
    assert report["loaded"] == []
    assert not (data_dir / "knowledge.db").exists()  # never built, never read


def test_serve_stops_with_the_workers_error_when_the_knowledge_cannot_load(
    tmp_path: Path,
) -> None:
    # No database yet and sources with an error: the worker cannot start, so neither does serve.
    sources = tmp_path / "knowledge"
    shutil.copytree(
        ROOT / "knowledge", sources, ignore=shutil.ignore_patterns("*.db", "__pycache__")
    )
    first = sorted((sources / "intents").glob("*.toml"))[0]
    first.write_text(first.read_text(encoding="utf-8") + '\n[[intent]]\nid = "tanpa_isi"\n')
    done = _run(
        ["-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(free_port())],
        BOT_DATA_DIR=str(tmp_path / "data"),
        BOT_KNOWLEDGE_DIR=str(sources),
    )
    assert done.returncode == 2, done.stderr
    assert "tanpa_isi" in done.stderr and "cannot start" in done.stderr


_WHATSAPP_ONLY = """
import json, sys

from bot.config import load_settings
from bot.server import acknowledging_app
import bot.worker, bot.channels.whatsapp, bot.runtime

acknowledging_app(load_settings())
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("telegram", "httpx"))))
"""


def test_a_whatsapp_only_server_and_worker_never_import_python_telegram_bot(
    tmp_path: Path,
) -> None:
    # About 12 MB in each process that a bot without Telegram does not need.
    done = _run(["-c", _WHATSAPP_ONLY], BOT_DATA_DIR=str(tmp_path / "data"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
