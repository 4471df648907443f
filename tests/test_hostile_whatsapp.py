"""Hostile and broken input on the WhatsApp channel, end to end over loopback: absurd amounts,
poison messages, lone surrogates inside a batch, hashed ids, text capped at the door, the
flood guard counting arrivals, a locked database."""

from __future__ import annotations

import asyncio
import json
import sqlite3

from bot import appkeys
from bot.intake import MAX_TEXT_CHARS
from handlers.notices import APOLOGY_TEXT, FLOOD_TEXT
from tests.fakes.graph_api import contact, envelope, text_message, text_webhook
from tests.rawhttp import raw_post
from tests.sealed_rows import opened, reseal
from tests.test_whatsapp_webhook import (  # noqa: F401 - fixtures
    PHONE_A,
    PHONE_B,
    SECRET,
    Bot,
    Clock,
    StartBot,
    bot,
    fast_options,
    start_bot,
)

HUGE = "1" + "0" * 28


async def test_a_29_digit_amount_is_answered_once_and_not_retried(bot: Bot) -> None:  # noqa: F811
    assert (
        await bot.post(text_webhook(PHONE_A, "wamid.huge", f"iuran bpu penghasilan Rp{HUGE}"))
        == 200
    )
    await bot.idle()
    [answer] = [c for c in bot.graph.delivered_to(PHONE_A)]
    assert "terlalu besar" in answer.text
    assert len(bot.graph.reads) == 1
    [row] = bot.inbox()
    assert (row["status"], row["attempts"], row["error"]) == ("done", 1, None)


async def test_a_poison_message_gets_an_apology_once_and_is_not_retried(
    bot: Bot,  # noqa: F811
) -> None:
    engine = bot.app[appkeys.CONVERSATION].engine

    def explode(*_args: object) -> object:
        raise ArithmeticError("a bug the engine has today")

    # A stand-in for any bug in the engine: the instance attributes shadow the methods (a
    # question that is an answer's title goes to `choose`).
    engine.respond = explode  # type: ignore[method-assign]
    engine.choose = explode  # type: ignore[method-assign]
    try:
        assert await bot.post(text_webhook(PHONE_A, "wamid.poison", "apa itu jht")) == 200
        await bot.idle()
    finally:
        del engine.respond, engine.choose
    assert [c.text for c in bot.graph.delivered_to(PHONE_A)] == [APOLOGY_TEXT]
    assert len(bot.graph.reads) == 1
    [row] = bot.inbox()
    assert (row["status"], row["attempts"]) == ("done", 1)


async def test_a_message_whose_answering_raises_is_recorded_once_not_retried(
    bot: Bot,  # noqa: F811
) -> None:
    conversation = bot.app[appkeys.CONVERSATION]

    def explode(*_args: object, **_kwargs: object) -> object:
        raise LookupError("a bug outside the engine")

    # Outside the engine's apology: the inbox worker itself must not retry it as temporary.
    conversation.handle = explode  # type: ignore[method-assign]
    try:
        assert await bot.post(text_webhook(PHONE_A, "wamid.poison2", "apa itu jht")) == 200
        await bot.idle()
    finally:
        del conversation.handle
    [row] = bot.inbox()
    assert (row["status"], row["attempts"], row["error"]) == ("failed", 1, "poison:LookupError")
    assert row["payload"] is None


async def test_a_lone_surrogate_does_not_take_the_rest_of_the_batch_with_it(
    bot: Bot,  # noqa: F811
) -> None:
    messages = [
        text_message(PHONE_A, "wamid.b1", "apa itu jht"),
        text_message(PHONE_B, "wamid.b2", "jht \ud83d cair"),
        text_message("62\ud83d81200000003", "wamid.b3", "halo"),
    ]
    payload = envelope(messages, [contact(PHONE_A), contact(PHONE_B)])
    assert await bot.post(payload) == 200
    await bot.idle()
    rows = bot.inbox()
    assert len(rows) == 3
    assert bot.graph.delivered_to(PHONE_A) and bot.graph.delivered_to(PHONE_B)


async def test_message_ids_are_stored_hashed(bot: Bot) -> None:  # noqa: F811
    await bot.post(text_webhook(PHONE_A, "wamid.HBgNNjI4MTIwMDAwMDAwMRUCABIYFDNB", "halo"))
    await bot.idle()
    [row] = bot.inbox()
    assert "wamid" not in row["message_id"] and PHONE_A not in row["message_id"]
    # Redelivered: still deduplicated by the hash.
    await bot.post(text_webhook(PHONE_A, "wamid.HBgNNjI4MTIwMDAwMDAwMRUCABIYFDNB", "halo"))
    await bot.idle()
    assert len(bot.inbox()) == 1


async def test_text_is_capped_at_the_door(start_bot: StartBot) -> None:  # noqa: F811
    wa = await start_bot(fast_options(run_worker=False))
    await wa.post(text_webhook(PHONE_A, "wamid.long", "jht " * 100_000))
    [row] = wa.inbox()
    assert len(opened(row)["text"]) == MAX_TEXT_CHARS
    # Sealed, base64: about 4/3 of the capped payload, nothing like the 400,000 characters sent.
    assert len(row["payload"]) < (MAX_TEXT_CHARS + 500) * 4 / 3


async def test_the_flood_guard_counts_arrivals_not_processing(
    start_bot: StartBot,  # noqa: F811
    wa_settings,
) -> None:
    # A slow writer: one message every 20 s for three minutes, answered much later in one go
    # (the worker was down). Arrival times are what the flood guard counts.
    clock = Clock()
    down = await start_bot(fast_options(run_worker=False))
    for i in range(9):
        clock.offset = -180 + 20 * i
        payload = text_webhook(PHONE_A, f"wamid.slow{i}", "apa itu jht")
        raw_time = clock.now()
        await down.post(payload)
        # As if it had arrived then: the time the webhook stored it with.
        with sqlite3.connect(down.state.path) as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM inbox ORDER BY id DESC LIMIT 1").fetchone()
            reseal(db, row, {**opened(row), "received_at": raw_time})
    await down.client.close()
    up = await start_bot(fast_options())
    await up.idle()
    texts = [c.text for c in up.graph.delivered_to(PHONE_A)]
    assert FLOOD_TEXT not in texts
    assert all(r["status"] == "done" for r in up.inbox())


async def test_a_locked_database_gets_503_quickly_and_healthz_says_why(
    start_bot: StartBot,  # noqa: F811
    wa_settings,
) -> None:
    wa = await start_bot(fast_options(run_worker=False))
    wa.app[appkeys.DB_GATE].wait_s = 2.0  # BOT_DB_WAIT_S's default, below the busy timeout
    async with wa.client.get("/healthz") as response:
        assert (await response.json())["checks"]["database"]["ok"] is True
    locker = sqlite3.connect(wa.state.path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        post = asyncio.create_task(wa.post(text_webhook(PHONE_A, "wamid.locked", "halo")))
        # While the webhook waits for the database, the loop is free: /healthz answers, and
        # says the database is locked.
        async with asyncio.timeout(1.0), wa.client.get("/healthz") as response:
            assert response.status == 503
            health = await response.json()
        assert health["checks"]["database"] == {"ok": False, "error": "locked"}
        assert not post.done()
        assert await post == 503
        async with asyncio.timeout(1.0), wa.client.get("/healthz") as response:
            assert response.status == 503
            health = await response.json()
        assert health["status"] == "fail"
        assert "database" in health["checks"]["webhook_store"]["error"]
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    # Meta redelivers; now it is stored once.
    assert await wa.post(text_webhook(PHONE_A, "wamid.locked", "halo")) == 200
    assert len(wa.inbox()) == 1
    async with wa.client.get("/healthz") as response:
        health = await response.json()
    assert health["checks"]["database"]["ok"] is True
    assert "webhook_store" not in health["checks"]


async def test_a_locked_database_never_piles_up_waiting_calls(
    start_bot: StartBot,  # noqa: F811
    wa_settings,
) -> None:
    wa = await start_bot(fast_options(run_worker=False))
    gate = wa.app[appkeys.DB_GATE]
    gate.wait_s = 0.3
    gate.max_waiting = 4
    locker = sqlite3.connect(wa.state.path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        statuses = await asyncio.gather(
            *(wa.post(text_webhook(PHONE_A, f"wamid.pile{i}", "halo")) for i in range(20))
        )
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert set(statuses) == {503}


async def test_a_signature_header_that_is_not_utf8_gets_403_not_500(bot: Bot) -> None:  # noqa: F811
    body = b'{"object": "whatsapp_business_account", "entry": []}'
    header = b"X-Hub-Signature-256: sha256=\xff\xfe"
    server = bot.client.server
    assert await raw_post(server.host, server.port, "/webhook/whatsapp", header, body) == 403


async def test_a_body_in_utf16_is_read_like_utf8(bot: Bot) -> None:  # noqa: F811
    from tests.fakes.graph_api import sign

    raw = json.dumps(text_webhook(PHONE_A, "wamid.utf16", "apa itu jht")).encode("utf-16")
    headers = {"X-Hub-Signature-256": sign(raw, SECRET), "Content-Type": "application/json"}
    async with bot.client.post("/webhook/whatsapp", data=raw, headers=headers) as response:
        assert response.status == 200
    await bot.idle()
    assert bot.graph.delivered_to(PHONE_A)
