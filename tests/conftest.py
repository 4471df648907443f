"""Shared fixtures: the real knowledge, compiled once per test run into a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.engine import Engine
from handlers import HANDLERS
from knowledge import Knowledge, build, load
from knowledge.build import SOURCE_DIR

TODAY = date(2026, 11, 21)


@pytest.fixture(scope="session")
def knowledge_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("knowledge") / "knowledge.db"
    build(path, SOURCE_DIR, set(HANDLERS))
    return path


@pytest.fixture(scope="session")
def knowledge(knowledge_db: Path) -> Knowledge:
    return load(knowledge_db)


@pytest.fixture(scope="session")
def engine(knowledge: Knowledge) -> Engine:
    return Engine(knowledge)


@pytest.fixture
def data_dir(tmp_path: Path, knowledge_db: Path) -> Iterator[Path]:
    """A fresh BOT_DATA_DIR holding a copy of the compiled knowledge database."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "knowledge.db").write_bytes(knowledge_db.read_bytes())
    yield folder


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    """Settings as the bot reads them, from a clean environment (no .env, no real tokens)."""
    return load_settings(
        {
            "BOT_DATA_DIR": str(data_dir),
            "BOT_TODAY": TODAY.isoformat(),
            "BOT_SECRET_SALT": "test-salt",
            # Polling mode serves /healthz: on loopback, on a free port, never on 8080.
            "HOST": "127.0.0.1",
            "PORT": "0",
        },
        env_file=None,
    )
