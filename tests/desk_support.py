"""What the curators' desk tests share: a scratch copy of knowledge/ (a test never edits the
repository's sources), settings with a curator token, and the desk running as `serve` runs it."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web

from bot.config import Settings, load_settings
from bot.curator.web import URL
from bot.server import build_app
from knowledge.build import SOURCE_DIR

from .conftest import TODAY

TOKEN = "desk-token-for-tests-0123456789"


def scratch_env(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, **extra: str
) -> Settings:
    """A private copy of the knowledge sources and the matching environment, as a curator
    has; the CLI (`ask`, `teach`) and the desk then read the very same files."""
    sources = tmp_path / "knowledge"
    shutil.copytree(SOURCE_DIR, sources, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
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
        **extra,
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
