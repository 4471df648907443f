"""Shared fixtures: the real knowledge, compiled once per test run into a temporary folder, and
a real PostgreSQL cluster (tests/postgres.py) for the shared state store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.engine import Engine
from handlers import HANDLERS
from knowledge import Knowledge, build, load
from knowledge.build import SOURCE_DIR
from tests.postgres import Cluster, PostgresMissing

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
        },
        env_file=None,
    )


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of the installed server for this test run, torn down after it.
    Without PostgreSQL the tests that need it are skipped, except in CI (CI=true): there a
    missing PostgreSQL is a failure, so that these tests can never silently stop running."""
    try:
        cluster = Cluster()
    except PostgresMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL for the shared-store tests: {exc}")
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> Iterator[str]:
    """A fresh, empty database of its own for one test."""
    name = postgres_cluster.create_database()
    try:
        yield postgres_cluster.url(name)
    finally:
        postgres_cluster.drop_database(name)
