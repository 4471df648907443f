"""Shared fixtures: the real knowledge, compiled once per test run into a temporary folder, and
a real PostgreSQL cluster (tests/postgres.py) for the shared state store."""

from __future__ import annotations

import os
import shutil
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot import prepared
from bot.config import Settings, load_settings
from bot.engine import Engine
from bot.places import Gazetteer
from handlers import HANDLERS
from knowledge import Knowledge, build, load
from knowledge.build import SOURCE_DIR
from tests.fakes.graph_api import DEFAULT_ACCESS_TOKEN, DEFAULT_PHONE_NUMBER_ID, FakeGraphAPI
from tests.postgres import Cluster, PostgresMissing

TODAY = date(2026, 11, 21)


DATA_FILES = ("sources", "intents", "tables", "facts.csv", "slang.csv")


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A private copy of the curated sources that a test may break."""
    target = tmp_path / "knowledge"
    target.mkdir()
    for name in DATA_FILES:
        origin = SOURCE_DIR / name
        if origin.is_dir():
            shutil.copytree(origin, target / name)
        else:
            shutil.copy2(origin, target / name)
    return target


@pytest.fixture(scope="session")
def knowledge_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built as `bot build` builds it, with the engine's prepared tables (bot.prepared): every
    process a test starts on a copy of it then reads the learned model instead of training it
    again (about a second of CPU each). tests/test_engine_tables.py removes them where a test
    needs a database without them."""
    path = tmp_path_factory.mktemp("knowledge") / "knowledge.db"
    build(path, SOURCE_DIR, set(HANDLERS), prepared.prepare_database)
    return path


@pytest.fixture(scope="session")
def knowledge(knowledge_db: Path) -> Knowledge:
    return load(knowledge_db)


@pytest.fixture(scope="session")
def engine(knowledge: Knowledge, knowledge_db: Path) -> Engine:
    # Computed, not read from the stored tables: the tests that compare the two need one of each.
    return Engine(knowledge, gazetteer=Gazetteer.load(knowledge_db))


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
            # A webhook's store may wait this long before a 503: a slow shared machine must not
            # turn an ordinary test's webhook into a retry. The gate's own tests shorten it.
            "BOT_DB_WAIT_S": "30",
            # Polling mode serves /healthz: on loopback, on a free port, never on 8080.
            "HOST": "127.0.0.1",
            "PORT": "0",
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


# WhatsApp set up against the fake Graph API (test modules may define their own instead).
WA_APP_SECRET = "app-secret-for-tests"
WA_VERIFY_TOKEN = "verify-token-for-tests"


@pytest.fixture
def graph() -> FakeGraphAPI:
    return FakeGraphAPI()


@pytest.fixture
async def graph_url(
    graph: FakeGraphAPI, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> str:
    """The fake Graph API served on loopback: its base URL, version included."""
    server = await aiohttp_server(graph.app())
    return str(server.make_url(f"/{graph.version}"))


@pytest.fixture
async def wa_settings(settings: Settings, graph_url: str) -> Settings:
    return replace(
        settings,
        whatsapp_verify_token=WA_VERIFY_TOKEN,
        whatsapp_app_secret=WA_APP_SECRET,
        whatsapp_access_token=DEFAULT_ACCESS_TOKEN,
        whatsapp_phone_number_id=DEFAULT_PHONE_NUMBER_ID,
        whatsapp_api_url=graph_url,
    )
