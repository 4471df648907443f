"""End to end: traffic on WhatsApp and Telegram full of phone numbers, NIKs and KPJs, then not one
raw identifier in any file of the data folder (the WAL included) or in the log."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import Runtime, make_app
from bot.channels import telegram, whatsapp
from bot.channels.telegram import WEBHOOK_PATH
from bot.config import Settings
from bot.conversation import Conversation
from bot.engine import Engine
from bot.state import SqliteState
from tests.fakes.graph_api import (
    FakeGraphAPI,
    signed,
    text_webhook,
)
from tests.fakes.telegram_api import TOKEN, FakeTelegramAPI, text_update
from tests.test_telegram import fake  # noqa: F401 - a fixture
from tests.test_whatsapp_webhook import (
    SECRET,
    fast_options,
)

# Senders, and numbers people type into their questions.
WA_SENDERS = ["6281311112222", "6285733334444"]
BSUID = "ID.4455667788990011223"
BSUID_PHONE = "6287755556666"
TG_CHATS = [700000009, 700000077]
TG_GROUP = -1001234567890
NIK = "3201234567890125"
KPJ = "12345678901"
TYPED_PHONE = "081298765432"
QUESTIONS = [
    f"NIK saya {NIK} bisa cek saldo jht?",
    f"kpj {KPJ} hilang gimana",
    f"hubungi saya di {TYPED_PHONE[:4]} {TYPED_PHONE[4:8]} {TYPED_PHONE[8:]} ya",
    f"iuran pekerja mandiri {NIK} rupiah",  # kept in the session for a clarification
    "no hp 0812.9876.5432, nik 3201/2345/6789/0125",
]
WAMID = "wamid.HBgNNjI4MTMxMTExMjIyMhUCABIYFDNBQ0Q="


def raw_identifiers() -> list[str]:
    return [
        *WA_SENDERS,
        BSUID,
        BSUID_PHONE,
        *(str(c) for c in TG_CHATS),
        str(TG_GROUP),
        NIK,
        KPJ,
        TYPED_PHONE,
        "98765432",
        "wamid.",
        "HBgNNjI4",
    ]


async def test_no_raw_identifier_reaches_the_disk_or_the_log(
    wa_settings: Settings,
    graph: FakeGraphAPI,
    engine: Engine,
    fake: FakeTelegramAPI,  # noqa: F811
    aiohttp_client: Callable[..., Awaitable[TestClient[web.Request, web.Application]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    both = replace(
        wa_settings,
        telegram_token=TOKEN,
        telegram_api_url=fake.api_url,
        telegram_webhook_url="https://bot.example.org/webhook/telegram",
        telegram_webhook_secret="s3cret",
    )
    state = SqliteState(both.state_db)
    app = make_app(both, Runtime(both, conversation=Conversation(engine, state, both)))
    app[whatsapp.OPTIONS] = fast_options(scrub_every_s=0.0, poll_s=0.05)
    client = await aiohttp_client(app)
    sent = 0
    for n, question in enumerate(QUESTIONS):
        for i, sender in enumerate(WA_SENDERS):
            raw, headers = signed(text_webhook(sender, f"{WAMID}{n}{i}", question), SECRET)
            async with client.post("/webhook/whatsapp", data=raw, headers=headers) as response:
                assert response.status == 200
            sent += 1
        raw, headers = signed(text_webhook(BSUID, f"{WAMID}{n}b", question, user_id=BSUID), SECRET)
        async with client.post("/webhook/whatsapp", data=raw, headers=headers) as response:
            assert response.status == 200
        for chat in TG_CHATS:
            update = text_update(chat, question)
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
            async with client.post(WEBHOOK_PATH, json=update, headers=headers) as response:
                assert response.status == 200
        group = text_update(
            TG_GROUP, f"@{'TanyaJamsosBot'} {question}", kind="supergroup", user_id=TG_CHATS[0]
        )
        async with client.post(WEBHOOK_PATH, json=group, headers=headers) as response:
            assert response.status == 200
    # While messages still wait or are being answered, their addresses and texts are on disk,
    # sealed: not one raw identifier in the database, its WAL, or any other file, even now.
    in_flight = _leaks(both.data_dir, raw_identifiers())
    await fake.wait_for("sendMessage", count=len(QUESTIONS) * len(TG_CHATS))
    worker = app[whatsapp.RUNTIME].worker
    assert worker is not None
    async with asyncio.timeout(20):
        # Telegram's updates go through the same inbox, answered by their own worker.
        await app[telegram.WORKER_KEY].wait_idle()
        await worker.wait_idle()
        # A reply postponed by a retry leaves its row pending, raw chat id and all, while both
        # workers are idle: wait until nothing is unfinished. The condition lives in the
        # database, so there is no event to wait on.
        while state.pending_count():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        worker.scrubbed.clear()
        await worker.scrubbed.wait()
    assert len(graph.delivered) >= sent
    # While the bot still runs (the WAL is still there): every file of the data folder.
    leaks = _leaks(both.data_dir, raw_identifiers())
    live = _live_rows(both.state_db, raw_identifiers())
    logged = caplog.text
    await client.close()
    state.close()
    # No stored row, no page of the database (freed or rebuilt ones included: the inbox
    # payloads are sealed), no WAL, no other file and no log line holds a raw identifier.
    assert live == []
    assert in_flight == []
    assert leaks == []
    assert [r for r in raw_identifiers() if r in logged] == []


def _leaks(folder: Path, needles: list[str]) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name == "knowledge.db":
            continue
        data = path.read_bytes()
        found.extend(f"{path.name}: {n}" for n in needles if n.encode() in data)
    return found


def _live_rows(path: Path, needles: list[str]) -> list[str]:
    with sqlite3.connect(path) as con:
        tables = [
            name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return [
            f"{table} row: {needle}"
            for table in tables
            for row in con.execute(f'SELECT * FROM "{table}"')
            for needle in needles
            if needle in str(row)
        ]
