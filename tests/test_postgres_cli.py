"""The curators' commands against the shared store: with BOT_DATABASE_URL set, `chat` logs its
questions in PostgreSQL, and `report` and `forget` read and delete them there; nothing goes to
a state.db file."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from tests.test_curators import UNKNOWN, cli, env  # noqa: F401 - env is a fixture


@pytest.fixture
def shared(env: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    monkeypatch.setenv("BOT_DATABASE_URL", postgres_url)
    return postgres_url


def count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    return int(row[0]) if row else -1


def test_report_reads_the_question_log_in_postgres(shared: str, data_dir: Path) -> None:
    cli("chat", stdin=f"apa itu jht\n{UNKNOWN}\ncara menanam padi sawah\n")
    assert count(shared, "questions") == 3
    assert not (data_dir / "state.db").exists()
    code, out, _ = cli("report", "--json")
    assert code == 0
    groups = json.loads(out)["groups"]
    assert UNKNOWN in groups[0]["examples"]
    code, _, _ = cli("report", "--ignore", groups[0]["group"])
    assert code == 0
    _, again, _ = cli("report", "--json")
    assert all(g["group"] != groups[0]["group"] for g in json.loads(again)["groups"])


def test_forget_deletes_a_users_rows_in_postgres(shared: str) -> None:
    cli("chat", stdin=f"{UNKNOWN}\napa itu jht\n")
    assert count(shared, "sessions") == 1
    code, out, _ = cli("forget", "console:local")
    assert code == 0
    assert "removed" in out
    assert count(shared, "rate_events") == 0
    assert count(shared, "questions") == 0
    assert count(shared, "sessions") == 0


def test_a_malformed_database_url_is_refused_by_name(
    shared: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_DATABASE_URL", "mysql://somewhere/db")
    code, _, err = cli("report")
    assert code != 0
    assert "BOT_DATABASE_URL" in err
