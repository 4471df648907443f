"""The Telegram channel end to end: the real PTB stack over HTTP against a fake Bot API.

Updates are fed with `Application.process_update` (or through getUpdates and the webhook route
where those are what is tested); every answer travels over loopback HTTP to the fake, which
records it. Nothing of ours is mocked.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpClient
from telegram import Update

from bot.app import Runtime, make_app
from bot.channels.backoff import RetryPolicy
from bot.channels.console import render as console_render
from bot.channels.telegram import WEBHOOK_PATH
from bot.channels.telegram.adapter import COMMANDS, TelegramChannel
from bot.channels.telegram.render import MAX_TEXT, render
from bot.channels.text import body
from bot.config import ConfigError, Settings
from bot.conversation import Conversation
from bot.engine import Engine
from bot.polling import run_polling, serve_polling
from bot.privacy import user_key
from bot.state import SqliteState
from core.reply import Option, Reply
from core.session import Session
from handlers.notices import FLOOD_TEXT, NOTICES
from tests.conftest import TODAY
from tests.fakes.telegram_api import (
    BOT_ID,
    BOT_USERNAME,
    TOKEN,
    FakeTelegramAPI,
    callback_update,
    location_update,
    message,
    my_chat_member_update,
    photo_update,
    serve_fake,
    text_update,
    unhandled_updates,
    voice_update,
)

# Retries in milliseconds, so that a retried network failure costs the test suite nothing.
FAST = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.05)
GROUP = -100_123_456
SECRET = "s3cret-Token_1"
HOOK_URL = "https://bot.example.org/webhook/telegram"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with serve_fake() as api:
        yield api


@pytest.fixture
def tg_settings(settings: Settings, fake: FakeTelegramAPI) -> Settings:
    return replace(settings, telegram_token=TOKEN, telegram_api_url=fake.api_url)


@contextlib.asynccontextmanager
async def running(settings: Settings, engine: Engine) -> AsyncIterator[TelegramChannel]:
    """A started channel with its own state database handle, as one process would have."""
    state = SqliteState(settings.state_db)
    channel = TelegramChannel(
        settings, Conversation(engine, state, settings), state, salt="test-salt", policy=FAST
    )
    try:
        await channel.start()
        yield channel
    finally:
        await channel.stop()
        state.close()


@pytest.fixture
async def bot(tg_settings: Settings, engine: Engine) -> AsyncIterator[TelegramChannel]:
    async with running(tg_settings, engine) as channel:
        yield channel


async def deliver(channel: TelegramChannel, payload: dict[str, Any]) -> None:
    update = Update.de_json(payload, channel.application.bot)
    await channel.application.process_update(update)


def texts(fake: FakeTelegramAPI) -> list[str]:
    """What users saw: the recorded HTML with its escaping undone."""
    return [html.unescape(call.text) for call in fake.sent]


def console_body(engine: Engine, question: str) -> str:
    return body(engine.answer(question, Session(), TODAY))


def key(chat_id: int) -> str:
    return user_key("telegram", str(chat_id), "test-salt")


# -- start-up, commands, questions, buttons ------------------------------------------------------


async def test_commands_are_registered_in_indonesian_at_start_up(
    bot: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    (call,) = fake.calls_to("setMyCommands")
    commands = {c["command"]: c["description"] for c in call.params["commands"]}
    assert commands == {c.command: c.description for c in COMMANDS}
    assert set(commands) == {"start", "help", "menu"}
    assert "menu" in commands["start"].lower()


async def test_start_greets_says_it_is_unofficial_and_shows_the_menu_as_buttons(
    bot: TelegramChannel, fake: FakeTelegramAPI, engine: Engine
) -> None:
    await deliver(bot, text_update(1001, "/start"))
    (sent,) = fake.sent
    assert sent.params["parse_mode"] == "HTML"
    assert "tidak resmi" in html.unescape(sent.text)
    assert html.unescape(sent.text) == body(engine.select("salam", Session(), TODAY))
    buttons = [row[0] for row in sent.keyboard]
    assert len(buttons) >= 3
    assert all(b["callback_data"] and b["text"] for b in buttons)


async def test_help_and_menu_commands_show_the_menu(
    bot: TelegramChannel, fake: FakeTelegramAPI, engine: Engine
) -> None:
    await deliver(bot, text_update(1002, "/help"))
    await deliver(bot, text_update(1003, "/menu"))
    menu = body(engine.select("menu", Session(), TODAY))
    assert texts(fake) == [menu, menu]
    assert all(call.keyboard for call in fake.sent)


async def test_a_question_about_jht_is_answered_with_its_figures(
    bot: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    await deliver(bot, text_update(1004, "apa itu jht"))
    (answer,) = texts(fake)
    assert "Jaminan Hari Tua" in answer
    assert "5,7%" in answer  # the JHT rate for wage earners
    assert fake.sent[0].chat_id == 1004


async def test_a_premium_question_gets_the_calculated_amount(
    bot: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    await deliver(bot, text_update(1005, "berapa iuran bpu kalau penghasilan 2 juta"))
    (answer,) = texts(fake)
    assert "Rp2.000.000" in answer
    assert "Rp26.800" in answer  # JKK 1% of Rp2.000.000 + JKM Rp6.800, before the discount


async def test_a_button_press_is_acknowledged_first_then_answered(
    bot: TelegramChannel, fake: FakeTelegramAPI, engine: Engine
) -> None:
    await deliver(bot, callback_update(1006, "jht_apa"))
    methods = [c.method for c in fake.calls if c.method in ("answerCallbackQuery", "sendMessage")]
    assert methods == ["answerCallbackQuery", "sendMessage"]
    assert texts(fake) == [body(engine.select("jht_apa", Session(), TODAY))]


async def test_a_button_with_an_argument_selects_that_region(
    bot: TelegramChannel, fake: FakeTelegramAPI, engine: Engine
) -> None:
    region = next(iter(engine.knowledge.regions))
    await deliver(bot, callback_update(1007, f"cakupan_wilayah:{region}"))
    assert texts(fake) == [body(engine.select(f"cakupan_wilayah:{region}", Session(), TODAY))]


async def test_a_button_whose_token_cannot_be_resolved_shows_the_menu(
    bot: TelegramChannel, fake: FakeTelegramAPI, engine: Engine
) -> None:
    await deliver(bot, callback_update(1008, "~" + "0" * 32))
    assert len(fake.calls_to("answerCallbackQuery")) == 1
    assert texts(fake) == [body(engine.select("menu", Session(), TODAY))]


async def test_a_typed_number_selects_the_option_of_the_last_reply(
    bot: TelegramChannel, fake: FakeTelegramAPI, engine: Engine
) -> None:
    await deliver(bot, text_update(1009, "/menu"))
    second = fake.sent[0].keyboard[1][0]["callback_data"]
    await deliver(bot, text_update(1009, "2"))
    assert texts(fake)[1] == body(engine.select(second, Session(), TODAY))


# -- messages that are not text ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (voice_update, NOTICES["voice"]),
        (photo_update, NOTICES["image"]),
        (location_update, NOTICES["location"]),
    ],
)
async def test_a_voice_note_photo_or_location_gets_a_kind_request_to_type(
    bot: TelegramChannel, fake: FakeTelegramAPI, make: Any, expected: str
) -> None:
    await deliver(bot, make(1010))
    assert texts(fake) == [expected]
    assert "Maaf" in expected and "ketik" in expected and "Bapak/Ibu" in expected


async def test_a_sticker_in_a_group_that_does_not_address_the_bot_gets_no_answer(
    bot: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    sticker = {
        "file_id": "CAACAgIAAxkB",
        "file_unique_id": "AgADa",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    update = {
        "update_id": 990_001,
        "message": message(GROUP, kind="supergroup", user_id=42, sticker=sticker),
    }
    await deliver(bot, update)
    assert fake.sent == []


# -- groups --------------------------------------------------------------------------------------


async def test_a_group_message_without_a_mention_is_left_alone(
    bot: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    await deliver(bot, text_update(GROUP, "apa itu jht", kind="supergroup", user_id=42))
    assert fake.sent == []


async def test_a_group_message_mentioning_the_bot_is_answered_without_the_mention(
    bot: TelegramChannel, fake: FakeTelegramAPI, engine: Engine
) -> None:
    update = text_update(
        GROUP, f"@{BOT_USERNAME} apa itu jht", kind="supergroup", user_id=42, message_id=31
    )
    await deliver(bot, update)
    (sent,) = fake.sent
    assert html.unescape(sent.text) == console_body(engine, "apa itu jht")
    assert sent.chat_id == GROUP
    assert sent.params["reply_parameters"]["message_id"] == 31  # quotes the question
    # The engine got the question without the mention (the question log shows what it got).
    assert [q.text for q in bot.state.questions()] == ["apa itu jht"]


async def test_a_group_reply_to_the_bots_own_message_is_answered(
    bot: TelegramChannel, fake: FakeTelegramAPI, engine: Engine
) -> None:
    ours = message(GROUP, text="Pilih topik:", kind="supergroup", message_id=30)
    ours["from"] = {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "Tanya Jamsos",
        "username": BOT_USERNAME,
    }
    update = text_update(GROUP, "apa itu jht", kind="group", user_id=43, reply_to=ours)
    await deliver(bot, update)
    assert texts(fake) == [console_body(engine, "apa itu jht")]


async def test_a_group_reply_to_someone_else_is_left_alone(
    bot: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    theirs = message(GROUP, text="siapa tahu?", kind="supergroup", user_id=44, message_id=29)
    await deliver(
        bot, text_update(GROUP, "apa itu jht", kind="supergroup", user_id=43, reply_to=theirs)
    )
    assert fake.sent == []


async def test_group_commands_for_this_bot_are_answered_and_for_other_bots_not(
    bot: TelegramChannel, fake: FakeTelegramAPI, engine: Engine
) -> None:
    await deliver(bot, text_update(GROUP, "/menu@OtherBot", kind="supergroup", user_id=42))
    await deliver(bot, text_update(GROUP, "/foo@OtherBot", kind="supergroup", user_id=42))
    assert fake.sent == []
    await deliver(bot, text_update(GROUP, f"/menu@{BOT_USERNAME}", kind="supergroup", user_id=42))
    await deliver(bot, text_update(GROUP, "/start", kind="supergroup", user_id=42))
    menu = body(engine.select("menu", Session(), TODAY))
    assert texts(fake) == [menu, body(engine.select("salam", Session(), TODAY))]


# -- redeliveries, flood control, blocked users ------------------------------------------------


async def test_a_duplicate_update_is_answered_once_also_after_a_restart(
    tg_settings: Settings, engine: Engine, fake: FakeTelegramAPI
) -> None:
    update = text_update(1011, "apa itu jht", update_id=777_001)
    async with running(tg_settings, engine) as first:
        await deliver(first, update)
        await deliver(first, update)
    assert len(fake.sent) == 1
    async with running(tg_settings, engine) as restarted:
        await deliver(restarted, update)
        await deliver(restarted, text_update(1011, "halo", update_id=777_002))
    assert len(fake.sent) == 2  # only the new update got an answer
    assert "Halo" in texts(fake)[1]


async def test_flood_control_is_waited_out_and_the_message_delivered_once(
    bot: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    fake.flood(count=1, retry_after=1)
    started = time.monotonic()
    await deliver(bot, text_update(1012, "apa itu jht"))
    waited = time.monotonic() - started
    assert len(fake.calls_to("sendMessage")) == 2  # refused once, then accepted
    assert len(fake.sent) == 1
    assert waited >= 0.9  # Telegram's retry_after was honoured


async def test_a_bad_gateway_is_retried_with_backoff_until_delivered(
    bot: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    fake.fail_next(2, 502, "Bad Gateway")
    await deliver(bot, text_update(1013, "apa itu jht"))
    assert len(fake.calls_to("sendMessage")) == 3
    assert len(fake.sent) == 1


async def test_a_user_who_blocked_the_bot_is_recorded_and_not_messaged_again(
    bot: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    fake.block(count=1)
    await deliver(bot, text_update(1014, "apa itu jht"))
    assert bot.state.is_blocked("telegram", key(1014))
    attempts = len(fake.calls_to("sendMessage"))
    await deliver(bot, text_update(1014, "halo"))
    await deliver(bot, voice_update(1014))
    assert len(fake.calls_to("sendMessage")) == attempts == 1
    assert fake.sent == []


async def test_a_kicked_status_blocks_the_user_and_a_new_member_status_unblocks(
    bot: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    await deliver(bot, my_chat_member_update(1015, "member", "kicked"))
    assert bot.state.is_blocked("telegram", key(1015))
    await deliver(bot, text_update(1015, "halo"))
    assert fake.calls_to("sendMessage") == []
    await deliver(bot, my_chat_member_update(1015, "kicked", "member"))
    await deliver(bot, text_update(1015, "/start"))
    assert len(fake.sent) == 1


async def test_a_flood_of_messages_gets_one_notice_and_then_silence(
    tg_settings: Settings, engine: Engine, fake: FakeTelegramAPI
) -> None:
    async with running(replace(tg_settings, rate_limit=2), engine) as channel:
        for _ in range(5):
            await deliver(channel, text_update(1016, "apa itu jht"))
    answers = texts(fake)
    assert len(answers) == 3
    assert answers[2] == FLOOD_TEXT


async def test_update_kinds_the_bot_does_not_handle_are_ignored_without_error(
    bot: TelegramChannel, fake: FakeTelegramAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for payload in unhandled_updates(1017):
        await deliver(bot, payload)
    assert fake.calls_to("sendMessage") == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_messages_from_many_chats_at_once_are_each_answered_in_order(
    bot: TelegramChannel, fake: FakeTelegramAPI, engine: Engine
) -> None:
    chats = range(2001, 2021)
    updates = [text_update(c, "apa itu jht") for c in chats]
    # One chat asks twice at once: its answers must come in the order of its questions.
    updates += [text_update(2001, "halo"), text_update(2001, "terima kasih")]
    await asyncio.gather(*(deliver(bot, u) for u in updates))
    assert sorted({c.chat_id for c in fake.sent}) == list(chats)
    mine = [html.unescape(c.text) for c in fake.sent if c.chat_id == 2001]
    assert mine[0] == console_body(engine, "apa itu jht")
    assert mine[1].startswith("Halo")
    assert len(mine) == 3


async def test_failures_are_logged_without_token_chat_id_or_message_text(
    bot: TelegramChannel, fake: FakeTelegramAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.fail_next(1, 400, "Bad Request: chat not found")
    await deliver(bot, text_update(987_654_321, "apa itu jht rahasia"))
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("BadRequest" in m and "message" in m for m in errors)
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (TOKEN, "987654321", "rahasia"):
        assert secret not in everything


# -- rendering through the real send path -------------------------------------------------------


async def test_a_long_reply_is_split_at_4096_characters_without_losing_any(
    bot: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    paragraphs = [
        f"Paragraf {i}: " + "iuran JKK dan JKM dibayar tiap bulan. " * 30 for i in range(12)
    ]
    text = "\n\n".join(paragraphs)
    assert len(text) > 2 * MAX_TEXT
    options = (Option("menu", "Menu utama"),)
    await bot.sender.send_all(1018, render(Reply(text=text, options=options), bot.codec))
    pieces = texts(fake)
    assert len(pieces) >= 3
    assert all(0 < len(p) <= MAX_TEXT for p in pieces)
    assert "\n\n".join(pieces) == text
    assert [bool(c.keyboard) for c in fake.sent] == [False] * (len(pieces) - 1) + [True]


async def test_html_special_characters_are_escaped(
    bot: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    text = 'Iuran <b>bukan</b> 5 & 6 > 4 < 7 "kutip"'
    await bot.sender.send_all(1019, render(Reply(text=text), bot.codec))
    (sent,) = fake.sent
    assert sent.params["parse_mode"] == "HTML"
    assert "<b>" not in sent.text and "&lt;b&gt;bukan&lt;/b&gt;" in sent.text
    assert "5 &amp; 6 &gt; 4 &lt; 7" in sent.text
    assert html.unescape(sent.text) == text


async def test_the_same_questions_give_the_same_text_on_the_console_and_on_telegram(
    bot: TelegramChannel, fake: FakeTelegramAPI, engine: Engine
) -> None:
    questions = [
        "apa itu jht",
        "berapa iuran bpu kalau penghasilan 2 juta",
        "cara daftar bpjs tk",
        "jkm dapat berapa",
        "kantor bpjs di ruteng",
        "halo",
        "resep rendang",
    ]
    for chat_id, question in enumerate(questions, start=3001):
        await deliver(bot, text_update(chat_id, question))
    for question, shown in zip(questions, texts(fake), strict=True):
        reply = engine.answer(question, Session(), TODAY)
        assert shown == body(reply)
        assert console_render(reply).startswith(shown)


# -- polling -------------------------------------------------------------------------------------


async def test_polling_answers_the_updates_it_fetches(
    tg_settings: Settings, fake: FakeTelegramAPI
) -> None:
    stop = asyncio.Event()
    poller = asyncio.create_task(serve_polling(tg_settings, stop))
    fake.push_update(text_update(4001, "apa itu jht"))
    fake.push_update(callback_update(4002, "menu"))
    await fake.wait_for("sendMessage", count=2)
    stop.set()
    await poller
    assert {c.chat_id for c in fake.sent} == {4001, 4002}
    assert fake.calls_to("deleteWebhook")  # polling and a webhook exclude each other
    assert fake.calls_to("setMyCommands")
    allowed = fake.calls_to("getUpdates")[0].params["allowed_updates"]
    assert set(allowed) == {"message", "callback_query", "my_chat_member"}


async def test_polling_inside_the_aiohttp_app_answers_and_stops_with_it(
    tg_settings: Settings, engine: Engine, fake: FakeTelegramAPI, aiohttp_client: AiohttpClient
) -> None:
    state = SqliteState(tg_settings.state_db)
    # A token without a webhook URL: make_app polls inside the server (as next to WhatsApp).
    app = make_app(
        tg_settings, Runtime(tg_settings, conversation=Conversation(engine, state, tg_settings))
    )
    client = await aiohttp_client(app)
    fake.push_update(text_update(4003, "apa itu jht"))
    await fake.wait_for("sendMessage")
    await client.close()
    state.close()
    assert texts(fake) == [console_body(engine, "apa itu jht")]


def test_polling_reports_an_unreachable_api_and_exits_with_1(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nobody listens on any more
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable = replace(
        settings, telegram_token=TOKEN, telegram_api_url=f"http://127.0.0.1:{port}/bot"
    )
    assert run_polling(unreachable) == 1
    err = capsys.readouterr().err
    assert "not reachable" in err
    assert TOKEN not in err


# -- webhook -------------------------------------------------------------------------------------


@pytest.fixture
def hook_settings(tg_settings: Settings) -> Settings:
    return replace(tg_settings, telegram_webhook_url=HOOK_URL, telegram_webhook_secret=SECRET)


@pytest.fixture
async def hook_app(hook_settings: Settings, engine: Engine) -> AsyncIterator[web.Application]:
    state = SqliteState(hook_settings.state_db)
    yield make_app(
        hook_settings,
        Runtime(hook_settings, conversation=Conversation(engine, state, hook_settings)),
    )
    state.close()


async def test_webhook_start_up_registers_the_url_and_the_secret(
    hook_app: web.Application, aiohttp_client: AiohttpClient, fake: FakeTelegramAPI
) -> None:
    await aiohttp_client(hook_app)
    (call,) = fake.calls_to("setWebhook")
    assert call.params["url"] == HOOK_URL
    assert call.params["secret_token"] == SECRET
    assert fake.calls_to("setMyCommands")
    assert fake.calls_to("getUpdates") == []


async def test_webhook_with_the_right_secret_is_accepted_and_answered(
    hook_app: web.Application,
    aiohttp_client: AiohttpClient,
    fake: FakeTelegramAPI,
    engine: Engine,
) -> None:
    client = await aiohttp_client(hook_app)
    update = text_update(5001, "apa itu jht")
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    response = await client.post(WEBHOOK_PATH, json=update, headers=headers)
    assert response.status == 200
    # Telegram redelivers when unsure: the second copy is accepted but not answered again.
    again = await client.post(WEBHOOK_PATH, json=update, headers=headers)
    assert again.status == 200
    await fake.wait_for("sendMessage")
    await client.close()  # stops the application after the queued updates are done
    assert texts(fake) == [console_body(engine, "apa itu jht")]


@pytest.mark.parametrize(
    ("headers", "status"), [({}, 401), ({"X-Telegram-Bot-Api-Secret-Token": "wrong"}, 403)]
)
async def test_webhook_without_the_right_secret_is_refused(
    hook_app: web.Application,
    aiohttp_client: AiohttpClient,
    fake: FakeTelegramAPI,
    headers: dict[str, str],
    status: int,
) -> None:
    client = await aiohttp_client(hook_app)
    response = await client.post(WEBHOOK_PATH, json=text_update(5002, "halo"), headers=headers)
    assert response.status == status
    await client.close()
    assert fake.calls_to("sendMessage") == []


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[1, 2]", b'{"update_id": "7"}', b"\xff\xfe"])
async def test_webhook_with_a_malformed_body_gets_400(
    hook_app: web.Application, aiohttp_client: AiohttpClient, raw: bytes
) -> None:
    client = await aiohttp_client(hook_app)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    response = await client.post(WEBHOOK_PATH, data=raw, headers=headers)
    assert response.status == 400


async def test_webhook_mode_refuses_to_start_without_a_secret(
    hook_settings: Settings, engine: Engine
) -> None:
    settings = replace(hook_settings, telegram_webhook_secret="")
    state = SqliteState(settings.state_db)
    try:
        with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
            make_app(
                settings, Runtime(settings, conversation=Conversation(engine, state, settings))
            )
    finally:
        state.close()


async def test_webhook_acknowledges_an_authentic_update_it_cannot_read(
    hook_app: web.Application,
    aiohttp_client: AiohttpClient,
    fake: FakeTelegramAPI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # An older poll shape that PTB 22.8 refuses: a 400 would make Telegram redeliver it forever.
    poll = {
        "id": "1",
        "question": "?",
        "options": [{"text": "Ya", "voter_count": 0}],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
    }
    client = await aiohttp_client(hook_app)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    response = await client.post(
        WEBHOOK_PATH, json={"update_id": 5003, "poll": poll}, headers=headers
    )
    assert response.status == 200
    await client.close()
    assert fake.calls_to("sendMessage") == []
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
