"""The composition root (bot.app): each part of a runtime is made at its first use, the parts
are shared, and an app is refused, naming every missing setting, before anything is made."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.app import Runtime, make_app, open_runtime
from bot.config import ConfigError, Settings
from bot.conversation import Conversation
from bot.engine import Engine
from bot.state import SqliteState
from core.session import Session

from .conftest import TODAY


def test_asking_for_the_engine_opens_no_state_store(settings: Settings) -> None:
    with open_runtime(settings) as runtime:
        reply = runtime.engine.answer("berapa iuran untuk petani", Session(), TODAY)
    assert reply.understood
    assert not settings.state_db.exists()


def test_the_conversation_and_the_engine_are_one_engine(settings: Settings) -> None:
    with open_runtime(settings) as runtime:
        engine = runtime.engine
        assert runtime.conversation.engine is engine
        assert runtime.conversation.state is runtime.state
        reply = runtime.conversation.greet("console", "k_test")
        assert reply is not None and reply.understood
    assert settings.state_db.exists()


def test_the_salt_is_the_configured_one_and_made_only_when_asked(settings: Settings) -> None:
    unsalted = replace(settings, secret_salt="")
    runtime = open_runtime(unsalted)
    assert not (settings.data_dir / ".salt").exists()
    made = runtime.salt
    assert made and (settings.data_dir / ".salt").read_text(encoding="utf-8").strip() == made
    assert open_runtime(settings).salt == "test-salt"


def test_a_runtime_keeps_the_parts_it_is_given(settings: Settings, engine: Engine) -> None:
    state = SqliteState(settings.state_db)
    conversation = Conversation(engine, state, settings)
    runtime = Runtime(settings, conversation=conversation)
    assert runtime.conversation is conversation
    assert runtime.state is state
    assert runtime.engine is engine
    runtime.close()


def test_an_app_missing_channel_settings_names_them_all_and_makes_no_salt(
    settings: Settings,
) -> None:
    broken = replace(settings, secret_salt="", whatsapp_app_secret="set")
    with pytest.raises(ConfigError) as raised:
        make_app(broken, open_runtime(broken))
    message = str(raised.value)
    for name in ("WHATSAPP_VERIFY_TOKEN", "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_PHONE_NUMBER_ID"):
        assert name in message
    assert "WHATSAPP_APP_SECRET" not in message
    assert not (settings.data_dir / ".salt").exists()
