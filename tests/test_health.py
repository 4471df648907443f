"""GET /healthz and GET /metrics: the real server app, worker and state database, the fake
Graph API and Bot API over loopback. The checks must fail when what they watch is broken."""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Runtime, make_app
from bot.channels import whatsapp
from bot.channels.whatsapp import OPTIONS, WhatsAppOptions
from bot.config import Settings
from bot.conversation import Conversation
from bot.engine import Engine
from bot.health import WHATSAPP_WORKER, assess
from bot.polling import serve_polling
from bot.state import SqliteState
from tests.fakes.graph_api import FakeGraphAPI, signed, text_webhook
from tests.fakes.telegram_api import TOKEN, serve_fake
from tests.test_crash import free_port
from tests.whatsapp_support import Client, ask_and_wait

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def served(
    wa_settings: Settings,
    engine: Engine,
    aiohttp_client: Callable[..., Awaitable[Client]],
) -> AsyncIterator[tuple[web.Application, Client]]:
    state = SqliteState(wa_settings.state_db)
    app = make_app(
        wa_settings, Runtime(wa_settings, conversation=Conversation(engine, state, wa_settings))
    )
    app[OPTIONS] = WhatsAppOptions(jitter=lambda: 0.5)
    client = await aiohttp_client(app)
    yield app, client
    await client.close()
    state.close()


async def health(client: Client) -> tuple[int, dict[str, Any]]:
    async with client.get("/healthz") as response:
        return response.status, await response.json()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text exposition, keyed by name and labels."""
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def scrape(client: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with client.get("/metrics") as response:
        assert response.status == 200
        assert response.content_type == "text/plain"
        return samples(await response.text())


WA = (("channel", "whatsapp"),)


# -- /healthz ------------------------------------------------------------------------------------


async def test_healthz_is_200_with_a_working_worker_and_says_what_it_checked(
    served: tuple[web.Application, Client],
) -> None:
    app, client = served
    await ask_and_wait(app, client, "apa itu jht")
    status, body = await health(client)
    assert status == 200, body
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"][WHATSAPP_WORKER]["ok"] is True
    assert body["checks"]["backlog"] == {"ok": True, "pending": 0, "oldest_age_s": None}


async def test_healthz_is_503_when_the_worker_is_stopped(
    served: tuple[web.Application, Client],
) -> None:
    app, client = served
    await ask_and_wait(app, client, "apa itu jht")
    worker = app[whatsapp.RUNTIME].worker
    assert worker is not None
    await worker.stop()
    status, body = await health(client)
    assert status == 503
    assert body["status"] == "fail"
    assert body["checks"][WHATSAPP_WORKER]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


async def test_healthz_is_503_while_the_database_is_locked_and_200_again_after(
    served: tuple[web.Application, Client], wa_settings: Settings
) -> None:
    app, client = served
    await ask_and_wait(app, client, "apa itu jht")
    holder = sqlite3.connect(wa_settings.state_db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        status, body = await health(client)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert status == 503
    assert body["checks"]["database"] == {"ok": False, "error": "locked"}
    status, _ = await health(client)
    assert status == 200


def test_a_stale_heartbeat_and_an_old_backlog_each_fail_the_check(wa_settings: Settings) -> None:
    state = SqliteState(wa_settings.state_db)
    try:
        now = time.time()
        state.beat(WHATSAPP_WORKER, now - 5)
        assert assess(state, wa_settings, now).ok
        late = now + wa_settings.health_heartbeat_s
        report = assess(state, wa_settings, late)
        assert not report.ok
        assert report.checks[WHATSAPP_WORKER]["ok"] is False
        assert report.checks["backlog"]["ok"] is True
        # A message waiting longer than BOT_HEALTH_PENDING_AGE_S: answers are not going out.
        state.enqueue("whatsapp", "wamid.old", "wh_x", {"text": "halo"}, now - 10)
        state.beat(WHATSAPP_WORKER, now)
        later = now + wa_settings.health_pending_age_s
        state.beat(WHATSAPP_WORKER, later)
        report = assess(state, wa_settings, later)
        assert report.checks["backlog"]["ok"] is False
        assert report.checks["backlog"]["pending"] == 1
        assert report.checks["backlog"]["oldest_age_s"] >= wa_settings.health_pending_age_s
        assert not report.ok
    finally:
        state.close()


async def test_polling_mode_serves_the_same_healthz(settings: Settings, unused_port: int) -> None:
    async with serve_fake() as fake:
        polling = replace(
            settings,
            telegram_token=TOKEN,
            telegram_api_url=fake.api_url,
            host="127.0.0.1",
            port=unused_port,
        )
        stop = asyncio.Event()
        poller = asyncio.create_task(serve_polling(polling, stop))
        try:
            async with aiohttp.ClientSession() as session:
                body = await until_healthy(session, f"http://127.0.0.1:{unused_port}", poller)
                async with session.get(f"http://127.0.0.1:{unused_port}/metrics") as response:
                    assert response.status == 200
        finally:
            stop.set()
            await poller
    assert body["checks"]["telegram-poller"]["ok"] is True
    assert body["checks"]["database"]["ok"] is True


async def until_healthy(
    session: aiohttp.ClientSession, url: str, task: asyncio.Task[Any] | None = None
) -> dict[str, Any]:
    """Poll /healthz until it is 200: waiting for a start-up, not timing anything."""
    for _ in range(600):
        assert task is None or not task.done(), "the bot stopped during start-up"
        try:
            async with session.get(f"{url}/healthz") as response:
                if response.status == 200:
                    body: dict[str, Any] = await response.json()
                    return body
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("/healthz never turned 200")


@pytest.fixture
def unused_port() -> int:
    return free_port()


# -- /metrics ------------------------------------------------------------------------------------


async def test_metrics_count_an_answer_and_a_fallback(
    served: tuple[web.Application, Client],
) -> None:
    app, client = served
    before = await scrape(client)
    await ask_and_wait(app, client, "apa itu jht")
    await ask_and_wait(app, client, "qzxvbnm plkjh wrtyq", sender="6281300000002")
    after = await scrape(client)

    def grew(name: str, labels: tuple[tuple[str, str], ...] = WA) -> float:
        return after.get((name, labels), 0.0) - before.get((name, labels), 0.0)

    assert grew("tanya_jamsos_answers_total") == 1
    assert grew("tanya_jamsos_fallbacks_total") == 1
    assert grew("tanya_jamsos_questions_total") == 2
    assert grew("tanya_jamsos_answer_seconds_count") == 2
    assert grew("tanya_jamsos_send_seconds_count") >= 2
    assert grew("tanya_jamsos_webhook_seconds_count", (*WA, ("status", "200"))) == 2
    assert after[("tanya_jamsos_inbox_backlog", ())] == 0


async def test_metrics_count_send_errors_by_code(
    served: tuple[web.Application, Client], graph: FakeGraphAPI
) -> None:
    app, client = served
    before = await scrape(client)
    graph.reject_next(1, code=131047)
    await ask_and_wait(app, client, "apa itu jht")
    after = await scrape(client)
    key = ("tanya_jamsos_send_errors_total", (("channel", "whatsapp"), ("code", "131047")))
    assert after[key] - before.get(key, 0.0) == 1


async def test_one_scrape_sums_the_server_and_its_worker_process(
    settings: Settings, graph: FakeGraphAPI, aiohttp_server: Callable[..., Awaitable[TestServer]],
    unused_port: int,
) -> None:  # fmt: skip
    """A real `serve`: the worker process answers, the server acknowledges; /metrics has both."""
    server = await aiohttp_server(graph.app())
    app_secret = secrets.token_hex(16)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "WHATSAPP_"))},
        "BOT_DATA_DIR": str(settings.data_dir),
        "BOT_TODAY": "2026-11-21",
        "BOT_SECRET_SALT": "metrics-test-salt",
        "WHATSAPP_VERIFY_TOKEN": "verify",
        "WHATSAPP_APP_SECRET": app_secret,
        "WHATSAPP_ACCESS_TOKEN": graph.access_token,
        "WHATSAPP_PHONE_NUMBER_ID": graph.phone_number_id,
        "WHATSAPP_API_URL": str(server.make_url("")),  # the root: the version is added
    }  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(unused_port),
        cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{unused_port}"
    try:
        async with aiohttp.ClientSession() as session:
            await until_healthy(session, url)
            for i, text in enumerate(["apa itu jht", "qzxvbnm plkjh wrtyq"]):
                raw, headers = signed(
                    text_webhook(f"62813000{i:05d}", f"wamid.p.{i}", text), app_secret
                )
                async with session.post(
                    f"{url}/webhook/whatsapp", data=raw, headers=headers
                ) as response:
                    assert response.status == 200
            answered = {"wamid.p.0", "wamid.p.1"}
            await graph.wait_for(
                lambda: {m.partition("#")[0] for m in graph.markers()} >= answered, limit_s=30
            )
            async with session.get(f"{url}/metrics") as response:
                found = samples(await response.text())
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 20)
    # Counted in the worker process:
    assert found[("tanya_jamsos_answers_total", WA)] == 1
    assert found[("tanya_jamsos_fallbacks_total", WA)] == 1
    # Counted in the server process:
    assert found[("tanya_jamsos_webhook_seconds_count", (*WA, ("status", "200")))] == 2
