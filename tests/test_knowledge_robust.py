"""A knowledge base a curator cannot break silently: what a spreadsheet or an editor leaves in the
folder is read correctly or refused with one clear message, and the bot keeps answering."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.engine import Engine
from core.session import Session
from handlers import HANDLERS
from knowledge import KnowledgeError, build, load
from knowledge.build import ensure_built
from knowledge.compile import read_number
from tests.test_cli import run


def check(sources: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot check` on a scratch copy of the sources, as a curator runs it."""
    return run(["check", *args], sources.parent / "data", BOT_KNOWLEDGE_DIR=str(sources))


def set_fact(sources: Path, key: str, value: str) -> None:
    path = sources / "facts.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    changed = [
        ",".join([k, a, value, *rest]) if k == key else line
        for line in lines
        for k, a, _v, *rest in [line.split(",")]
    ]
    path.write_text("\n".join(changed) + "\n", encoding="utf-8")


def problem_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("  - ")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("6800", "6800"), ("0.24", "0.24"), ("0,24", "0.24"), ("1_000_000", "1000000")],
)
def test_plain_and_decimal_comma_numbers_are_read_exactly(raw: str, expected: str) -> None:
    assert read_number(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["6.800", "10.547.400", "6,800", "Rp6800", "1e6", "5,7%", "enam"])
def test_ambiguous_or_decorated_numbers_are_refused_not_guessed(raw: str) -> None:
    with pytest.raises(ValueError):
        read_number(raw)


def test_an_indonesian_thousands_dot_is_refused_with_line_value_and_fix(sources: Path) -> None:
    set_fact(sources, "bpu_jkm", "6.800")
    result = check(sources)
    assert result.returncode == 2
    (problem,) = problem_lines(result)
    assert "facts.csv" in problem and "bpu_jkm (line 3)" in problem
    assert "'6.800'" in problem and "6800" in problem.split("'6.800'")[1]


def test_an_absurd_value_is_refused_for_its_kind(sources: Path) -> None:
    set_fact(sources, "bpu_jkm", "1e999999")
    result = check(sources)
    assert result.returncode == 2
    (problem,) = problem_lines(result)
    assert "bpu_jkm" in problem and "1e999999" in problem


def test_a_percentage_above_a_hundred_is_refused(sources: Path) -> None:
    set_fact(sources, "bpu_jkk_rate", "150")
    (problem,) = problem_lines(check(sources))
    assert "bpu_jkk_rate" in problem and "percent" in problem


def test_a_csv_saved_with_a_byte_order_mark_is_read(sources: Path) -> None:
    path = sources / "facts.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = check(sources)
    assert result.returncode == 0, result.stderr


def test_editor_lock_and_backup_files_are_ignored(sources: Path) -> None:
    (sources / "intents" / ".#jkm.toml").write_text("not toml at all [[[", encoding="utf-8")
    (sources / "intents" / "jkm.toml~").write_text("[[[", encoding="utf-8")
    (sources / "sources" / "~$rules.csv").write_bytes(b"\x00\xff")
    result = check(sources)
    assert result.returncode == 0, result.stderr


def test_a_folder_named_like_a_source_is_reported_not_a_traceback(sources: Path) -> None:
    (sources / "intents" / "x.toml").mkdir()
    result = check(sources)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (problem,) = problem_lines(result)
    assert "x.toml" in problem and "folder" in problem


def test_one_toml_typo_gives_one_message(sources: Path) -> None:
    path = sources / "intents" / "jkm.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('id = "jkm_manfaat"', 'id = "jkm_manfaat', 1), encoding="utf-8")
    result = check(sources)
    assert result.returncode == 2
    problems = problem_lines(result)
    assert len(problems) == 1, problems
    assert "jkm.toml" in problems[0] and "None" not in problems[0]


def test_a_bad_review_rule_is_refused_with_the_forms_it_accepts(sources: Path) -> None:
    path = sources / "facts.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",every March\n", ",every Marhc\n", 1), encoding="utf-8")
    (problem,) = problem_lines(check(sources))
    assert "jp_wage_cap" in problem and "every March" in problem


def test_the_running_bot_keeps_answering_from_the_last_good_database(
    sources: Path, tmp_path: Path
) -> None:
    db = tmp_path / "knowledge.db"
    build(db, sources, set(HANDLERS))
    set_fact(sources, "bpu_jkm", "6.800")
    (sources / "intents" / "x.toml").mkdir()
    os.utime(sources / "facts.csv")
    problem = ensure_built(db, sources, set(HANDLERS))
    assert isinstance(problem, KnowledgeError)
    engine = Engine(load(db))
    reply = engine.answer("iuran bpu berapa", Session(), date(2027, 6, 1))
    assert "Rp16.800" in reply.text


def test_two_headlines_for_one_region_are_refused(sources: Path) -> None:
    path = sources / "tables" / "coverage.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [line.replace(",,", ",yes,") if line.startswith("ntb,") else line for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = problem_lines(check(sources))
    assert any("ntb" in p and "headline" in p for p in problems), problems
