"""The command line as a user runs it: a real `python -m bot` process on a private data folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.build import SOURCE_DIR

ROOT = Path(__file__).resolve().parent.parent


def run(
    args: list[str], data_dir: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_", "BOT_"))
    }
    environment.update({"BOT_DATA_DIR": str(data_dir), "BOT_TODAY": "2026-11-21", **env})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=60,
        check=False,
    )


def test_ask_json_prints_one_object_with_every_field(data_dir: Path) -> None:
    result = run(["ask", "--json"], data_dir, stdin="apa itu jht\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    answer = json.loads(lines[0])
    assert set(answer) == {"intent", "confidence", "text", "details", "options", "sources"}
    assert answer["intent"] == "jht_apa"
    assert 0 <= answer["confidence"] <= 1
    assert "Jaminan Hari Tua" in answer["text"]
    assert all(set(o) == {"id", "title"} for o in answer["options"])
    assert answer["sources"]


def test_random_letters_give_a_null_intent(data_dir: Path) -> None:
    result = run(["ask", "--json", "qzxvbnm plkjh wrtyq"], data_dir)
    assert json.loads(result.stdout)["intent"] is None


def test_ask_answers_every_line_of_stdin_in_one_process(data_dir: Path) -> None:
    result = run(["ask", "--json"], data_dir, stdin="halo\napa itu jht\nxqzv\n")
    intents = [json.loads(line)["intent"] for line in result.stdout.strip().splitlines()]
    assert intents == ["salam", "jht_apa", None]


def test_today_decides_the_premium(data_dir: Path) -> None:
    during = run(["ask", "--today", "2026-11-21", "berapa iuran bpu minimal?"], data_dir)
    after = run(["ask", "--today", "2027-06-01", "berapa iuran bpu minimal?"], data_dir)
    assert "Rp8.400" in during.stdout and "Rp16.800" in during.stdout
    assert "Rp8.400" not in after.stdout and "Rp16.800" in after.stdout


def test_chat_reads_scripted_lines_and_numbers_select_options(data_dir: Path) -> None:
    result = run(["chat"], data_dir, stdin="apa itu jht\n1\n")
    assert result.returncode == 0, result.stderr
    assert "(balas 1" in result.stdout
    # Option 1 is "Rincian": the rest of the answer and every source.
    assert "1. Rincian" in result.stdout
    assert "Sumber:" in result.stdout.split("1. Rincian", 1)[1]


def test_the_main_job_without_channels_opens_the_console_chat(data_dir: Path) -> None:
    result = run([], data_dir, stdin="halo\n")
    assert result.returncode == 0, result.stderr
    assert "console chat" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Tanya Jamsos" in result.stdout


def _broken_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge-src"
    shutil.copytree(SOURCE_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    with (copy / "intents" / "jht.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[[intent]]\nid = "jht_apa"\ntitle = "Lagi"\nanswer = "Teks."\nexamples = ["x y z"]\n'
        )
        handle.write(
            '\n[[intent]]\nid = "angka"\ntitle = "Angka"\nanswer = "Iuran Rp5.000."\nexamples = ["a b c"]\n'
        )
    return copy


def test_a_broken_knowledge_file_fails_the_build_with_file_and_entry(
    data_dir: Path, tmp_path: Path
) -> None:
    result = run(["build"], data_dir, BOT_KNOWLEDGE_DIR=str(_broken_copy(tmp_path)))
    assert result.returncode == 2
    assert "intents/jht.toml [jht_apa]" in result.stderr
    assert "duplicate intent id" in result.stderr
    assert "intents/jht.toml [angka]: figure without a source in answer: 'Rp5.000'" in result.stderr
    assert "last good database stays in use" in result.stderr
    assert len(result.stderr.splitlines()) < 25  # one screen


def test_the_previous_database_still_answers_after_a_broken_edit(
    data_dir: Path, tmp_path: Path
) -> None:
    broken = _broken_copy(tmp_path)
    for path in broken.rglob("*"):
        os.utime(path)  # newer than the database: the bot will try to rebuild
    result = run(["ask", "--json", "apa itu jht"], data_dir, BOT_KNOWLEDGE_DIR=str(broken))
    assert result.returncode == 0
    assert json.loads(result.stdout)["intent"] == "jht_apa"
    assert "last good database" in result.stderr


def test_check_reports_ok_on_the_real_sources(data_dir: Path) -> None:
    result = run(["check"], data_dir)
    assert result.returncode == 0
    assert result.stdout.startswith("ok:")


def test_a_bad_setting_is_named(data_dir: Path) -> None:
    result = run(["ask", "halo"], data_dir, BOT_TODAY="kemarin")
    assert result.returncode == 2
    assert "BOT_TODAY" in result.stderr


@pytest.mark.parametrize("args", [["eval"], ["eval", "knowledge/questions/devset.tsv"]])
def test_eval_prints_the_report(data_dir: Path, args: list[str]) -> None:
    result = run(args, data_dir)
    assert result.returncode == 0, result.stderr
    assert "overall accuracy:" in result.stdout
    assert "fallback precision:" in result.stdout
    assert "fallback recall:" in result.stdout
    assert "jht_apa" in result.stdout


def test_chat_starts_fresh_each_run_unless_asked_to_continue(data_dir: Path) -> None:
    first = run(["chat"], data_dir, stdin="iuran karyawan\n")
    assert first.returncode == 0, first.stderr
    # A new run: "upah 2 juta" is not taken as the answer to the last run's question, and "1"
    # does not execute an option left on screen by the last run.
    fresh = run(["chat"], data_dir, stdin="1\n")
    assert "Iuran untuk upah" not in fresh.stdout
    assert "Silakan tulis" in fresh.stdout or "belum mengerti" in fresh.stdout
    run(["chat"], data_dir, stdin="iuran karyawan\n")
    resumed = run(["chat", "--continue"], data_dir, stdin="upah 2 juta\n")
    assert "Rp2.000.000" in resumed.stdout
