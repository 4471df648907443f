"""The SQLite inbox reads only its unfinished rows: finished ones kept for the retention period
must not make the claim or the backlog count walk the whole table."""

import sqlite3
from pathlib import Path

from bot.state import CLAIM_SQL, SqliteState


def _plan(path: Path, sql: str, params: tuple[object, ...]) -> str:
    with sqlite3.connect(path) as con:
        return " | ".join(row[3] for row in con.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def test_the_claim_reads_the_index_of_unfinished_rows(tmp_path: Path) -> None:
    SqliteState(tmp_path / "state.db").close()
    plan = _plan(tmp_path / "state.db", CLAIM_SQL, ("whatsapp", 0.0, 20))
    assert "SEARCH i USING INDEX inbox_waiting" in plan
    assert "SEARCH e USING INDEX inbox_waiting" in plan
    assert "SCAN i" not in plan


def test_the_backlog_count_reads_the_index_of_unfinished_rows(tmp_path: Path) -> None:
    SqliteState(tmp_path / "state.db").close()
    plan = _plan(
        tmp_path / "state.db",
        "SELECT COUNT(*) FROM inbox WHERE channel = ? AND status IN ('pending', 'working')",
        ("whatsapp",),
    )
    assert "inbox_waiting" in plan


def test_a_state_file_of_an_older_bot_gets_the_order_column_and_a_leaner_inbox(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as con:
        con.executescript(
            """
            CREATE TABLE inbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL,
                message_id TEXT NOT NULL, user_key TEXT NOT NULL, payload TEXT,
                status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
                received_at REAL NOT NULL, lease_until REAL NOT NULL DEFAULT 0, done_at REAL,
                error TEXT, UNIQUE (channel, message_id));
            CREATE INDEX inbox_status ON inbox (status, id);
            CREATE INDEX inbox_user ON inbox (channel, user_key, id);
            INSERT INTO inbox (channel, message_id, user_key, payload, received_at)
                VALUES ('telegram', 'old', 'a', '{}', 1.0);
            """
        )
    state = SqliteState(path)
    try:
        assert state.enqueue("telegram", "new", "a", {}, 2.0, seq=1)
        # The old row (order 0) first: stored before, and no platform order known for it.
        assert [i.message_id for i in state.claim("telegram", 3.0, 30)] == ["old"]
    finally:
        state.close()
    with sqlite3.connect(path) as con:
        names = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert not names & {"inbox_status", "inbox_user", "inbox_open", "inbox_user_open"}
    assert "inbox_waiting" in names
    with sqlite3.connect(path) as con:
        table = con.execute("SELECT sql FROM sqlite_master WHERE name = 'inbox'").fetchone()[0]
        ids = [row[0] for row in con.execute("SELECT id FROM inbox ORDER BY id")]
    # Rebuilt without AUTOINCREMENT (one page less per acknowledgement), its ids kept.
    assert "AUTOINCREMENT" not in table.upper()
    assert ids == [1, 2]
