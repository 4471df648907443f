"""The server under stalled clients: half-sent requests over loopback, a bounded number of
connections, request timeouts, rate-limited logging and the backlog alarm."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp import ClientSession, web

from bot.app import Runtime, make_app
from bot.backpressure import Backlog
from bot.config import Settings
from bot.conversation import Conversation
from bot.engine import Engine
from bot.httpguard import GuardedRunner
from bot.logguard import RepeatFilter
from bot.state import SqliteState

HALF_SENT = 300


async def _read_body(request: web.Request) -> web.Response:
    return web.Response(text=str(len(await request.read())))


@pytest.fixture
async def served(settings: Settings, engine: Engine) -> AsyncIterator[tuple[str, int]]:
    """The bot's app behind the guarded runner `serve` uses, on a loopback port."""
    limited = replace(settings, request_timeout_s=1.0, max_connections=50)
    state = SqliteState(limited.state_db)
    app = make_app(limited, Runtime(limited, conversation=Conversation(engine, state, limited)))
    app.router.add_post("/read", _read_body)  # a route that reads its body, as webhooks do
    runner = GuardedRunner(app, limited.request_timeout_s, limited.max_connections)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield "127.0.0.1", port
    finally:
        await runner.cleanup()
        state.close()


async def _half_sent(
    host: str, port: int, i: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(host, port)
    if i % 2:
        writer.write(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Le")  # headers cut short
    else:
        writer.write(b"POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")  # body
    await writer.drain()
    return reader, writer


async def test_half_sent_requests_neither_starve_healthz_nor_stay_open(
    served: tuple[str, int],
) -> None:
    host, port = served
    stalled = [await _half_sent(host, port, i) for i in range(HALF_SENT)]
    async with ClientSession() as http:
        for _ in range(5):
            async with asyncio.timeout(5), http.get(f"http://{host}:{port}/healthz") as response:
                assert response.status == 200
    # Every stalled client is sent away: evicted for newer connections, timed out (408) while
    # sending its body, or closed by the keep-alive timer while sending its headers.
    async with asyncio.timeout(30):
        endings = await asyncio.gather(*(reader.read() for reader, _ in stalled))
    odd = {e[:60] for e in endings if not (e == b"" or e.startswith(b"HTTP/1.1 408"))}
    assert not odd
    for _, writer in stalled:
        writer.close()


async def test_a_body_that_never_ends_gets_408(served: tuple[str, int]) -> None:
    host, port = served
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12")
    await writer.drain()
    async with asyncio.timeout(10):
        head = await reader.readline()
    writer.close()
    assert head.split()[1] == b"408"


def test_repeated_errors_are_logged_once_a_minute_with_a_count() -> None:
    now = [0.0]
    guard = RepeatFilter(every_s=60, burst=3, clock=lambda: now[0])
    passed = []
    for i in range(10_000):
        now[0] = i * 0.0025  # 10,000 accept failures in 25 s
        record = logging.LogRecord(
            "asyncio", logging.ERROR, "x", 1, "socket.accept() out of system resource", None, None
        )
        if guard.filter(record):
            passed.append(record)
    assert len(passed) == 3
    now[0] = 61.0
    record = logging.LogRecord(
        "asyncio", logging.ERROR, "x", 1, "socket.accept() out of system resource", None, None
    )
    assert guard.filter(record)
    assert "9997 similar message(s) held back" in record.getMessage()
    other = logging.LogRecord("bot", logging.ERROR, "x", 1, "something else", None, None)
    assert guard.filter(other)


def test_the_backlog_alarm_speaks_for_size_and_for_age(caplog: pytest.LogCaptureFixture) -> None:
    backlog = Backlog(alarm_size=100, alarm_age_s=300)
    assert backlog.judge(5, 1000.0, 1010.0) is None
    with caplog.at_level(logging.WARNING):
        assert "101 messages" in (backlog.judge(101, 1000.0, 1010.0) or "")
        assert "worker" in (backlog.judge(3, 1000.0, 1400.0) or "")
        backlog.judge(3, 1000.0, 1401.0)  # the same alarm a second later: not logged again
    assert len([r for r in caplog.records if "backlog" in r.getMessage()]) == 2
    assert backlog.judge(0, None, 1500.0) is None


async def test_healthz_and_the_log_say_when_the_backlog_is_too_old(
    settings: Settings,
    engine: Engine,
    aiohttp_client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bot.backpressure import BACKLOG

    state = SqliteState(settings.state_db)
    # A message that has waited an hour: the worker is down.
    state.enqueue("whatsapp", "m_old", "wh_x", {"kind": "text"}, time.time() - 3600)
    app = make_app(settings, Runtime(settings, conversation=Conversation(engine, state, settings)))
    with caplog.at_level(logging.WARNING, logger="bot.backpressure"):
        client = await aiohttp_client(app)
        async with asyncio.timeout(10):
            await app[BACKLOG].sampled.wait()
    async with client.get("/healthz") as response:
        assert response.status == 503
        body = await response.json()
    assert body["checks"]["backlog"]["ok"] is False
    assert "worker" in body["checks"]["backlog"]["error"]
    assert any("worker" in r.getMessage() for r in caplog.records)
    await client.close()
    state.close()
