"""The server wakes its worker process on every store: with the worker's poll set to an hour, a
real `python -m bot serve` (and its worker process) answers message after message at once,
which only a wake can do. Its first worker is forked from it (bot.prefork); one started again
after it died is a fresh `python -m bot work`, and is woken the same way. And the wake socket
itself: what a sender sends, the listener hears; a wake with no listener is dropped quietly."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
from pathlib import Path

import aiohttp

from bot import wakeup
from bot.config import Settings
from tests.fakes.graph_api import FakeGraphAPI, signed, text_webhook
from tests.processes import BotProcess, whatsapp_env


def _env(settings: Settings, graph: FakeGraphAPI, api_url: str, app_secret: str) -> dict[str, str]:
    return whatsapp_env(
        settings.data_dir,
        graph.access_token,
        graph.phone_number_id,
        api_url,
        app_secret,
        BOT_SECRET_SALT="wakeup-test-salt",
        # An hour: a message not woken for would wait far past this test's limits.
        BOT_WORKER_POLL_S="3600",
    )


async def _answered_one_by_one(
    session: aiohttp.ClientSession, bot: BotProcess, graph: FakeGraphAPI, secret: str, tag: str
) -> None:
    """Messages one after the other, each once the worker has answered the one before and gone
    back to waiting: the first may be found by the worker's first claim, the later ones only
    by a wake."""
    for i in range(3):
        wamid = f"wamid.{tag}.{i}"
        raw, headers = signed(text_webhook("6281100000042", wamid, "apa itu jht"), secret)
        async with session.post(f"{bot.url}/webhook/whatsapp", data=raw, headers=headers) as r:
            assert r.status == 200
        await graph.wait_for(
            lambda w=wamid: w in {m.partition("#")[0] for m in graph.markers()}, limit_s=60
        )


def _command_line(pid: int) -> list[str]:
    with open(f"/proc/{pid}/cmdline", "rb") as raw:
        return raw.read().decode().split("\0")


async def test_serve_answers_each_message_without_waiting_for_the_poll(
    settings: Settings, graph: FakeGraphAPI, graph_url: str
) -> None:
    api_url = graph_url
    secret = secrets.token_hex(16)
    async with aiohttp.ClientSession() as session:
        bot = BotProcess(_env(settings, graph, api_url, secret))
        await bot.start(session)
        try:
            [first] = bot.workers()
            assert "serve" in _command_line(first)  # forked from the server, not started anew
            await _answered_one_by_one(session, bot, graph, secret, "first")
            os.kill(first, signal.SIGKILL)
            for _ in range(600):  # waiting for the restart (its exec included), not timing it
                restarted = [p for p in bot.workers() if p != first]
                if restarted and "work" in _command_line(restarted[0]):
                    break
                await asyncio.sleep(0.1)
            [again] = bot.workers()
            assert "work" in _command_line(again)  # a fresh `python -m bot work`
            await _answered_one_by_one(session, bot, graph, secret, "again")
        finally:
            await bot.stop()
    assert not (settings.data_dir / wakeup.SOCKET_NAME).exists()  # removed on the way out


async def test_a_wake_reaches_the_listener_with_its_channel(tmp_path: Path) -> None:
    heard: asyncio.Queue[str] = asyncio.Queue()
    address = wakeup.wake_address(tmp_path)
    sender = wakeup.WakeSender(address)
    async with wakeup.listening(address, heard.put_nowait) as listens:
        assert listens
        sender("whatsapp")
        assert await asyncio.wait_for(heard.get(), 30) == "whatsapp"
    sender.close()


async def test_wakes_right_after_a_send_are_held_for_the_window_not_dropped(
    tmp_path: Path,
) -> None:
    heard: asyncio.Queue[str] = asyncio.Queue()
    address = wakeup.wake_address(tmp_path)
    sender = wakeup.WakeSender(address, window_s=0.05)
    async with wakeup.listening(address, heard.put_nowait):
        sender("whatsapp")
        assert await asyncio.wait_for(heard.get(), 30) == "whatsapp"
        # Stored just after that send, in the window: they go out together at its end.
        sender("whatsapp")
        await asyncio.sleep(0)
        sender("telegram")
        got = {await asyncio.wait_for(heard.get(), 30), await asyncio.wait_for(heard.get(), 30)}
        assert got == {"whatsapp", "telegram"}
    sender.close()


async def test_a_folder_too_deep_for_a_socket_file_still_wakes(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    address = wakeup.wake_address(deep)
    assert isinstance(address, bytes)  # Linux's abstract namespace, nothing on disk
    heard: asyncio.Queue[str] = asyncio.Queue()
    sender = wakeup.WakeSender(address)
    async with wakeup.listening(address, heard.put_nowait):
        sender("telegram")
        assert await asyncio.wait_for(heard.get(), 30) == "telegram"
    sender.close()


def test_a_wake_with_nobody_listening_is_dropped_quietly(tmp_path: Path) -> None:
    sender = wakeup.WakeSender(wakeup.wake_address(tmp_path))
    sender("whatsapp")  # no worker yet: it claims at its start anyway
    sender.close()
