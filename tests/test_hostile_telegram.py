"""Hostile and broken input on the Telegram channel: absurd amounts, deep JSON, odd headers,
lone surrogates. Over loopback against the fake Bot API; nothing of ours is mocked."""

from __future__ import annotations

import html
import json
import sqlite3
import time

from aiohttp import web
from pytest_aiohttp import AiohttpClient

from bot import appkeys
from bot.channels import telegram
from bot.channels.telegram import WEBHOOK_PATH
from bot.channels.telegram.adapter import TelegramChannel
from bot.config import Settings
from bot.intake import MAX_TEXT_CHARS
from tests.fakes.telegram_api import BOT_USERNAME, FakeTelegramAPI, text_update
from tests.rawhttp import raw_post
from tests.sealed_rows import opened
from tests.test_telegram import (  # noqa: F401 - fixtures
    SECRET,
    bot,
    deliver,
    fake,
    hook_app,
    hook_settings,
    tg_settings,
)

HUGE = "1" + "0" * 28


async def test_a_29_digit_amount_is_answered_kindly(
    bot: TelegramChannel,  # noqa: F811
    fake: FakeTelegramAPI,  # noqa: F811
) -> None:
    await deliver(bot, text_update(2001, f"iuran bpu penghasilan Rp{HUGE}"))
    (sent,) = fake.sent
    assert "terlalu besar" in html.unescape(sent.text)


async def test_a_lone_surrogate_in_a_message_is_answered(
    bot: TelegramChannel,  # noqa: F811
    fake: FakeTelegramAPI,  # noqa: F811
) -> None:
    await deliver(bot, text_update(2002, "apa itu jht \ud83d"))
    (sent,) = fake.sent
    assert "Jaminan Hari Tua" in html.unescape(sent.text)
    assert [q.text for q in bot.state.questions()] == ["apa itu jht \ufffd"]


async def test_group_members_keys_are_found_by_the_members_id(
    bot: TelegramChannel,  # noqa: F811
    fake: FakeTelegramAPI,  # noqa: F811
) -> None:
    for group in (-1001, -1002, -1003):
        await deliver(
            bot,
            text_update(group, f"@{BOT_USERNAME} apa itu jht", kind="supergroup", user_id=77),
        )
    keys = {q.user_key for q in bot.state.questions()}
    assert len(keys) == 3
    assert len({k.partition(".")[0] for k in keys}) == 1
    assert bot.state.forget(bot.key(77)) == 6  # three sessions, three logged questions
    assert bot.state.questions() == []


async def test_deeply_nested_json_gets_400_not_500(
    hook_app: web.Application,  # noqa: F811
    aiohttp_client: AiohttpClient,
) -> None:
    client = await aiohttp_client(hook_app)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    deep = b'{"update_id": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = await client.post(WEBHOOK_PATH, data=deep, headers=headers)
    assert response.status == 400


async def test_a_secret_header_that_is_not_utf8_gets_403_not_500(
    hook_app: web.Application,  # noqa: F811
    aiohttp_client: AiohttpClient,
) -> None:
    client = await aiohttp_client(hook_app)
    header = b"X-Telegram-Bot-Api-Secret-Token: \xff\xfe" + SECRET.encode()
    status = await raw_post(
        client.server.host, client.server.port, WEBHOOK_PATH, header, b'{"update_id": 9}'
    )
    assert status == 403


async def test_a_lone_surrogate_through_the_webhook_is_stored_repaired_and_answered(
    hook_app: web.Application,  # noqa: F811
    aiohttp_client: AiohttpClient,
    fake: FakeTelegramAPI,  # noqa: F811
) -> None:
    client = await aiohttp_client(hook_app)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    # json.dumps escapes the lone surrogate as \ud83d, as a broken client would send it.
    body = json.dumps(text_update(2101, "apa itu jht \ud83d")).encode()
    response = await client.post(WEBHOOK_PATH, data=body, headers=headers)
    assert response.status == 200
    (sent,) = await fake.wait_for("sendMessage")
    assert "Jaminan Hari Tua" in html.unescape(sent.params["text"])
    state = hook_app[appkeys.STATE]
    assert [q.text for q in state.questions()] == ["apa itu jht \ufffd"]
    await client.close()


async def test_telegram_text_is_capped_at_the_door(
    hook_app: web.Application,  # noqa: F811
    aiohttp_client: AiohttpClient,
) -> None:
    hook_app[telegram.RUN_WORKER] = False
    client = await aiohttp_client(hook_app)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    update = text_update(2102, "jht " * 1000)
    response = await client.post(WEBHOOK_PATH, json=update, headers=headers)
    assert response.status == 200
    state = hook_app[appkeys.STATE]
    [item] = state.claim(telegram.CHANNEL, time.time(), 30)
    assert len(opened(item)["update"]["message"]["text"]) == MAX_TEXT_CHARS
    await client.close()


async def test_a_locked_database_gets_503_through_the_gate_and_healthz_says_so(
    hook_app: web.Application,  # noqa: F811
    hook_settings: Settings,  # noqa: F811
    aiohttp_client: AiohttpClient,
) -> None:
    client = await aiohttp_client(hook_app)
    hook_app[appkeys.DB_GATE].wait_s = 0.3
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    update = text_update(2103, "halo")
    locker = sqlite3.connect(hook_settings.state_db, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        response = await client.post(WEBHOOK_PATH, json=update, headers=headers)
        assert response.status == 503
        # Answered while the store call still waits for the lock: the webhook's own verdict.
        async with client.get("/healthz") as health:
            assert health.status == 503
            body = await health.json()
        assert "database" in body["checks"]["webhook_store"]["error"]
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    # Telegram redelivers; stored (and answered) once.
    response = await client.post(WEBHOOK_PATH, json=update, headers=headers)
    assert response.status == 200
    await client.close()
