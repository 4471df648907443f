"""What the curators' desk tests share: the environment for a scratch copy of knowledge/ (a test
never edits the repository's sources), the desk running as `serve` runs it, the CLI in-process."""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web

from bot.cli import main
from bot.config import Settings, load_settings
from bot.curator.web import URL
from bot.server import build_app

from .conftest import TODAY

TOKEN = "desk-token-for-tests-0123456789"


def scratch_env(sources: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The environment of a curator with a private copy of the knowledge sources (the
    `sources` fixture): the CLI (`ask`, `teach`) and the desk then read the very same files."""
    for name in list(os.environ):
        if name.startswith(("BOT_", "TELEGRAM_", "WHATSAPP_")):
            monkeypatch.delenv(name)
    env = {
        "BOT_DATA_DIR": str(data_dir),
        "BOT_KNOWLEDGE_DIR": str(sources),
        "BOT_TODAY": TODAY.isoformat(),
        "BOT_SECRET_SALT": "desk-test-salt",
        "BOT_CURATOR_TOKEN": TOKEN,
        "BOT_CURATOR_PORT": "0",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_settings(env, env_file=None)


@asynccontextmanager
async def running_desk(settings: Settings) -> AsyncIterator[tuple[web.Application, str]]:
    """The bot's server as `serve` builds it, started on loopback; yields it and the desk URL."""
    app = build_app(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield app, app[URL]
    finally:
        await runner.cleanup()


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdin=io.StringIO(""), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()
