"""The agen Perisai tools through every renderer: the forwardable share text, the registration
checklist and the several-workers quote read the same on the console, Telegram and WhatsApp."""

from __future__ import annotations

import html
import json

from bot.channels import console
from bot.channels.telegram import render as telegram_render
from bot.channels.text import body
from bot.channels.whatsapp import send as whatsapp_send
from bot.engine import Engine
from core.reply import Reply
from core.session import Session
from knowledge.options import option_ids

from .conftest import TODAY

WA_FORWARD_LIMIT = 1024


def telegram_text(engine: Engine, reply: Reply) -> str:
    codec = telegram_render.CallbackCodec(lambda: option_ids(engine.knowledge))
    return "\n\n".join(html.unescape(o.text) for o in telegram_render.render(reply, codec))


def whatsapp_text(reply: Reply) -> str:
    parts = []
    for message in whatsapp_send.render(reply):
        if message["type"] == "text":
            parts.append(message["text"]["body"])
        else:
            parts.append(message["interactive"]["body"]["text"])
    return "\n\n".join(parts)


def share_reply(engine: Engine) -> Reply:
    session = Session()
    answer = engine.answer("berapa santunan kematian bpjs tk", session, TODAY)
    assert answer.options[-1].id == "bagikan"
    return engine.select("bagikan", session, TODAY)


def test_the_share_text_is_the_same_compact_text_on_every_channel(engine: Engine) -> None:
    shared = share_reply(engine)
    assert "Rp42.000.000" in shared.text
    assert "Sumber:" in shared.text and "Tanya Jamsos" in shared.text
    assert len(shared.text) <= WA_FORWARD_LIMIT
    assert console.render(shared).startswith(shared.text)
    assert telegram_text(engine, shared).startswith(shared.text)
    assert whatsapp_text(shared).startswith(shared.text)


def test_the_share_option_is_a_button_on_telegram_and_whatsapp(engine: Engine) -> None:
    answer = engine.answer("berapa santunan kematian bpjs tk", Session(), TODAY)
    codec = telegram_render.CallbackCodec(lambda: option_ids(engine.knowledge))
    keyboards = [o.keyboard for o in telegram_render.render(answer, codec) if o.keyboard]
    buttons = [b for row in keyboards[0].inline_keyboard for b in row]
    assert any(b.text == "Bagikan" and b.callback_data == "bagikan" for b in buttons)
    interactive = [m for m in whatsapp_send.render(answer) if m["type"] == "interactive"]
    assert "bagikan" in json.dumps(interactive)
    assert "1. " in console.render(answer) and "Bagikan" in console.render(answer)


def test_the_registration_checklist_reads_the_same_everywhere(engine: Engine) -> None:
    reply = engine.answer(
        "sy agen perisai, langkah daftarkan peserta baru apa aja", Session(), TODAY
    )
    assert reply.intent == "daftar_peserta_baru"
    text = body(reply)
    assert "KTP" in text and "JMO" in text
    assert console.render(reply).startswith(text)
    assert telegram_text(engine, reply).startswith(text)
    assert whatsapp_text(reply).startswith(text)


def test_a_quote_for_several_workers_reads_the_same_everywhere(engine: Engine) -> None:
    reply = engine.answer("iuran 4 orang petani masing-masing 1,5 juta", Session(), TODAY)
    text = body(reply)
    # (1% of 1.500.000 + 6.800) x 4 = 87.200 normal, half during the discount.
    assert "Rp87.200" in text and "Rp43.600" in text
    assert telegram_text(engine, reply).startswith(text)
    assert whatsapp_text(reply).startswith(text)
