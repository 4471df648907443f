"""Curators' tools and agen Perisai features: report, teach, ignore, share, forget."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from bot.engine import Engine
from core.session import Session
from knowledge.build import SOURCE_DIR

from .conftest import TODAY

UNKNOWN = "bagaimana cara menanam padi di sawah"


@pytest.fixture
def env(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data folder and a private copy of the knowledge sources, as a curator has."""
    sources = tmp_path / "knowledge"
    shutil.copytree(SOURCE_DIR, sources, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for name in list(__import__("os").environ):
        if name.startswith(("BOT_", "TELEGRAM_", "WHATSAPP_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BOT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(sources))
    monkeypatch.setenv("BOT_TODAY", TODAY.isoformat())
    monkeypatch.setenv("BOT_SECRET_SALT", "curator-test-salt")
    return sources


def cli(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_report_lists_what_the_console_did_not_understand(env: Path) -> None:
    cli(
        "chat",
        stdin=f"apa itu jht\n{UNKNOWN}\ncara menanam padi sawah\nhubungi 081234567890 ya kak\n",
    )
    code, out, _ = cli("report")
    assert code == 0
    assert UNKNOWN in out
    assert "2x" in out  # the two similar questions form one group
    assert "best candidates:" in out
    assert "081234567890" not in out
    assert "[nomor]" in out
    assert "console 4" in out
    assert "fallback rate:" in out


def test_report_json_holds_no_user_keys(env: Path) -> None:
    cli("chat", stdin=f"{UNKNOWN}\n")
    _, out, _ = cli("report", "--json")
    report = json.loads(out)
    assert report["groups"][0]["examples"] == [UNKNOWN]
    assert "co_" not in out
    assert report["usage"]["messages"] == 1


def test_teach_makes_the_same_question_answer_correctly(env: Path) -> None:
    question = "tolong kirimi brosur cetak ke desa kami"
    cli("chat", stdin=f"{question}\n")
    _, before, _ = cli("ask", "--json", question)
    assert json.loads(before)["intent"] is None
    _, out, _ = cli("report", "--json")
    group = json.loads(out)["groups"][0]["group"]
    code, taught, err = cli("teach", group, "kontak_resmi")
    assert code == 0, err
    assert "added 1 example(s) to kontak_resmi" in taught
    assert (
        question
        in (env / "intents")
        .joinpath(taught.split(" in ")[1].split(";")[0].removeprefix("knowledge/intents/"))
        .read_text()
    )
    _, after, _ = cli("ask", "--json", question)
    assert json.loads(after)["intent"] == "kontak_resmi"
    _, report_after, _ = cli("report", "--json")
    assert all(g["group"] != group for g in json.loads(report_after)["groups"])


def test_teach_refuses_an_unknown_intent_and_changes_nothing(env: Path) -> None:
    before = {p: p.read_text() for p in (env / "intents").glob("*.toml")}
    code, _, err = cli("teach", "pertanyaan apa saja", "tidak_ada_intent")
    assert code == 2
    assert "tidak_ada_intent" in err
    assert {p: p.read_text() for p in (env / "intents").glob("*.toml")} == before


def test_ignored_groups_leave_the_report(env: Path) -> None:
    cli("chat", stdin=f"{UNKNOWN}\n")
    _, out, _ = cli("report", "--json")
    group = json.loads(out)["groups"][0]["group"]
    cli("report", "--ignore", group)
    _, again, _ = cli("report", "--json")
    assert json.loads(again)["groups"] == []


def test_forget_removes_a_users_data(env: Path, data_dir: Path) -> None:
    cli("chat", stdin=f"{UNKNOWN}\napa itu jht\n")
    code, out, _ = cli("forget", "console:local")
    assert code == 0
    assert "removed" in out
    with sqlite3.connect(data_dir / "state.db") as db:
        assert db.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0


def test_answers_with_key_figures_offer_a_forwardable_version(engine: Engine) -> None:
    session = Session()
    reply = engine.answer("berapa iuran bpjs tk untuk petani", session, TODAY)
    assert reply.options[-1].id == "bagikan"
    assert len(reply.options) <= 3
    shared = engine.select("bagikan", session, TODAY)
    assert "Rp8.400" in shared.text
    assert "21 November 2026" in shared.text
    assert "Sumber:" in shared.text
    assert "Tanya Jamsos" in shared.text
    assert len(shared.text) <= 1024


def test_sharing_before_any_answer_explains_what_to_do(engine: Engine) -> None:
    reply = engine.select("bagikan", Session(), TODAY)
    assert "Belum ada jawaban" in reply.text
