"""Native touches: Telegram deep links and descriptions, links back to the bot under forwarded
answers, and WhatsApp's typing indicator while an answer waits on a retry. Real PTB and the
real WhatsApp worker against the fakes over loopback."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from urllib.parse import quote

import pytest
from aiohttp import web

from bot.app import Runtime, make_app
from bot.channels.telegram.adapter import DESCRIPTION, SHORT_DESCRIPTION, TelegramChannel
from bot.channels.text import body
from bot.channels.whatsapp import OPTIONS, WhatsAppOptions
from bot.config import Settings
from bot.conversation import Conversation
from bot.engine import Engine
from bot.links import telegram_link, whatsapp_link
from bot.state import SqliteState
from core.session import Session
from tests.conftest import TODAY
from tests.fakes.graph_api import FakeGraphAPI
from tests.fakes.telegram_api import BOT_USERNAME, FakeTelegramAPI, callback_update, text_update
from tests.test_telegram import deliver, running
from tests.whatsapp_support import Client, ask_and_wait

BOT_NUMBER = "6281100002222"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    from tests.fakes.telegram_api import serve_fake

    async with serve_fake() as api:
        yield api


@pytest.fixture
async def tg(
    settings: Settings, fake: FakeTelegramAPI, engine: Engine
) -> AsyncIterator[TelegramChannel]:
    from tests.fakes.telegram_api import TOKEN

    tg_settings = replace(settings, telegram_token=TOKEN, telegram_api_url=fake.api_url)
    async with running(tg_settings, engine) as channel:
        yield channel


def seen(fake: FakeTelegramAPI) -> list[str]:
    return [html.unescape(call.text) for call in fake.sent]


# -- Telegram ------------------------------------------------------------------------------------


async def test_the_description_and_short_description_are_set_in_indonesian_at_start_up(
    tg: TelegramChannel, fake: FakeTelegramAPI
) -> None:
    (long,) = fake.calls_to("setMyDescription")
    (short,) = fake.calls_to("setMyShortDescription")
    assert long.params["description"] == DESCRIPTION
    assert short.params["short_description"] == SHORT_DESCRIPTION
    assert len(DESCRIPTION) <= 512 and len(SHORT_DESCRIPTION) <= 120
    for text in (DESCRIPTION, SHORT_DESCRIPTION):
        assert "BPJS Ketenagakerjaan" in text and "tidak resmi" in text


@pytest.mark.parametrize("intent", ["iuran_bpu", "jht_apa", "kantor_cabang"])
async def test_a_start_deep_link_answers_its_intent(
    intent: str, tg: TelegramChannel, fake: FakeTelegramAPI, engine: Engine
) -> None:
    await deliver(tg, text_update(8001, f"/start {intent}"))
    (shown,) = seen(fake)
    assert shown == body(engine.select(intent, Session(), TODAY))


async def test_a_start_link_with_an_unknown_payload_greets(
    tg: TelegramChannel, fake: FakeTelegramAPI, engine: Engine
) -> None:
    await deliver(tg, text_update(8002, "/start tidak_ada"))
    assert seen(fake) == [body(engine.select("salam", Session(), TODAY))]


async def test_the_forwardable_text_ends_with_a_deep_link_that_opens_the_same_answer(
    tg: TelegramChannel, fake: FakeTelegramAPI, engine: Engine
) -> None:
    await deliver(tg, text_update(8003, "berapa iuran bpu"))
    await deliver(tg, callback_update(8003, "bagikan"))
    shared = seen(fake)[-1]
    link = f"https://t.me/{BOT_USERNAME}?start=iuran_bpu"
    assert shared.endswith(link)
    assert "Rp" in shared  # the figures themselves are still there
    # Whoever gets it forwarded taps the link: Telegram sends /start iuran_bpu.
    await deliver(tg, text_update(8004, f"/start {link.rpartition('=')[2]}"))
    assert seen(fake)[-1] == body(engine.select("iuran_bpu", Session(), TODAY))


def test_links_are_only_made_from_what_each_platform_accepts() -> None:
    assert telegram_link("", "iuran_bpu") is None
    assert telegram_link("Bot", "ada spasi") is None
    assert telegram_link("Bot", "x" * 65) is None
    assert whatsapp_link("", "Apa itu JHT") is None
    assert whatsapp_link("+62811", "Apa itu JHT") is None
    assert whatsapp_link("62811", "Apa itu JHT") == "https://wa.me/62811?text=Apa%20itu%20JHT"


# -- WhatsApp ------------------------------------------------------------------------------------


async def no_sleep(_seconds: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture
async def wa(
    wa_settings: Settings, engine: Engine, aiohttp_client: Callable[..., Awaitable[Client]]
) -> AsyncIterator[tuple[web.Application, Client]]:
    settings = replace(wa_settings, whatsapp_number=BOT_NUMBER)
    state = SqliteState(settings.state_db)
    app = make_app(settings, Runtime(settings, conversation=Conversation(engine, state, settings)))
    app[OPTIONS] = WhatsAppOptions(sleep=no_sleep, jitter=lambda: 0.5)
    client = await aiohttp_client(app)
    yield app, client
    await client.close()
    state.close()


async def send(wa: tuple[web.Application, Client], text: str) -> str:
    return await ask_and_wait(*wa, text, sender="6281300004444")


async def test_the_forwardable_text_on_whatsapp_ends_with_a_wa_me_link_that_opens_the_answer(
    wa: tuple[web.Application, Client], graph: FakeGraphAPI, engine: Engine
) -> None:
    await send(wa, "apa itu jht")
    await send(wa, "bagikan")
    shared = graph.sends[-1].text
    title = engine.knowledge.intents["jht_apa"].title
    link = f"https://wa.me/{BOT_NUMBER}?text={quote(title)}"
    assert shared.endswith(link)
    # The link fills in the answer's title; sent as it is, it opens that answer.
    before = len(graph.sends)
    await send(wa, title)
    opened = "\n".join(call.text for call in graph.sends[before:])
    assert body(engine.select("jht_apa", Session(), TODAY)).split("\n")[0] in opened


async def test_without_a_configured_number_the_forwardable_text_has_no_wa_me_link(
    wa_settings: Settings,
    engine: Engine,
    graph: FakeGraphAPI,
    aiohttp_client: Callable[..., Awaitable[Client]],
) -> None:
    settings = replace(wa_settings, whatsapp_number="")
    state = SqliteState(settings.state_db)
    app = make_app(settings, Runtime(settings, conversation=Conversation(engine, state, settings)))
    app[OPTIONS] = WhatsAppOptions(sleep=no_sleep, jitter=lambda: 0.5)
    client = await aiohttp_client(app)
    try:
        await send((app, client), "apa itu jht")
        await send((app, client), "bagikan")
    finally:
        await client.close()
        state.close()
    assert "wa.me" not in graph.sends[-1].text


async def test_the_typing_indicator_shows_while_an_answer_waits_on_a_retry(
    wa: tuple[web.Application, Client], graph: FakeGraphAPI
) -> None:
    graph.fail_next(2, 503)
    wamid = await send(wa, "apa itu jht")
    typing = [
        i for i, call in enumerate(graph.calls) if call.body.get("typing_indicator") is not None
    ]
    failed = [i for i, call in enumerate(graph.calls) if call.status == 503]
    assert len(typing) == 2 and len(failed) == 2
    # Each wait after a failed send shows the indicator on the user's message, then the retry.
    assert all(f < t for f, t in zip(failed, typing, strict=True))
    assert all(graph.calls[t].body["message_id"] == wamid for t in typing)
    assert graph.calls[typing[0]].body["typing_indicator"] == {"type": "text"}
    assert graph.calls[-1].status == 200 and not graph.calls[-1].is_status
    assert len(graph.typings) == 2
