"""Faults of the machine under the bot: a locked or full state database, a missing or corrupt
knowledge database. The bot keeps answering where it can and says clearly what is wrong."""

from __future__ import annotations

import io
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings
from bot.conversation import Conversation
from bot.engine import Engine
from bot.state import SqliteState
from bot.state_protocols import StateError


def test_a_locked_state_database_raises_a_named_error(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    SqliteState(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        state = SqliteState(path, timeout_s=0.05)
        with pytest.raises(StateError, match="locked"):
            state.enqueue("whatsapp", "wamid.1", "wh_x", {}, 0.0)
        state.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_the_bot_still_answers_when_the_state_database_is_locked(
    tmp_path: Path, engine: Engine, settings: Settings
) -> None:
    path = tmp_path / "state.db"
    SqliteState(path).close()
    state = SqliteState(path, timeout_s=0.05)
    conversation = Conversation(engine, state, settings)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        reply = conversation.handle("console", "co_test", text="apa itu jht")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        state.close()
    assert reply is not None
    assert reply.intent == "jht_apa"


def test_a_full_disk_raises_a_named_error_and_keeps_what_was_written(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "state.db")
    assert state.enqueue("whatsapp", "wamid.kept", "wh_x", {"text": "a"}, 0.0)
    # Freeze the file at its current size: the next page it needs is "disk full" to SQLite.
    pages = state._conn.execute("PRAGMA page_count").fetchone()[0]
    state._conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StateError, match="full"):
        for n in range(10_000):
            state.enqueue("whatsapp", f"wamid.{n}", "wh_x", {"text": "x" * 2000}, 0.0)
    assert state.claim("whatsapp", 1.0, 30.0)[0].message_id == "wamid.kept"
    state.close()


def _cli(settings: Settings, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("BOT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(settings.knowledge_dir))
    err = io.StringIO()
    code = main(list(args), stdin=io.StringIO(""), stdout=io.StringIO(), stderr=err)
    return code, err.getvalue()


def test_a_corrupt_knowledge_database_with_no_sources_refuses_to_start(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty_sources = tmp_path / "no-sources"
    (empty_sources / "intents").mkdir(parents=True)
    settings = replace(settings, knowledge_dir=empty_sources)
    settings.knowledge_db.write_bytes(b"garbage" * 1000)
    code, err = _cli(settings, "ask", "apa itu jht", monkeypatch=monkeypatch)
    assert code == 2
    assert "knowledge" in err


def test_a_corrupt_knowledge_database_is_rebuilt_from_the_sources(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Newer than every source, so only reading it reveals the damage.
    settings.knowledge_db.write_bytes(b"garbage" * 1000)
    code, err = _cli(settings, "ask", "apa itu jht", monkeypatch=monkeypatch)
    assert code == 0, err
    assert "unreadable; rebuilding" in err


def test_a_missing_knowledge_database_is_built_on_first_use(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.knowledge_db.unlink()
    code, err = _cli(settings, "ask", "apa itu jht", monkeypatch=monkeypatch)
    assert code == 0, err
    assert settings.knowledge_db.is_file()
