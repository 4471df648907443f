"""Rendering for Telegram: the limits hold for every reply the engine can produce, and for any
text at all (hypothesis)."""

from __future__ import annotations

import html
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.telegram.door import file_url
from bot.channels.telegram.render import (
    MAX_CALLBACK_BYTES,
    MAX_TEXT,
    CallbackCodec,
    keyboard,
    render,
    split_text,
)
from bot.channels.text import body
from bot.engine import Engine
from core.reply import Option, Reply
from core.session import Session
from knowledge import Knowledge
from knowledge.options import option_ids
from tests.conftest import TODAY


def every_option(knowledge: Knowledge) -> list[Option]:
    """Every option the engine can offer: each intent (menu, clarification), each follow-up,
    and each intent:region choice (ambiguous region names)."""
    options: list[Option] = []
    for intent in knowledge.intents.values():
        options.append(Option(intent.id, intent.title))
        for target in intent.followups:
            title = knowledge.intents[target.split(":", 1)[0]].title
            options.append(Option(target, title))
        for region in knowledge.regions.values():
            options.append(Option(f"{intent.id}:{region.id}", region.name[:24]))
    return options


def test_callback_data_fits_64_bytes_and_resolves_back_for_every_option(
    knowledge: Knowledge,
) -> None:
    codec = CallbackCodec(lambda: option_ids(knowledge))
    options = every_option(knowledge)
    assert len(options) > len(knowledge.intents)
    markup = keyboard(tuple(options), codec)
    assert markup is not None
    for option, row in zip(options, markup.inline_keyboard, strict=True):
        data = row[0].callback_data
        assert isinstance(data, str)
        assert 0 < len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES
        assert codec.decode(data) == option.id
        assert row[0].text == option.title


def test_every_option_in_a_menu_reply_fits_as_callback_data(
    engine: Engine, knowledge: Knowledge
) -> None:
    codec = CallbackCodec(lambda: option_ids(knowledge))
    for intent_id in knowledge.intents:
        reply = engine.select(intent_id, Session(), TODAY)
        for message in render(reply, codec):
            for row in message.keyboard.inline_keyboard if message.keyboard else ():
                data = row[0].callback_data
                assert isinstance(data, str) and len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES


def test_an_overlong_option_id_travels_as_a_token_and_comes_back(knowledge: Knowledge) -> None:
    long_id = "cakupan_wilayah:" + "kabupaten-" * 8 + "é"
    assert len(long_id.encode("utf-8")) > MAX_CALLBACK_BYTES
    codec = CallbackCodec(lambda: option_ids(knowledge))
    token = codec.encode(long_id)
    assert len(token.encode("utf-8")) <= MAX_CALLBACK_BYTES
    assert codec.encode(long_id) == token  # stable
    assert codec.decode(token) == long_id
    # A fresh process cannot know an id the knowledge cannot produce: the caller shows the menu.
    assert CallbackCodec(lambda: option_ids(knowledge)).decode(token) is None


def test_a_token_for_an_id_the_knowledge_produces_resolves_after_a_restart(
    knowledge: Knowledge,
) -> None:
    region = next(iter(knowledge.regions.values()))
    long_region = replace(region, id="desa-" + "batu-cermin-" * 6)
    grown = replace(knowledge, regions={**knowledge.regions, long_region.id: long_region})
    option_id = f"cakupan_wilayah:{long_region.id}"
    token = CallbackCodec(lambda: option_ids(grown)).encode(option_id)
    assert token != option_id
    assert CallbackCodec(lambda: option_ids(grown)).decode(token) == option_id


def test_an_option_id_that_looks_like_a_token_is_not_mistaken_for_one() -> None:
    codec = CallbackCodec()
    token = codec.encode("~abc")
    assert token != "~abc"
    assert codec.decode(token) == "~abc"


def test_html_is_escaped_and_nothing_else_changes() -> None:
    (message,) = render(Reply(text="a < b & c > d \"e\" 'f'"), CallbackCodec())
    assert message.text == "a &lt; b &amp; c &gt; d \"e\" 'f'"


def test_options_without_text_still_get_a_message_to_carry_the_keyboard() -> None:
    (message,) = render(Reply(text="", options=(Option("menu", "Menu"),)), CallbackCodec())
    assert message.text and message.keyboard is not None


def test_emoji_heavy_text_fits_the_limit_also_in_utf16_units() -> None:
    text = "👍" * 3000 + " " + "🙏" * 3000
    pieces = split_text(text)
    assert all(len(p.encode("utf-16-le")) // 2 <= MAX_TEXT for p in pieces)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")


def test_the_file_url_sits_next_to_the_api_url() -> None:
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
    assert file_url("http://127.0.0.1:8081/bot{token}/test") == (
        "http://127.0.0.1:8081/file/bot{token}/test"
    )


paragraph = st.text(max_size=900)


@settings(max_examples=60, deadline=None)
@given(
    paragraphs=st.lists(paragraph, max_size=14), sources=st.lists(st.text(max_size=80), max_size=4)
)
def test_rendering_never_raises_and_stays_within_telegram_limits(
    paragraphs: list[str], sources: list[str]
) -> None:
    text = "\n\n".join(paragraphs)
    reply = Reply(text=text, sources=tuple(sources), options=(Option("menu", "Menu utama"),))
    messages = render(reply, CallbackCodec())
    assert messages  # a reply with options always has a message to carry them
    shown = [html.unescape(m.text) for m in messages]
    assert all(0 < len(s) <= MAX_TEXT for s in shown)
    assert all(m.keyboard is None for m in messages[:-1])
    assert messages[-1].keyboard is not None
    # Split, never cut: every non-blank character arrives, in order.
    expected = "".join(body(reply).split())
    if expected:
        assert "".join("".join(shown).split()) == expected
