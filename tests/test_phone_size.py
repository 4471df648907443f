"""Answers that fit a phone: a short first message, the rest one option away on every channel."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.channels.console import render as console_render
from bot.channels.telegram import render as telegram_render
from bot.channels.telegram.render import CallbackCodec
from bot.channels.whatsapp import send as whatsapp_send
from bot.engine import Engine
from core.session import Session
from handlers.present import FIRST_MESSAGE_CHARS
from knowledge import Knowledge
from knowledge.options import option_ids

# "At most about 500 characters": the answer is split to 500, a warning may add a little.
LIMIT = FIRST_MESSAGE_CHARS + 60
DAYS = (date(2026, 11, 21), date(2026, 12, 1), date(2027, 6, 1), date(2028, 3, 1))
WHATSAPP_TEXT_LIMIT = 4096


@pytest.mark.parametrize("today", DAYS)
def test_no_first_message_of_any_intent_exceeds_the_limit(
    engine: Engine, knowledge: Knowledge, today: date
) -> None:
    too_long = {}
    for intent_id, intent in knowledge.intents.items():
        replies = [engine.select(intent_id, Session(), today)]
        replies += [engine.answer(e, Session(), today) for e in intent.examples[:5]]
        for reply in replies:
            if len(reply.text) > LIMIT:
                too_long[(intent_id, reply.text[:40])] = len(reply.text)
    assert not too_long


def test_the_welcome_fits_one_screen(engine: Engine) -> None:
    reply = engine.select("salam", Session(), date(2026, 11, 21))
    assert len(reply.text) <= 400
    assert len(reply.options) <= 6
    assert "tidak resmi" in reply.text and "175" in reply.text


def test_details_and_sources_are_one_option_away(engine: Engine) -> None:
    session = Session()
    today = date(2026, 11, 21)
    first = engine.answer("penghasilan 2 juta iurannya berapa", session, today)
    assert first.options[0].title == "Rincian"
    assert "Sumber:" not in console_render(first).split("1. Rincian")[0]
    more = engine.select("rincian", session, today)
    assert "Cara hitung" in more.text and "Sumber:" in more.text
    assert first.details in more.text


def test_every_channel_offers_the_details_option(engine: Engine, knowledge: Knowledge) -> None:
    reply = engine.answer("apa itu jht", Session(), date(2026, 11, 21))
    assert "1. Rincian" in console_render(reply)
    sent = telegram_render.render(reply, CallbackCodec(lambda: option_ids(knowledge)))
    buttons = [
        b.text for o in sent if o.keyboard for row in o.keyboard.inline_keyboard for b in row
    ]
    assert "Rincian" in buttons
    messages = whatsapp_send.render(reply)
    assert "Rincian" in json.dumps(messages)


def test_the_share_text_fits_one_whatsapp_message(engine: Engine, knowledge: Knowledge) -> None:
    for today in DAYS:
        for intent_id in knowledge.intents:
            session = Session()
            reply = engine.select(intent_id, session, today)
            if any(o.id == "bagikan" for o in reply.options):
                shared = engine.select("bagikan", session, today).text
                assert len(shared) <= WHATSAPP_TEXT_LIMIT
                assert "Info per" in shared


def test_a_follow_up_after_the_details_still_goes_to_the_calculator(engine: Engine) -> None:
    session = Session()
    today = date(2027, 6, 1)
    engine.answer("iuran petani berapa", session, today)
    engine.select("rincian", session, today)
    reply = engine.answer("kalau 2 juta?", session, today)
    # With an income the answer is the calculation (the same handler).
    assert reply.intent in ("iuran_bpu", "iuran_bpu_hitung") and "Rp26.800" in reply.text
