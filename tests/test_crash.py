"""kill -9 in the middle of a burst, then a restart: no acknowledged message is lost and none is
answered twice. A real `python -m bot serve` process (and its worker process) on loopback,
against the fake Graph API in this test's event loop.

The Graph API holds the sends that arrive before the crash without processing them, as a
network that never delivered them would; a send Meta had already accepted in the instant
before a crash is the one case where a repeat is possible (see the README)."""

from __future__ import annotations

import asyncio
import secrets

import aiohttp

from bot.config import Settings
from tests.fakes.graph_api import FakeGraphAPI, signed, text_webhook
from tests.processes import BotProcess, children, free_port, whatsapp_env

# Other test modules import these from here.
__all__ = ["children", "free_port"]

MESSAGES = 40


async def test_kill_9_mid_burst_then_restart_loses_nothing_and_repeats_nothing(
    settings: Settings, graph: FakeGraphAPI, graph_url: str
) -> None:
    api_url = graph_url
    app_secret = secrets.token_hex(16)
    env = whatsapp_env(
        settings.data_dir,
        graph.access_token,
        graph.phone_number_id,
        api_url,
        app_secret,
        BOT_SECRET_SALT="crash-test-salt",
        BOT_RATE_LIMIT="1000",
    )
    # Every send is held until the crash: the worker is in the middle of answering.
    graph.hold_next(10 * MESSAGES, only="send")
    wamids = {f"wamid.crash.{i}" for i in range(MESSAGES)}
    async with aiohttp.ClientSession() as session:
        first = BotProcess(env)
        await first.start(session)
        try:

            async def deliver(i: int) -> int:
                raw, headers = signed(
                    text_webhook(f"62811000{i % 8:04d}", f"wamid.crash.{i}", f"apa itu jht {i}"),
                    app_secret,
                )
                async with session.post(
                    f"{first.url}/webhook/whatsapp", data=raw, headers=headers
                ) as response:
                    return response.status

            statuses = await asyncio.gather(*(deliver(i) for i in range(MESSAGES)))
            assert statuses == [200] * MESSAGES  # every message acknowledged
            await graph.wait_for(lambda: len(graph.sends) >= 1, limit_s=30)
            first.kill_9()
            assert first.proc is not None
            await first.proc.wait()
        finally:
            await first.stop()

        graph.clear_plans()
        second = BotProcess(env)
        await second.start(session)
        try:
            await graph.wait_for(
                lambda: {m.partition("#")[0] for m in graph.markers()} >= wamids, limit_s=60
            )
        finally:
            await second.stop()

    counts = graph.markers()
    answered = {marker.partition("#")[0] for marker in counts}
    assert answered == wamids  # none lost
    assert all(n == 1 for n in counts.values()), {m: n for m, n in counts.items() if n != 1}
