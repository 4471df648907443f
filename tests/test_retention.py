"""The hourly retention purge runs beside the conversation turn it falls due in, not inside it:
a purge that has to wait (for the write lock another process holds, or through a full table)
never holds up the answer, and it still deletes what is past the retention period."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.config import Settings
from bot.conversation import Conversation
from bot.engine import Engine
from bot.state import SqliteState
from bot.state_protocols import LoggedQuestion

DAY = 86_400.0
NOW = 1_800_000_000.0


def _questions(path: Path) -> int:
    with sqlite3.connect(path) as con:
        return int(con.execute("SELECT COUNT(*) FROM questions").fetchone()[0])


def test_a_waiting_purge_does_not_hold_up_the_answer(
    tmp_path: Path, engine: Engine, settings: Settings
) -> None:
    path = tmp_path / "state.db"
    state = SqliteState(path, timeout_s=30.0)
    old = NOW - (settings.retention_days + 1) * DAY
    state.log_question(
        LoggedQuestion("wh_old", "whatsapp", "2026-01-01", "iuran bpu", "iuran bpu", "iuran_bpu",
                       0.9, "answer", [("iuran_bpu", 0.9)]),
        old,
    )  # fmt: skip
    conversation = Conversation(engine, state, settings, clock=lambda: NOW)
    # Another process holds the write lock: the purge has to wait for it.
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        # The worker's turns hold their writes back (bot.inbox.TurnWrites): the turn needs no
        # write lock, so only a purge inside it could make it wait.
        with state.deferring() as held:
            reply = conversation.handle("whatsapp", "wh_user", text="apa itu jht")
        assert reply is not None and reply.intent
        assert held  # the session and the question row, for the item's record
        conversation.settle(timeout_s=0.2)
        assert _questions(path) == 1  # the purge is still waiting
    finally:
        other.execute("ROLLBACK")
        other.close()
    conversation.settle(timeout_s=30)
    assert _questions(path) == 0  # past the retention period: gone
    state.close()
