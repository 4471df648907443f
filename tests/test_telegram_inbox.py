"""Telegram through the durable inbox: an outage of the Bot API, flood control, a blocked user,
a reply of several pieces. The webhook app in this event loop against the fake Bot API, with a
clock the test moves forward instead of waiting out retry pauses."""

from __future__ import annotations

import asyncio
import html
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient

from bot.app import Runtime, make_app
from bot.channels import telegram
from bot.channels.backoff import RetryPolicy
from bot.channels.telegram import WEBHOOK_PATH
from bot.channels.telegram.adapter import CHANNEL_KEY
from bot.config import Settings
from bot.conversation import Conversation
from bot.engine import Engine
from bot.inbox import InboxOptions
from bot.privacy import user_key
from bot.state import SqliteState
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI, serve_fake, text_update
from tests.sealed_rows import opened

SECRET = "inbox-Secret_1"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
WAIT_S = 30.0


@dataclass
class Clock:
    offset: float = 0.0

    def now(self) -> float:
        return time.time() + self.offset


@dataclass
class Hook:
    app: web.Application
    client: TestClient[web.Request, web.Application]
    state: SqliteState
    clock: Clock

    async def post(self, update: dict[str, object]) -> int:
        async with self.client.post(WEBHOOK_PATH, json=update, headers=HEADERS) as response:
            return response.status

    def worker(self) -> telegram.InboxWorker:
        return self.app[telegram.WORKER_KEY]

    async def later(self, seconds: float) -> None:
        """Move the clock past a retry pause and let the worker look again."""
        self.clock.offset += seconds
        self.worker().wake()

    async def settled(self) -> None:
        async with asyncio.timeout(WAIT_S):
            await self.worker().wait_settled()

    async def idle(self) -> None:
        async with asyncio.timeout(WAIT_S):
            await self.worker().wait_idle()

    def rows(self) -> list[sqlite3.Row]:
        with sqlite3.connect(self.state.path) as db:
            db.row_factory = sqlite3.Row
            return db.execute("SELECT * FROM inbox ORDER BY id").fetchall()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with serve_fake() as api:
        yield api


def webhook_settings(settings: Settings, fake: FakeTelegramAPI) -> Settings:
    """Telegram in webhook mode against the fake Bot API."""
    return replace(
        settings,
        telegram_token=TOKEN,
        telegram_api_url=fake.api_url,
        telegram_webhook_url="https://bot.example.org/webhook/telegram",
        telegram_webhook_secret=SECRET,
        rate_limit=1000,
    )


@pytest.fixture
async def hook(
    settings: Settings, engine: Engine, fake: FakeTelegramAPI, aiohttp_client: AiohttpClient
) -> AsyncIterator[Hook]:
    hook_settings = webhook_settings(settings, fake)
    state = SqliteState(hook_settings.state_db)
    clock = Clock()
    app = make_app(
        hook_settings,
        Runtime(hook_settings, conversation=Conversation(engine, state, hook_settings)),
    )
    app[telegram.INBOX_OPTIONS] = InboxOptions(poll_s=0.05, clock=clock.now, max_item_attempts=10)
    client = await aiohttp_client(app)
    # Retries inside one attempt in milliseconds, so the inbox's own retries are what is tested.
    channel = app[CHANNEL_KEY]
    channel.inbox_sender.policy = RetryPolicy(
        max_attempts=2, base_delay_s=0.01, max_delay_s=0.02, max_retry_after_s=1
    )
    yield Hook(app, client, state, clock)
    await client.close()
    state.close()


async def test_an_outage_of_the_bot_api_loses_nothing_and_answers_all_after_it(
    hook: Hook, fake: FakeTelegramAPI
) -> None:
    fake.outage(502)
    chats = [2000 + n for n in range(10)]
    statuses = [await hook.post(text_update(chat, "apa itu jht")) for chat in chats]
    assert statuses == [200] * len(chats)
    await fake.wait_until(lambda: len(fake.failed()) >= 2 * len(chats), WAIT_S)
    await hook.settled()
    assert fake.sent == []
    assert {r["status"] for r in hook.rows()} == {"pending"}  # waiting, not given up
    # The outage goes on through a second round of retries.
    await hook.later(60)
    await fake.wait_until(lambda: len(fake.failed()) >= 4 * len(chats), WAIT_S)
    await hook.settled()
    fake.end_outage()
    await hook.later(60)
    await hook.idle()
    assert sorted(c.chat_id for c in fake.sent) == chats  # each answered once
    assert {r["status"] for r in hook.rows()} == {"done"}
    assert all(r["payload"] is None for r in hook.rows())  # nothing personal kept


async def test_flood_control_with_a_long_pause_is_retried_from_the_inbox_after_it(
    hook: Hook, fake: FakeTelegramAPI
) -> None:
    fake.flood(count=1, retry_after=40)
    assert await hook.post(text_update(3001, "apa itu jkm")) == 200
    await fake.wait_until(lambda: len(fake.failed()) == 1, WAIT_S)
    await hook.settled()
    [row] = hook.rows()
    assert (row["status"], row["error"]) == ("pending", "429")
    assert row["lease_until"] >= hook.clock.now() + 39  # as long as Telegram asked
    await hook.later(41)
    await hook.idle()
    assert [c.chat_id for c in fake.sent] == [3001]
    assert "Jaminan Kematian" in html.unescape(fake.sent[0].text)


async def test_a_user_who_blocked_the_bot_is_recorded_and_not_retried(
    hook: Hook, fake: FakeTelegramAPI
) -> None:
    fake.block(count=1)
    assert await hook.post(text_update(3002, "apa itu jht")) == 200
    await hook.idle()
    [row] = hook.rows()
    assert (row["status"], row["error"]) == ("failed", "blocked")
    assert hook.state.is_blocked("telegram", user_key("telegram", "3002", "test-salt"))
    calls = len(fake.calls_to("sendMessage"))
    assert await hook.post(text_update(3002, "halo")) == 200
    await hook.later(3600)
    await hook.idle()
    assert len(fake.calls_to("sendMessage")) == calls  # never messaged again
    assert fake.sent == []


async def test_a_retry_sends_the_stored_reply_without_running_the_turn_again(
    hook: Hook, fake: FakeTelegramAPI
) -> None:
    assert await hook.post(text_update(3003, "/start")) == 200
    await hook.idle()
    first_reply = len(fake.sent)
    assert first_reply >= 1
    fake.fail_next(1, 502, "Bad Gateway")
    fake.fail_next(1, 502, "Bad Gateway")
    assert await hook.post(text_update(3003, "apa itu jht")) == 200
    await fake.wait_until(lambda: len(fake.failed()) == 2, WAIT_S)
    await hook.settled()
    row = hook.rows()[-1]
    assert row["status"] == "pending"
    assert "outbox" in opened(row)  # the rendered reply is kept for the retry
    await hook.later(60)
    await hook.idle()
    assert len(fake.sent) == first_reply + 1
    assert "Jaminan Hari Tua" in html.unescape(fake.sent[-1].text)
    # One turn: the question was logged once, although it was sent in two attempts.
    assert [q.text for q in hook.state.questions()] == ["apa itu jht"]


async def test_a_worker_started_while_the_bot_api_is_down_answers_once_it_is_back(
    settings: Settings, engine: Engine, fake: FakeTelegramAPI
) -> None:
    """`python -m bot work` answers WhatsApp too: a Bot API down at its start must not stop it,
    and Telegram's part starts as soon as getMe succeeds."""
    tg = replace(settings, telegram_token=TOKEN, telegram_api_url=fake.api_url)
    state = SqliteState(tg.state_db)
    try:
        fake.fail_next(2, 502, "Bad Gateway", method="getMe")
        key = user_key("telegram", "3004", "test-salt")
        state.enqueue("telegram", "77", key, {"update": text_update(3004, "apa itu jht")}, 0)
        conversation = Conversation(engine, state, tg)
        async with telegram.answering(
            tg, state, conversation, salt=tg.secret_salt, poll_s=0.05
        ) as worker:
            await fake.wait_for("sendMessage", within_s=WAIT_S)
            async with asyncio.timeout(WAIT_S):
                await worker.wait_idle()
        assert len(fake.failed("getMe")) == 2
        assert [c.chat_id for c in fake.sent] == [3004]
    finally:
        state.close()


async def test_a_chats_updates_stored_in_the_same_instant_are_answered_in_telegrams_order(
    settings: Settings, engine: Engine, fake: FakeTelegramAPI, aiohttp_client: AiohttpClient
) -> None:
    """Two webhook requests of one chat at once (Telegram may open several connections): the
    later update happens to be stored first. Answered in update_id order all the same."""
    tg = webhook_settings(settings, fake)
    state = SqliteState(tg.state_db)
    app = make_app(tg, Runtime(tg, conversation=Conversation(engine, state, tg)))
    app[telegram.RUN_WORKER] = False  # a worker process answers (started below)
    client = await aiohttp_client(app)
    try:
        for update_id, text in ((9002, "apa itu jkm"), (9001, "apa itu jht")):
            update = text_update(3005, text, update_id=update_id)
            async with client.post(WEBHOOK_PATH, json=update, headers=HEADERS) as response:
                assert response.status == 200
        with sqlite3.connect(state.path) as db:
            orders = [row[0] for row in db.execute("SELECT seq FROM inbox ORDER BY id")]
        # Telegram's order, kept without the update ids themselves.
        assert orders[0] > orders[1] and not {9001, 9002} & set(orders)
        conversation = Conversation(engine, state, tg)
        async with telegram.answering(
            tg, state, conversation, salt=tg.secret_salt, poll_s=0.05
        ) as worker:
            await fake.wait_for("sendMessage", within_s=WAIT_S)
            async with asyncio.timeout(WAIT_S):
                await worker.wait_idle()
        texts = [html.unescape(c.text) for c in fake.sent]
        assert "Jaminan Hari Tua" in texts[0]
        assert "Jaminan Kematian" in texts[-1] and "Jaminan Kematian" not in texts[0]
    finally:
        await client.close()
        state.close()
