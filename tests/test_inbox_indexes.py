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
    assert "inbox_open" in plan
    assert "inbox_user_open" in plan
    assert "SCAN i" not in plan


def test_the_backlog_count_reads_the_index_of_unfinished_rows(tmp_path: Path) -> None:
    SqliteState(tmp_path / "state.db").close()
    plan = _plan(
        tmp_path / "state.db",
        "SELECT COUNT(*) FROM inbox WHERE channel = ? AND status IN ('pending', 'working')",
        ("whatsapp",),
    )
    assert "inbox_open" in plan
