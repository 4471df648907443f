"""Stalled clients and a locked database against the real server stack, over loopback.

    .venv/bin/python bench/hostile_http.py

1. 1,100 half-sent POSTs (headers or body cut short, then silence) held open, while /healthz is
   probed: its latencies, and how long until the server has sent every stalled client away.
2. The state database locked by another process for 12 s while WhatsApp webhooks keep coming:
   /healthz latencies (and what it says), the webhooks' statuses and latencies.
The server is the app `serve` runs (make_app, the guarded runner, the worker switched off so the
numbers are the server's); the WhatsApp Graph API is never called.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import logguard  # noqa: E402
from bot.app import Runtime, make_app  # noqa: E402
from bot.channels import whatsapp  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.conversation import Conversation  # noqa: E402
from bot.httpguard import GuardedRunner  # noqa: E402
from bot.runtime import load_engine  # noqa: E402
from bot.state import SqliteState  # noqa: E402
from tests.fakes.graph_api import signed, text_webhook  # noqa: E402

STALLED = 1_100
SECRET = "bench-secret"


async def probe(http: aiohttp.ClientSession, url: str) -> tuple[float, object]:
    started = time.perf_counter()
    async with asyncio.timeout(30), http.get(url + "/healthz") as response:
        body = await response.json()
    return (time.perf_counter() - started) * 1000, body


async def stalled_clients(host: str, port: int, url: str, http: aiohttp.ClientSession) -> None:
    streams = []
    for i in range(STALLED):
        reader, writer = await asyncio.open_connection(host, port)
        head = b"POST /webhook/whatsapp HTTP/1.1\r\nHost: x\r\n"
        writer.write(head + (b"Content-Le" if i % 2 else b"Content-Length: 500\r\n\r\n{"))
        streams.append((reader, writer))
    latencies = [(await probe(http, url))[0] for _ in range(10)]
    started = time.perf_counter()
    await asyncio.gather(*(reader.read() for reader, _ in streams))
    gone = time.perf_counter() - started
    for _, writer in streams:
        writer.close()
    print(
        f"{STALLED} half-sent POSTs held open: /healthz p50 {statistics.median(latencies):.1f} ms, "
        f"max {max(latencies):.1f} ms; every stalled client sent away {gone:.1f} s later"
    )


async def locked_database(state_db: Path, url: str, http: aiohttp.ClientSession) -> None:
    locker = sqlite3.connect(state_db, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    until = time.monotonic() + 12
    posts: list[tuple[int, float]] = []
    health: list[float] = []
    said = None

    async def post(n: int) -> None:
        raw, headers = signed(text_webhook("6281200000001", f"wamid.lock{n}", "halo"), SECRET)
        started = time.perf_counter()
        async with http.post(url + "/webhook/whatsapp", data=raw, headers=headers) as response:
            posts.append((response.status, (time.perf_counter() - started) * 1000))

    tasks = []
    n = 0
    while time.monotonic() < until:
        tasks.append(asyncio.create_task(post(n)))
        n += 1
        latency, said = await probe(http, url)
        health.append(latency)
        await asyncio.sleep(0.2)
    await asyncio.gather(*tasks)
    locker.execute("ROLLBACK")
    locker.close()
    statuses = sorted({s for s, _ in posts})
    print(
        f"database locked 12 s: /healthz answered {len(health)} of {len(health)} probes, "
        f"p50 {statistics.median(health):.1f} ms, max {max(health):.1f} ms, saying {said}; "
        f"{len(posts)} webhooks answered {statuses}, max {max(t for _, t in posts):.0f} ms"
    )


async def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logguard.install()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(
            load_settings({"BOT_DATA_DIR": folder, "BOT_SECRET_SALT": "bench"}, env_file=None),
            whatsapp_app_secret=SECRET,
            whatsapp_verify_token="v",  # noqa: S106 - a bench placeholder
            whatsapp_access_token="t",  # noqa: S106
            whatsapp_phone_number_id="1",
            whatsapp_api_url="http://127.0.0.1:9/v23.0",
        )
        state = SqliteState(settings.state_db)
        app = make_app(
            settings,
            Runtime(settings, conversation=Conversation(load_engine(settings), state, settings)),
        )
        app[whatsapp.OPTIONS] = whatsapp.WhatsAppOptions(run_worker=False)
        runner = GuardedRunner(app, settings.request_timeout_s, settings.max_connections)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        url = f"http://{host}:{port}"
        try:
            async with aiohttp.ClientSession() as http:
                await stalled_clients(host, port, url, http)
                await locked_database(settings.state_db, url, http)
        finally:
            await runner.cleanup()
            state.close()


if __name__ == "__main__":
    asyncio.run(main())
