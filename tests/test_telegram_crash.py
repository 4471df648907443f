"""Telegram: kill -9 in the middle of a burst, then a restart, in webhook and in polling mode.
Every update Telegram saw acknowledged (a 200 to the webhook; a later getUpdates offset when
polling) is answered exactly once, and each chat's answers come in the order asked.

A real `python -m bot` process against the fake Bot API in this test's event loop. The fake
holds every sendMessage until the crash without answering it, as a Bot API that never got to
them; a send Telegram had already accepted in the instant before a crash is the one case where
a repeat is possible (see the README)."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.config import Settings
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI, serve_fake, text_update
from tests.processes import BotProcess, clean_env

CHATS = 15
QUESTIONS = (("apa itu jht", "Jaminan Hari Tua"), ("apa itu jkm", "Jaminan Kematian"))
SECRET = "crash-Secret_1"
WAIT_S = 120.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with serve_fake() as api:
        yield api


def bot_env(settings: Settings, fake: FakeTelegramAPI, *, webhook: bool) -> dict[str, str]:
    env = clean_env(
        BOT_DATA_DIR=str(settings.data_dir),
        BOT_TODAY="2026-11-21",
        BOT_SECRET_SALT="crash-test-salt",
        BOT_RATE_LIMIT="1000",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=fake.api_url,
    )
    if webhook:
        env["TELEGRAM_WEBHOOK_URL"] = "https://bot.example.org/webhook/telegram"
        env["TELEGRAM_WEBHOOK_SECRET"] = SECRET
    return env


def burst() -> list[dict[str, object]]:
    """Two questions from each chat, the second asked before the first is answered."""
    return [
        text_update(1000 + chat, question) for question, _ in QUESTIONS for chat in range(CHATS)
    ]


async def restart_and_answer_all(
    session: aiohttp.ClientSession,
    env: dict[str, str],
    fake: FakeTelegramAPI,
    command: tuple[str, ...] = ("serve",),
) -> None:
    """Start the bot again and wait until it has sent as many answers as the burst asked for."""
    second = BotProcess(env, command=command)
    await second.start(session, ready=None if command else lambda: True)
    try:
        await fake.wait_until(lambda: len(fake.sent) >= CHATS * len(QUESTIONS), WAIT_S)
    finally:
        await second.stop()


def assert_each_answered_once_in_order(fake: FakeTelegramAPI) -> None:
    by_chat: dict[int, list[str]] = {}
    for call in fake.sent:
        by_chat.setdefault(call.chat_id, []).append(html.unescape(call.text))
    assert set(by_chat) == {1000 + chat for chat in range(CHATS)}  # none lost
    for chat, answers in by_chat.items():
        assert len(answers) == len(QUESTIONS), (chat, len(answers))  # none twice
        for answer, (_, expected) in zip(answers, QUESTIONS, strict=True):
            assert expected in answer  # in the order asked


async def test_webhook_kill_9_mid_burst_then_restart_answers_every_update_once(
    settings: Settings, fake: FakeTelegramAPI
) -> None:
    env = bot_env(settings, fake, webhook=True)
    fake.hold("sendMessage")
    updates = burst()
    async with aiohttp.ClientSession() as session:
        first = BotProcess(env)
        await first.start(session)
        try:

            async def post(update: dict[str, object]) -> int:
                async with session.post(
                    f"{first.url}/webhook/telegram",
                    json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                ) as response:
                    return response.status

            # All chats at once; each chat's second question once its first was acknowledged
            # (the order of two updates in flight together is only set when they are stored).
            statuses: list[int] = []
            for wave in (updates[:CHATS], updates[CHATS:]):
                statuses += await asyncio.gather(*(post(u) for u in wave))
            assert statuses == [200] * len(updates)  # every update acknowledged
            await fake.wait_until(lambda: len(fake.calls_to("sendMessage")) >= 3, WAIT_S)
            first.kill_9()
            await first.wait()
        finally:
            await first.stop()
        assert fake.sent == []  # nothing was answered before the crash

        fake.clear_holds()
        await restart_and_answer_all(session, env, fake)
    assert_each_answered_once_in_order(fake)


async def test_polling_kill_9_mid_burst_then_restart_answers_every_update_once(
    settings: Settings, fake: FakeTelegramAPI
) -> None:
    env = bot_env(settings, fake, webhook=False)
    fake.hold("sendMessage")
    for update in burst():
        fake.push_update(update)
    async with aiohttp.ClientSession() as session:
        first = BotProcess(env, command=())  # `python -m bot`: polls without a webhook URL
        await first.start(session, ready=lambda: bool(fake.calls_to("getUpdates")))
        try:
            # The burst is confirmed to Telegram (a later offset) and being answered.
            await fake.wait_until(
                lambda: _confirmed(fake) >= 1 and len(fake.calls_to("sendMessage")) >= 3, WAIT_S
            )
            first.kill_9()
            await first.wait()
        finally:
            await first.stop()
        assert fake.sent == []

        fake.clear_holds()
        await restart_and_answer_all(session, env, fake, command=())
    assert_each_answered_once_in_order(fake)


def _confirmed(fake: FakeTelegramAPI) -> int:
    """How many getUpdates calls carried an offset (confirming an earlier batch)."""
    return sum(1 for c in fake.calls_to("getUpdates") if c.params.get("offset"))


async def test_sigterm_during_a_bot_api_outage_stops_promptly_and_loses_nothing(
    settings: Settings, fake: FakeTelegramAPI
) -> None:
    """The worker stops taking work, gives its claims back and exits; nothing it had taken is
    failed, so the next start answers all of it once the Bot API is back."""
    env = bot_env(settings, fake, webhook=True)
    fake.outage(502)
    updates = burst()
    async with aiohttp.ClientSession() as session:
        first = BotProcess(env)
        await first.start(session)
        try:
            for update in updates:
                async with session.post(
                    f"{first.url}/webhook/telegram",
                    json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                ) as response:
                    assert response.status == 200
            await fake.wait_until(lambda: len(fake.failed()) >= CHATS, WAIT_S)
            assert first.proc is not None
            first.proc.terminate()
            # A hang guard only; the stop time itself is measured by `make bench`.
            assert await asyncio.wait_for(first.wait(), WAIT_S) == 0
        finally:
            await first.stop()
        assert fake.sent == []

        fake.end_outage()
        await restart_and_answer_all(session, env, fake)
    assert_each_answered_once_in_order(fake)
