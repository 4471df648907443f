"""Under `serve` the acknowledging server stores Telegram updates and sends nothing, so the worker
process introduces the bot when the Bot API answers: the command list and the description users
see, and the bot's username, which the link under a forwardable answer needs."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.channels import telegram
from bot.channels.telegram.adapter import COMMANDS
from bot.config import Settings
from bot.conversation import Conversation
from bot.engine import Engine
from bot.privacy import user_key
from bot.state import SqliteState
from handlers.words import DESCRIPTION
from tests.fakes.telegram_api import (
    BOT_USERNAME,
    TOKEN,
    FakeTelegramAPI,
    callback_update,
    serve_fake,
    text_update,
)

WAIT_S = 30.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with serve_fake() as api:
        yield api


async def test_the_worker_sets_the_commands_and_description_and_links_back_to_the_bot(
    settings: Settings, engine: Engine, fake: FakeTelegramAPI
) -> None:
    tg = replace(settings, telegram_token=TOKEN, telegram_api_url=fake.api_url)
    state = SqliteState(tg.state_db)
    try:
        key = user_key("telegram", "3101", "test-salt")
        # Stored as the server stores them: a question, then its "Bagikan" button, in order.
        state.enqueue("telegram", "1", key, {"update": text_update(3101, "berapa iuran bpu")}, 0, 1)
        state.enqueue("telegram", "2", key, {"update": callback_update(3101, "bagikan")}, 0, 2)
        conversation = Conversation(engine, state, tg)
        async with telegram.answering(
            tg, state, conversation, salt=tg.secret_salt, poll_s=0.05
        ) as worker:
            await fake.wait_for("sendMessage", count=2, within_s=WAIT_S)
            async with asyncio.timeout(WAIT_S):
                await worker.wait_idle()
        (commands,) = fake.calls_to("setMyCommands")
        assert [c["command"] for c in commands.params["commands"]] == [c.command for c in COMMANDS]
        (description,) = fake.calls_to("setMyDescription")
        assert description.params["description"] == DESCRIPTION
        shared = html.unescape(fake.sent[-1].text)
        assert shared.endswith(f"https://t.me/{BOT_USERNAME}?start=iuran_bpu")
    finally:
        state.close()
