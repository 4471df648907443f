"""Settings as people write them, one clear message per wrong one, and log lines that carry a
timestamp, stay one line per event and can be JSON. Real `python -m bot` processes."""

from __future__ import annotations

import json
import logging
import re
import socket
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.logs import TEXT_FORMAT, JsonFormatter, OneLineFormatter
from tests.test_cli import run
from tests.test_crash import free_port

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ")


def settings_from(tmp_path: Path, **env: str) -> object:
    return load_settings({"BOT_DATA_DIR": str(tmp_path), **env}, env_file=tmp_path / "no.env")


@pytest.mark.parametrize(
    ("name", "raw", "field", "value"),
    [
        ("BOT_RATE_WINDOW_S", "0.5", "rate_window_s", 0.5),
        ("BOT_RATE_WINDOW_S", "0,5", "rate_window_s", 0.5),
        ("BOT_RATE_WINDOW_S", " 90 ", "rate_window_s", 90.0),
        ("BOT_LOG_LEVEL", "verbose", "log_level", "DEBUG"),
        ("BOT_LOG_LEVEL", "debug", "log_level", "DEBUG"),
        ("BOT_LOG_LEVEL", "warn", "log_level", "WARNING"),
        ("BOT_LOG_FORMAT", "JSON", "log_format", "json"),
        ("WHATSAPP_NUMBER", "+62 812-3456-7890", "whatsapp_number", "6281234567890"),
    ],
)
def test_sensible_values_are_accepted(
    tmp_path: Path, name: str, raw: str, field: str, value: object
) -> None:
    assert getattr(settings_from(tmp_path, **{name: raw}), field) == value


def test_every_wrong_setting_gets_one_line_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from(
            tmp_path,
            BOT_LOG_LEVEL="loud",
            BOT_RATE_WINDOW_S="sebentar",
            BOT_RATE_LIMIT="0",
            PORT="80800",
            BOT_LOG_FORMAT="xml",
        )
    lines = str(caught.value).splitlines()[1:]
    assert len(lines) == 5
    for line, name in zip(
        lines,
        ["BOT_LOG_LEVEL", "BOT_RATE_WINDOW_S", "BOT_LOG_FORMAT", "BOT_RATE_LIMIT", "PORT"],
        strict=True,
    ):
        assert line.startswith("  - ") and name in line, lines


@pytest.mark.parametrize(
    "env", [{"BOT_LOG_LEVEL": "loud"}, {"BOT_RATE_WINDOW_S": "-1"}, {"PORT": "http"}]
)
def test_a_wrong_setting_is_one_clear_message_and_never_a_traceback(
    data_dir: Path, env: dict[str, str]
) -> None:
    result = run(["ask", "halo"], data_dir, **env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (name,) = env
    assert name in result.stderr
    assert result.stderr.startswith("error: ")


def test_verbose_logging_runs_the_bot(data_dir: Path) -> None:
    result = run(["ask", "--json", "apa itu jht"], data_dir, BOT_LOG_LEVEL="verbose")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["intent"] == "jht_apa"


def record(message: str, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("boom\nsecond line")
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord("bot.test", logging.ERROR, __file__, 1, message, (), exc_info)


def test_a_text_log_line_has_a_timestamp_and_stays_one_line_with_a_traceback() -> None:
    line = OneLineFormatter(TEXT_FORMAT).format(record("first\nsecond", exc=True))
    assert TIMESTAMP.match(line), line
    assert "\n" not in line
    assert "ERROR bot.test: first | second" in line
    assert "ValueError: boom | second line" in line


def test_a_json_log_line_is_one_object() -> None:
    line = JsonFormatter().format(record("what happened", exc=True))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "bot.test"
    assert entry["msg"] == "what happened"
    assert TIMESTAMP.match(entry["ts"] + " ")
    assert "ValueError" in entry["exc"]


def test_a_real_process_logs_json_lines_and_reports_a_failure_without_a_traceback(
    data_dir: Path,
) -> None:
    dead, free = free_port(), free_port()  # nothing listens on `dead`
    result = run(
        [],
        data_dir,
        BOT_LOG_FORMAT="json",
        TELEGRAM_BOT_TOKEN="123:ABC",
        TELEGRAM_API_URL=f"http://127.0.0.1:{dead}",
        HOST="127.0.0.1",
        PORT=str(free),
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    logged = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert any("health and metrics on" in entry["msg"] for entry in logged), result.stderr
    assert f"not reachable at TELEGRAM_API_URL=http://127.0.0.1:{dead}" in result.stderr
    assert "123:ABC" not in result.stderr


def test_a_busy_port_is_one_clear_message(data_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(
            ["serve", "--host", "127.0.0.1", "--port", str(port)], data_dir, BOT_SECRET_SALT="s"
        )
    assert result.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
