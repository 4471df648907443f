"""TELEGRAM_API_URL and WHATSAPP_API_URL in every form people write, against the fake APIs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from telegram.error import TelegramError

from bot.channels.telegram.adapter import TelegramChannel
from bot.channels.telegram.failures import startup_failure
from bot.channels.whatsapp.send import GraphClient
from bot.config import ConfigError, Settings, load_settings
from bot.conversation import Conversation
from bot.endpoints import DEFAULT_TELEGRAM_API_URL, DEFAULT_WHATSAPP_API_URL
from bot.engine import Engine
from bot.polling import run_polling
from bot.state import SqliteState
from tests.fakes.graph_api import DEFAULT_ACCESS_TOKEN, DEFAULT_PHONE_NUMBER_ID, FakeGraphAPI
from tests.fakes.telegram_api import PROXY_PREFIX, TOKEN, FakeTelegramAPI, serve_fake
from tests.test_crash import free_port


def settings_with(data_dir: Path, **env: str) -> Settings:
    return load_settings(
        {"BOT_DATA_DIR": str(data_dir), "BOT_SECRET_SALT": "test-salt", **env},
        env_file=data_dir / "no.env",
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with serve_fake() as api:
        yield api


TELEGRAM_FORMS = [
    "{root}",
    "{root}/",
    "{root}/bot",
    "{root}/bot/",
    "{root}/bot{token}",
    "{root}/bot{token}/",
    "{root}/bot{{token}}",
    "{root}" + PROXY_PREFIX,
    "{root}" + PROXY_PREFIX + "/bot/",
    "  {root}/bot  ",
]


@pytest.mark.parametrize("form", TELEGRAM_FORMS)
async def test_every_form_of_the_telegram_api_url_reaches_the_bot_api(
    form: str, fake: FakeTelegramAPI, data_dir: Path, engine: Engine
) -> None:
    written = form.format(root=fake.root_url, token=TOKEN)
    settings = settings_with(data_dir, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=written)
    assert settings.telegram_api_url.endswith("/bot")
    state = SqliteState(settings.state_db)
    channel = TelegramChannel(
        settings, Conversation(engine, state, settings), state, salt="test-salt"
    )
    try:
        await channel.start()
        assert channel.application.bot.username  # getMe answered
    finally:
        await channel.stop()
        state.close()
    assert [c.method for c in fake.calls][:1] == ["getMe"]
    assert fake.calls_to("setMyCommands")
    # The file endpoint sits beside the API endpoint, under the same prefix.
    base = settings.telegram_api_url
    assert channel.application.bot.base_file_url == (
        base.removesuffix("/bot") + "/file/bot" + TOKEN
    )


def test_the_default_telegram_api_url_is_telegrams(data_dir: Path) -> None:
    assert settings_with(data_dir).telegram_api_url == DEFAULT_TELEGRAM_API_URL
    written = settings_with(data_dir, TELEGRAM_API_URL="https://api.telegram.org")
    assert written.telegram_api_url == DEFAULT_TELEGRAM_API_URL


@pytest.mark.parametrize(
    ("written", "named"),
    [
        ("127.0.0.1:8081", "TELEGRAM_API_URL"),
        ("ftp://example.org/bot", "TELEGRAM_API_URL"),
        ("http://127.0.0.1:8081/bot?x=1", "TELEGRAM_API_URL"),
        ("http://127.0.0.1:8081/bot999:OTHER", "TELEGRAM_BOT_TOKEN"),
    ],
)
def test_a_malformed_telegram_api_url_is_named_in_one_clear_message(
    written: str, named: str, data_dir: Path
) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_with(data_dir, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=written)
    message = str(caught.value)
    assert "TELEGRAM_API_URL" in message and named in message
    assert TOKEN not in message


async def test_a_url_that_is_not_a_bot_api_server_names_the_setting_and_what_was_tried(
    fake: FakeTelegramAPI, data_dir: Path, engine: Engine
) -> None:
    written = fake.root_url + "/somewhere/else"
    settings = settings_with(data_dir, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=written)
    state = SqliteState(settings.state_db)
    channel = TelegramChannel(
        settings, Conversation(engine, state, settings), state, salt="test-salt"
    )
    try:
        with pytest.raises(TelegramError) as caught:
            await channel.start()
    finally:
        # getMe failed, so the Application never counted as initialised: close its client here.
        await channel.application.bot.request.shutdown()
        state.close()
    message = startup_failure(caught.value, settings)
    assert f"TELEGRAM_API_URL={written}" in message
    assert f"{written}/bot<token>/getMe" in message
    assert "BotFather" not in message  # the token is not what is wrong
    assert TOKEN not in message


def test_an_unreachable_custom_url_names_the_setting_and_exits_with_1(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    written = f"http://127.0.0.1:{free_port()}"  # a port nobody listens on any more
    settings = settings_with(data_dir, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=written)
    assert run_polling(settings) == 1
    err = capsys.readouterr().err
    assert f"not reachable at TELEGRAM_API_URL={written}" in err
    assert f"{written}/bot<token>/getMe" in err
    assert TOKEN not in err


# -- WhatsApp ------------------------------------------------------------------------------------


@pytest.fixture
async def graph_root(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> tuple[FakeGraphAPI, str]:
    graph = FakeGraphAPI()
    server = await aiohttp_server(graph.app())
    return graph, str(server.make_url("")).rstrip("/")


@pytest.mark.parametrize("form", ["{root}", "{root}/", "{root}/v23.0", "{root}/v23.0/"])
async def test_every_form_of_the_whatsapp_api_url_reaches_the_graph_api(
    form: str, graph_root: tuple[FakeGraphAPI, str], data_dir: Path
) -> None:
    graph, root = graph_root
    settings = settings_with(data_dir, WHATSAPP_API_URL=form.format(root=root))
    assert settings.whatsapp_api_url == f"{root}/v23.0"
    async with aiohttp.ClientSession() as session:
        client = GraphClient(
            session, settings.whatsapp_api_url, DEFAULT_PHONE_NUMBER_ID, DEFAULT_ACCESS_TOKEN
        )
        result = await client.send("to", "6281100000001", {"type": "text", "text": {"body": "x"}})
    assert result.ok
    assert graph.calls[0].path == f"/v23.0/{DEFAULT_PHONE_NUMBER_ID}/messages"


def test_the_default_whatsapp_api_url_keeps_its_version(data_dir: Path) -> None:
    assert settings_with(data_dir).whatsapp_api_url == DEFAULT_WHATSAPP_API_URL
    other = settings_with(data_dir, WHATSAPP_API_URL="https://graph.facebook.com/v24.0/")
    assert other.whatsapp_api_url == "https://graph.facebook.com/v24.0"


def test_a_whatsapp_api_url_past_the_version_is_named(data_dir: Path) -> None:
    with pytest.raises(ConfigError, match="WHATSAPP_API_URL"):
        settings_with(data_dir, WHATSAPP_API_URL="https://graph.facebook.com/v23.0/123/messages")


async def test_a_wrong_whatsapp_api_url_is_named_when_a_send_finds_no_graph_api(
    graph_root: tuple[FakeGraphAPI, str], data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, root = graph_root
    settings = settings_with(data_dir, WHATSAPP_API_URL=f"{root}/elsewhere")
    async with aiohttp.ClientSession() as session:
        client = GraphClient(
            session, settings.whatsapp_api_url, DEFAULT_PHONE_NUMBER_ID, DEFAULT_ACCESS_TOKEN
        )
        result = await client.send("to", "6281100000001", {"type": "text", "text": {"body": "x"}})
    assert not result.ok
    logged = caplog.text
    assert f"WHATSAPP_API_URL={root}/elsewhere/v23.0" in logged
    assert DEFAULT_PHONE_NUMBER_ID not in logged
    assert DEFAULT_ACCESS_TOKEN not in logged
