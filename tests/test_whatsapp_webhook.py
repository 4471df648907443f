"""The WhatsApp channel end to end over loopback: the bot's real server (make_app) and worker,
and the fake Graph API. Nothing of ours is mocked; waits are event-driven."""

from __future__ import annotations

import asyncio
import copy
import io
import itertools
import json
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import Runtime, make_app
from bot.channels import whatsapp
from bot.channels.whatsapp import OPTIONS, WhatsAppOptions
from bot.channels.whatsapp.send import render
from bot.config import ConfigError, Settings
from bot.conversation import Conversation
from bot.engine import Engine
from bot.privacy import user_key
from bot.state import SqliteState
from core.session import Session
from handlers.notices import NOTICES
from tests.conftest import TODAY
from tests.fakes.graph_api import (
    DEFAULT_ACCESS_TOKEN,
    Call,
    FakeGraphAPI,
    contact,
    envelope,
    signed,
    text_message,
    text_webhook,
)
from tests.sealed_rows import opened

SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-token-for-tests"
FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"
MESSAGES: dict[str, Any] = json.loads((FIXTURES / "messages.json").read_text(encoding="utf-8"))
STATUSES: dict[str, Any] = json.loads((FIXTURES / "statuses.json").read_text(encoding="utf-8"))
PHONE_A = "6281200000001"
PHONE_B = "6281200000002"
WAIT_S = 10.0


def fixture_message(
    name: str, sender: str = PHONE_A, message_id: str | None = None
) -> dict[str, Any]:
    message: dict[str, Any] = copy.deepcopy(MESSAGES[name])
    message["from"] = sender
    message["id"] = message_id or f"wamid.{name}.{time.monotonic_ns()}"
    message["timestamp"] = str(int(time.time()))
    return message


@dataclass
class Bot:
    app: web.Application
    client: TestClient[web.Request, web.Application]
    state: SqliteState
    graph: FakeGraphAPI

    async def post(self, payload: dict[str, Any], secret: str = SECRET) -> int:
        raw, headers = signed(payload, secret)
        async with self.client.post("/webhook/whatsapp", data=raw, headers=headers) as response:
            await response.read()
            return response.status

    async def idle(self) -> None:
        """Until the worker has nothing in flight and nothing pending."""
        worker = self.app[whatsapp.RUNTIME].worker
        assert worker is not None
        async with asyncio.timeout(WAIT_S):
            await worker.wait_idle()

    def inbox(self) -> list[sqlite3.Row]:
        with sqlite3.connect(self.state.path) as db:
            db.row_factory = sqlite3.Row
            return db.execute("SELECT * FROM inbox ORDER BY id").fetchall()


@dataclass
class Clock:
    """Wall-clock time that a test can move forward."""

    offset: float = 0.0

    def now(self) -> float:
        return time.time() + self.offset


async def no_sleep(_seconds: float) -> None:
    await asyncio.sleep(0)


def fast_options(**changes: Any) -> WhatsAppOptions:
    """Production options with retries in no real time."""
    return replace(WhatsAppOptions(sleep=no_sleep, jitter=lambda: 0.5), **changes)


StartBot = Callable[..., Awaitable[Bot]]


@pytest.fixture
async def start_bot(
    wa_settings: Settings,
    engine: Engine,
    graph: FakeGraphAPI,
    aiohttp_client: Callable[..., Awaitable[TestClient[web.Request, web.Application]]],
) -> AsyncIterator[StartBot]:
    started: list[Bot] = []

    async def start(options: WhatsAppOptions | None = None) -> Bot:
        state = SqliteState(wa_settings.state_db)
        app = make_app(
            wa_settings, Runtime(wa_settings, conversation=Conversation(engine, state, wa_settings))
        )
        app[OPTIONS] = options or fast_options()
        bot = Bot(app, await aiohttp_client(app), state, graph)
        started.append(bot)
        return bot

    yield start
    for bot in reversed(started):
        await bot.client.close()
        bot.state.close()


@pytest.fixture
async def bot(start_bot: StartBot) -> Bot:
    return await start_bot()


JHT = "apa itu jht"


def parts(engine: Engine, text: str) -> int:
    """How many messages the answer to `text` takes (the knowledge decides, not this test)."""
    return len(render(engine.answer(text, Session(), TODAY)))


def answers_to(graph: FakeGraphAPI, recipient: str) -> list[str]:
    return [c.text for c in graph.delivered_to(recipient)]


def marker_of(call: Call) -> str:
    return call.marker.partition("#")[0]


# -- routes ------------------------------------------------------------------------------------


async def test_health_check_answers(bot: Bot) -> None:
    async with bot.client.get("/healthz") as response:
        assert (await response.json())["checks"]["database"] == {"ok": True}


async def test_verification_echoes_the_challenge_as_plain_text(bot: Bot) -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    async with bot.client.get("/webhook/whatsapp", params=params) as response:
        assert response.status == 200
        assert response.content_type == "text/plain"
        assert await response.text() == "1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {},
    ],
)
async def test_verification_is_refused_otherwise(bot: Bot, params: dict[str, str]) -> None:
    async with bot.client.get("/webhook/whatsapp", params=params) as response:
        assert response.status == 403
        assert "1" not in await response.text()


def test_the_channel_refuses_to_start_without_the_app_secret(
    wa_settings: Settings, engine: Engine
) -> None:
    broken = replace(wa_settings, whatsapp_app_secret="")
    state = SqliteState(broken.state_db)
    try:
        with pytest.raises(ConfigError, match="WHATSAPP_APP_SECRET"):
            make_app(broken, Runtime(broken, conversation=Conversation(engine, state, broken)))
    finally:
        state.close()


async def test_a_webhook_without_signature_is_401_and_ignored(bot: Bot) -> None:
    raw = json.dumps(text_webhook(PHONE_A, "wamid.nosig", "halo")).encode()
    async with bot.client.post("/webhook/whatsapp", data=raw) as response:
        assert response.status == 401
    assert bot.inbox() == []


@pytest.mark.parametrize("secret", ["another-secret", ""])
async def test_a_webhook_with_a_wrong_signature_is_403_and_ignored(bot: Bot, secret: str) -> None:
    assert await bot.post(text_webhook(PHONE_A, "wamid.badsig", "halo"), secret=secret) == 403
    assert bot.inbox() == []
    assert bot.graph.calls == []


async def test_a_body_over_3_mb_is_refused(bot: Bot) -> None:
    payload = text_webhook(PHONE_A, "wamid.big", "x" * (3 * 1024 * 1024))
    raw, headers = signed(payload, SECRET)
    headers["Content-Length"] = str(len(raw))
    async with bot.client.post(
        "/webhook/whatsapp", data=io.BytesIO(raw), headers=headers
    ) as response:
        assert response.status == 413
    assert bot.inbox() == []


async def test_a_chunked_body_over_3_mb_is_refused_while_reading(bot: Bot) -> None:
    raw, headers = signed(text_webhook(PHONE_A, "wamid.big2", "x" * (3 * 1024 * 1024)), SECRET)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(raw), 256 * 1024):
            yield raw[start : start + 256 * 1024]

    async with bot.client.post("/webhook/whatsapp", data=chunks(), headers=headers) as response:
        assert response.status == 413
    assert bot.inbox() == []


async def test_a_signed_body_that_is_not_json_is_acknowledged_and_ignored(bot: Bot) -> None:
    for raw in (b"{not json", b"\xff\xfe", b"", b"[" * 200_000 + b"]" * 200_000):
        headers = {"X-Hub-Signature-256": signed_raw(raw)}
        async with bot.client.post("/webhook/whatsapp", data=raw, headers=headers) as response:
            # 200: the same bytes would come back on every retry, so there is nothing to retry.
            assert response.status == 200
    assert bot.inbox() == []


def signed_raw(raw: bytes) -> str:
    from tests.fakes.graph_api import sign

    return sign(raw, SECRET)


# -- answering ---------------------------------------------------------------------------------


def shown(call: Call) -> dict[str, Any]:
    """A send without its envelope: what render() produced for the user."""
    envelope_keys = {"messaging_product", "recipient_type", "to", "recipient"}
    return {
        k: v for k, v in call.body.items() if k not in envelope_keys | {"biz_opaque_callback_data"}
    }


async def test_a_text_is_marked_read_then_answered(bot: Bot, engine: Engine) -> None:
    assert await bot.post(text_webhook(PHONE_A, "wamid.jht", "apa itu jht")) == 200
    expected = render(engine.answer("apa itu jht", Session(), TODAY))
    await bot.graph.wait_for(lambda: len(bot.graph.delivered) == len(expected))
    await bot.idle()
    read, *answers = bot.graph.calls
    assert read.body == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.jht",
    }
    assert [shown(c) for c in answers] == expected
    assert all(c.body["to"] == PHONE_A for c in answers)
    assert [c.marker for c in answers] == [
        f"wamid.jht#{i}/{len(expected)}" for i in range(1, len(expected) + 1)
    ]
    [row] = bot.inbox()
    assert (row["status"], row["payload"], row["error"]) == ("done", None, None)


async def test_a_typed_number_selects_an_offered_option(bot: Bot, engine: Engine) -> None:
    session = Session()
    menu = engine.answer("halo", session, TODAY)
    assert menu.options
    await bot.post(text_webhook(PHONE_A, "wamid.halo", "halo"))
    await bot.graph.wait_for(lambda: len(bot.graph.delivered) == len(render(menu)))
    number = min(3, len(menu.options))
    await bot.post(text_webhook(PHONE_A, "wamid.number", str(number)))
    chosen = engine.select(menu.options[number - 1].id, Session(), TODAY)
    await bot.graph.wait_for(
        lambda: any(chosen.text in c.text for c in bot.graph.delivered_to(PHONE_A))
    )


def offered_option(engine: Engine) -> str:
    """An option id the bot offers today (the knowledge changes; this test should not)."""
    return engine.answer("halo", Session(), TODAY).options[0].id


@pytest.mark.parametrize("name", ["button_reply", "list_reply", "quick_reply"])
async def test_a_button_list_or_quick_reply_selects_its_option(
    bot: Bot, engine: Engine, name: str
) -> None:
    option_id = offered_option(engine)
    message = fixture_message(name)
    if name == "quick_reply":
        message["button"]["payload"] = option_id
    else:
        message["interactive"][name]["id"] = option_id
    await bot.post(envelope([message], [contact(PHONE_A)]))
    expected = engine.select(option_id, Session(), TODAY)
    await bot.graph.wait_for(lambda: len(bot.graph.delivered) == len(render(expected)))
    assert expected.text in "\n".join(c.text for c in bot.graph.delivered)


async def test_a_quick_reply_with_a_payload_of_our_own_is_read_as_its_text(
    bot: Bot, engine: Engine
) -> None:
    await bot.post(envelope([fixture_message("quick_reply_free_payload")], [contact(PHONE_A)]))
    await bot.graph.wait_for(lambda: len(bot.graph.delivered) >= 1)
    await bot.idle()
    expected = engine.answer("berapa iuran bpu", Session(), TODAY)
    assert expected.text in "\n".join(answers_to(bot.graph, PHONE_A))


async def test_a_photo_with_a_caption_is_answered_as_a_question(bot: Bot, engine: Engine) -> None:
    await bot.post(envelope([fixture_message("image_caption")], [contact(PHONE_A)]))
    await bot.graph.wait_for(lambda: len(bot.graph.delivered) == parts(engine, JHT))
    assert engine.answer(JHT, Session(), TODAY).text in bot.graph.delivered[0].text


@pytest.mark.parametrize(
    ("name", "notice"),
    [
        ("voice", "voice"),
        ("audio", "audio"),
        ("image", "image"),
        ("video", "video"),
        ("document", "document"),
        ("sticker", "sticker"),
        ("location", "location"),
        ("contacts", "contacts"),
        ("unsupported", "unsupported"),
        ("unknown", "unsupported"),
        ("interactive_without_reply", "unsupported"),
        ("future_type", "unsupported"),
    ],
)
async def test_what_the_bot_cannot_read_gets_a_kind_text(bot: Bot, name: str, notice: str) -> None:
    await bot.post(envelope([fixture_message(name)], [contact(PHONE_A)]))
    await bot.graph.wait_for(lambda: len(bot.graph.delivered) == 1)
    await bot.idle()
    [answer] = bot.graph.delivered
    assert answer.body["type"] == "text"
    assert answer.text == NOTICES[notice]
    assert "Bapak/Ibu" in answer.text


async def test_a_burst_of_photos_gets_one_notice_and_every_one_is_marked_read(bot: Bot) -> None:
    photos = [fixture_message("image", message_id=f"wamid.photo{i}") for i in range(4)]
    await bot.post(envelope(photos, [contact(PHONE_A)]))
    await bot.graph.wait_for(lambda: len(bot.graph.reads) >= 1)
    await bot.idle()
    assert answers_to(bot.graph, PHONE_A) == [NOTICES["image"]]
    # One receipt, for the latest photo, sent when the first is answered: WhatsApp marks every
    # earlier message of the chat read with it.
    assert [c.body["message_id"] for c in bot.graph.reads] == ["wamid.photo3"]


async def test_messages_waiting_together_share_one_read_receipt_later_ones_get_their_own(
    start_bot: StartBot,
) -> None:
    bot = await start_bot(fast_options(concurrency=1))
    release = bot.graph.hold_next(1, only="send")
    await bot.post(text_webhook(PHONE_B, "wamid.first", "apa itu jkm"))
    await bot.graph.wait_for(lambda: len(bot.graph.sends) == 1)
    # While B's answer is held, A writes three lines in a row, and B once more.
    lines = [text_message(PHONE_A, f"wamid.line{i}", q) for i, q in enumerate(("halo", JHT, "?"))]
    await bot.post(envelope(lines, [contact(PHONE_A)]))
    await bot.post(text_webhook(PHONE_B, "wamid.second", "berapa iuran bpu"))
    release.set()
    await bot.graph.wait_for(lambda: {marker_of(c) for c in bot.graph.delivered} >= {
        "wamid.line0", "wamid.line1", "wamid.line2", "wamid.second"
    })  # fmt: skip
    await bot.idle()
    reads = [c.body["message_id"] for c in bot.graph.reads]
    # A: one receipt, for the last line (it marks the two before it read too). B: its first
    # message was read before the second came, which gets its own.
    assert sorted(reads) == ["wamid.first", "wamid.line2", "wamid.second"]
    # Every message is still answered, once and in order.
    assert list(dict.fromkeys(marker_of(c) for c in bot.graph.delivered_to(PHONE_A))) == [
        "wamid.line0", "wamid.line1", "wamid.line2"
    ]  # fmt: skip
    assert all(count == 1 for count in bot.graph.markers().values())


@pytest.mark.parametrize("name", ["reaction", "reaction_removed", "system"])
async def test_reactions_and_system_messages_get_no_reply(bot: Bot, name: str) -> None:
    assert await bot.post(envelope([fixture_message(name)], [contact(PHONE_A)])) == 200
    await bot.idle()
    assert bot.inbox() == []
    assert bot.graph.calls == []


async def test_statuses_produce_no_send_and_failures_are_logged_by_code_only(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    statuses = [copy.deepcopy(STATUSES[n]) for n in ("sent", "delivered", "read", "failed_131047")]
    assert await bot.post(envelope(statuses=statuses)) == 200
    # Statuses are delivered at least once too: the same failure is logged once.
    assert await bot.post(envelope(statuses=[copy.deepcopy(STATUSES["failed_131047"])])) == 200
    await bot.idle()
    assert bot.graph.calls == []
    assert bot.inbox() == []
    failures = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) == 1 and "131047" in failures[0]
    assert "wamid" not in caplog.text and PHONE_A not in caplog.text


# -- who the user is ---------------------------------------------------------------------------


async def test_users_are_keyed_by_bsuid_and_no_raw_id_stays_in_the_state(
    bot: Bot, wa_settings: Settings
) -> None:
    bsuid = "ID.13491208655302741918"
    await bot.post(text_webhook(PHONE_A, "wamid.b1", "apa itu jht", user_id=bsuid))
    # A new phone number, the same business-scoped id: the same user.
    await bot.post(text_webhook(PHONE_B, "wamid.b2", "berapa iuran bpu", user_id=bsuid))
    await bot.graph.wait_for(lambda: len(bot.graph.delivered) >= 2)
    await bot.idle()
    expected = user_key("whatsapp", bsuid, wa_settings.secret_salt)
    assert {row["user_key"] for row in bot.inbox()} == {expected}
    assert answers_to(bot.graph, PHONE_A) and answers_to(bot.graph, PHONE_B)
    dump = "\n".join(sqlite3.connect(bot.state.path).iterdump())
    for raw in (bsuid, PHONE_A, PHONE_B):
        assert raw not in dump


async def test_a_user_who_hides_the_number_is_answered_by_bsuid(bot: Bot) -> None:
    bsuid = "ID.99990000111122223333"
    message = fixture_message("voice", bsuid)
    await bot.post(envelope([message], [{"profile": {"name": "A"}, "user_id": bsuid}]))
    await bot.graph.wait_for(lambda: len(bot.graph.delivered) == 1)
    [answer] = bot.graph.delivered
    assert answer.body["recipient"] == bsuid and "to" not in answer.body


async def test_logs_hold_no_number_bsuid_token_or_text(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bsuid = "ID.55550000111122223333"
    bot.graph.fail_next(1, 503)
    bot.graph.reject_next(1, 131047)
    await bot.post(text_webhook(PHONE_A, "wamid.l1", "rahasia pertanyaan satu", user_id=bsuid))
    await bot.post(text_webhook(PHONE_B, "wamid.l2", "rahasia pertanyaan dua"))
    await bot.post(envelope([fixture_message("voice", PHONE_B)], [contact(PHONE_B)]))
    await bot.post(envelope(statuses=[copy.deepcopy(STATUSES["failed_131047"])]))
    await bot.idle()
    assert caplog.records
    for secret in (PHONE_A, PHONE_B, bsuid, "rahasia", DEFAULT_ACCESS_TOKEN, SECRET, "wamid."):
        assert secret not in caplog.text


# -- at least once in, exactly once out --------------------------------------------------------


async def test_a_redelivered_message_is_answered_once(bot: Bot, engine: Engine) -> None:
    payload = text_webhook(PHONE_A, "wamid.again", JHT)
    assert await bot.post(payload) == 200
    await bot.graph.wait_for(lambda: len(bot.graph.delivered) == parts(engine, JHT))
    await bot.idle()
    assert await bot.post(payload) == 200
    await bot.idle()
    assert len(bot.graph.delivered) == parts(engine, JHT)
    assert len(bot.graph.reads) == 1


async def test_overlapping_deliveries_of_one_message_are_answered_once(
    bot: Bot, engine: Engine
) -> None:
    payload = text_webhook(PHONE_A, "wamid.overlap", JHT)
    statuses = await asyncio.gather(*(bot.post(payload) for _ in range(8)))
    assert statuses == [200] * 8
    await bot.graph.wait_for(lambda: len(bot.graph.delivered) == parts(engine, JHT))
    await bot.idle()
    assert len(bot.graph.delivered) == parts(engine, JHT)
    assert len(bot.graph.reads) == 1
    assert len(bot.inbox()) == 1


async def test_the_webhook_acknowledges_while_the_graph_api_is_stuck(bot: Bot) -> None:
    release = bot.graph.hold_next(100)
    assert await bot.post(text_webhook(PHONE_A, "wamid.slow1", "apa itu jht")) == 200
    await bot.graph.wait_for(lambda: len(bot.graph.calls) == 1)
    # The Graph API holds the first call and has not been allowed to answer...
    assert not release.is_set() and not bot.graph.calls[0].answered
    # ...and new webhooks are still acknowledged at once, and stored.
    assert await bot.post(text_webhook(PHONE_B, "wamid.slow2", "berapa iuran bpu")) == 200
    assert not bot.graph.calls[0].answered
    assert len(bot.inbox()) == 2
    release.set()
    await bot.graph.wait_for(lambda: len(bot.graph.delivered) >= 2)
    await bot.idle()
    assert {marker_of(c) for c in bot.graph.delivered} == {"wamid.slow1", "wamid.slow2"}


async def test_one_users_messages_are_answered_in_order_while_others_go_ahead(bot: Bot) -> None:
    release = bot.graph.hold_next(1, only="send")
    await bot.post(text_webhook(PHONE_A, "wamid.a1", "apa itu jht"))
    await bot.graph.wait_for(lambda: len(bot.graph.sends) == 1)
    await bot.post(text_webhook(PHONE_A, "wamid.a2", "berapa iuran bpu"))
    await bot.post(text_webhook(PHONE_B, "wamid.b1", "apa itu jkm"))
    # B is answered while A's first answer is still held.
    await bot.graph.wait_for(lambda: len(bot.graph.delivered_to(PHONE_B)) >= 1)
    assert bot.graph.delivered_to(PHONE_A) == []
    release.set()
    await bot.graph.wait_for(
        lambda: {marker_of(c) for c in bot.graph.delivered_to(PHONE_A)} == {"wamid.a1", "wamid.a2"}
    )
    await bot.idle()
    first_done = max(c.answered_at for c in bot.graph.calls if marker_of(c) == "wamid.a1")
    second_read = next(c for c in bot.graph.reads if c.body["message_id"] == "wamid.a2")
    # A's second message was not even marked read before A's first answer was through.
    assert first_done < second_read.arrived_at


async def test_sends_in_flight_are_bounded(start_bot: StartBot, engine: Engine) -> None:
    bot = await start_bot(fast_options(concurrency=2))
    release = bot.graph.hold_next(100)
    phones = [f"62812000001{i:02d}" for i in range(6)]
    messages = [text_message(p, f"wamid.c{i}", "apa itu jht") for i, p in enumerate(phones)]
    await bot.post(envelope(messages, [contact(p) for p in phones]))
    await bot.graph.wait_for(lambda: len(bot.graph.calls) >= 2)
    # Not needed to pass: gives an unbounded sender the time to show itself.
    await asyncio.sleep(0.05)
    release.set()
    await bot.graph.wait_for(lambda: len(bot.graph.delivered) == 6 * parts(engine, JHT))
    await bot.idle()
    assert bot.graph.max_in_flight == 2


def turns_run(bot: Bot) -> int:
    """How many messages' turns have left their mark: a question logged (committed with the
    item's record) or a reply stored to resume."""
    with sqlite3.connect(bot.state.path) as db:
        logged = int(db.execute("SELECT COUNT(*) FROM questions").fetchone()[0])
    resumable = sum("outbox" in opened(row) for row in bot.inbox() if row["payload"] is not None)
    return logged + resumable


async def test_with_one_send_in_flight_reply_parts_go_out_one_after_the_other(
    start_bot: StartBot, engine: Engine
) -> None:
    # BOT_SENDS_IN_FLIGHT=1: a worker killed at any instant can have sent at most one reply
    # part without having stored it, so at most one goes out twice after the takeover.
    bot = await start_bot(fast_options(sends_in_flight=1))
    release = bot.graph.hold_next(1, only="send")
    phones = [f"62812000002{i:02d}" for i in range(5)]
    messages = [text_message(p, f"wamid.one{i}", "apa itu jht") for i, p in enumerate(phones)]
    await bot.post(envelope(messages, [contact(p) for p in phones]))
    # The first reply's send is held at the fake: no other send may follow, and the four
    # other messages wait for the send slot before their turns, so nothing of theirs is
    # worked out (nor stored) while it is held.
    await bot.graph.wait_for(lambda: len(bot.graph.sends) >= 1)
    await bot.graph.wait_for(lambda: len(bot.graph.reads) == 5)  # every blue tick is out
    assert len(bot.graph.sends) == 1
    assert turns_run(bot) == 0
    release.set()
    await bot.graph.wait_for(lambda: len(bot.graph.delivered) == 5 * parts(engine, JHT))
    await bot.idle()
    assert turns_run(bot) == 5
    sends = sorted(bot.graph.sends, key=lambda c: c.arrived_at)
    assert all(b.arrived_at > a.answered_at for a, b in itertools.pairwise(sends))


async def test_a_failing_graph_api_is_retried_and_the_answer_delivered_once(
    bot: Bot, engine: Engine
) -> None:
    bot.graph.fail_next(2, 503)
    bot.graph.rate_limit_next(1)
    await bot.post(text_webhook(PHONE_A, "wamid.retry", JHT))
    n = parts(engine, JHT)
    await bot.graph.wait_for(lambda: len(bot.graph.delivered) == n)
    await bot.idle()
    assert [c.status for c in bot.graph.sends] == [503, 503, 429] + [200] * n
    assert bot.graph.markers() == {f"wamid.retry#{i}/{n}": 1 for i in range(1, n + 1)}
    [row] = bot.inbox()
    assert (row["status"], row["error"]) == ("done", None)


async def test_outside_the_24_hour_window_the_failure_is_recorded_not_retried(bot: Bot) -> None:
    bot.graph.reject_next(1, 131047)
    await bot.post(text_webhook(PHONE_A, "wamid.late", "apa itu jht"))
    await bot.graph.wait_for(lambda: len(bot.graph.sends) == 1)
    await bot.idle()
    assert len(bot.graph.sends) == 1
    [row] = bot.inbox()
    assert (row["status"], row["error"], row["payload"]) == ("failed", "131047", None)


async def test_a_graph_outage_postpones_the_answer_and_gives_up_in_the_end(
    start_bot: StartBot,
) -> None:
    clock = Clock()
    bot = await start_bot(fast_options(max_item_attempts=2, clock=clock.now))
    worker = bot.app[whatsapp.RUNTIME].worker
    assert worker is not None
    bot.graph.fail_next(10, 503)
    await bot.post(text_webhook(PHONE_A, "wamid.outage", "apa itu jht"))
    await bot.graph.wait_for(lambda: len(bot.graph.sends) == 5)
    async with asyncio.timeout(WAIT_S):
        await worker.wait_settled()
    [row] = bot.inbox()
    # Five attempts in one go, then the message waits for a later try.
    assert (row["status"], row["error"], row["attempts"]) == ("pending", "503", 1)
    assert row["lease_until"] > clock.now()
    # The rendered answer is kept, so the next attempt resumes instead of asking the engine again.
    assert opened(row)["outbox"]
    clock.offset += 3600
    worker.wake()
    await bot.graph.wait_for(lambda: len(bot.graph.sends) == 10)
    await bot.idle()
    [row] = bot.inbox()
    assert (row["status"], row["error"], row["payload"]) == ("failed", "gave_up:503", None)
    # The mark-as-read was not repeated: the second attempt resumed the sending.
    assert len(bot.graph.reads) == 1


async def test_pending_messages_are_answered_after_a_restart(
    start_bot: StartBot, graph: FakeGraphAPI
) -> None:
    first = await start_bot(fast_options(run_worker=False))
    await first.post(text_webhook(PHONE_A, "wamid.r1", "apa itu jht"))
    await first.post(text_webhook(PHONE_B, "wamid.r2", "berapa iuran bpu"))
    await first.post(text_webhook(PHONE_A, "wamid.r3", "apa itu jkm"))
    assert first.state.pending_count("whatsapp") == 3
    await first.client.close()
    assert graph.calls == []

    second = await start_bot()
    await graph.wait_for(
        lambda: {marker_of(c) for c in graph.delivered} == {"wamid.r1", "wamid.r2", "wamid.r3"}
    )
    await second.idle()
    assert all(count == 1 for count in graph.markers().values())
    order = [marker_of(c) for c in graph.delivered_to(PHONE_A)]
    assert order == sorted(order)  # r1 before r3: in the order asked


async def test_messages_claimed_by_a_dead_worker_are_answered_once_the_lease_expires(
    start_bot: StartBot, graph: FakeGraphAPI, wa_settings: Settings, engine: Engine
) -> None:
    first = await start_bot(fast_options(run_worker=False))
    await first.post(text_webhook(PHONE_A, "wamid.dead", "apa itu jht"))
    await first.client.close()
    # A worker claimed it long ago and was killed (-9) before answering: its lease has run out.
    other = SqliteState(wa_settings.state_db)
    [claimed] = other.claim("whatsapp", time.time() - 1000, lease_s=60)
    other.close()
    assert opened(claimed)["wamid"] == "wamid.dead"  # the inbox keeps only a hash of the id

    second = await start_bot()
    n = parts(engine, JHT)
    await graph.wait_for(lambda: len(graph.delivered) == n)
    await second.idle()
    assert graph.markers() == {f"wamid.dead#{i}/{n}": 1 for i in range(1, n + 1)}


async def test_a_shutdown_releases_unfinished_messages_with_their_progress(
    start_bot: StartBot, graph: FakeGraphAPI, engine: Engine
) -> None:
    first = await start_bot(fast_options(drain_s=0.0))
    release = graph.hold_next(1, only="send")
    await first.post(text_webhook(PHONE_A, "wamid.shut", "apa itu jht"))
    await graph.wait_for(lambda: len(graph.sends) == 1)
    await first.client.close()
    [row] = first.inbox()
    assert (row["status"], row["error"]) == ("pending", "shutdown")
    assert row["lease_until"] <= time.time()
    stored = opened(row)
    assert (stored["sent"], len(stored["outbox"])) == (0, parts(engine, JHT))
    release.set()
    before = len(graph.calls)

    second = await start_bot()
    await second.idle()
    assert second.inbox()[0]["status"] == "done"
    # The new start resumed with the first part (no second mark-as-read, no second turn).
    resent = graph.calls[before:]
    assert resent and all(not c.is_read for c in resent)
    assert resent[0].marker.startswith("wamid.shut#1/")


async def test_a_full_run_leaves_no_raw_id_or_number_in_logs_or_databases(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    """Privacy end to end: ids, phone numbers and an NIK typed into a question appear in no log
    line and nowhere in the state database once the messages are answered."""
    bsuid = "ID.99887766554433221100"
    nik = "5301012345670001"
    other_phone = "081399998888"
    kpj = "12345678901"
    caplog.set_level(logging.DEBUG)
    await bot.post(text_webhook(PHONE_A, "wamid.p1", f"nik saya {nik} kpj {kpj}, jht bisa cair?"))
    await bot.post(
        text_webhook(PHONE_B, "wamid.p2", f"tolong hubungi {other_phone} soal iuran", user_id=bsuid)
    )
    await bot.post(text_webhook(PHONE_A, "wamid.p3", "xqzv kkkk"))
    await bot.graph.wait_for(lambda: len(bot.graph.delivered) >= 3)
    await bot.idle()
    dump = "\n".join(sqlite3.connect(bot.state.path).iterdump())
    logs = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (PHONE_A, PHONE_B, bsuid, nik, other_phone, kpj):
        assert secret not in dump
        assert secret not in logs
    stored = [
        row[0] for row in sqlite3.connect(bot.state.path).execute("SELECT text FROM questions")
    ]
    assert any("[nomor]" in text for text in stored)
