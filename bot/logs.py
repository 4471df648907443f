"""Log set-up: a timestamp on every line, one line per event, and an opt-in JSON format.

What is logged stays what the modules log: counts, codes, exception types, never an id, a token
or a message text. Here every record becomes exactly one line, also when a message or a
traceback has line breaks, so that journald, `grep` and log shippers see one event per line.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TextIO

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _utc_timestamp(record: logging.LogRecord) -> str:
    moment = time.gmtime(record.created)
    millis = int(record.msecs)
    return time.strftime("%Y-%m-%dT%H:%M:%S", moment) + f".{millis:03d}Z"


def _one_line(text: str) -> str:
    return text.replace("\r", "").replace("\n", " | ")


class OneLineFormatter(logging.Formatter):
    """`2026-11-21T08:30:00.123Z INFO bot.server: message`, a traceback folded onto the line."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc_timestamp(record)

    def format(self, record: logging.LogRecord) -> str:
        return _one_line(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg and, for exceptions, exc."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": _utc_timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str, log_format: str, stream: TextIO) -> None:
    """Configure the root logger of this process (the CLI's entry point calls it). Like
    logging.basicConfig, it leaves a root logger alone that already has handlers (a test
    runner's, or an embedding program's)."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if log_format == "json" else OneLineFormatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    # aiohttp's access log would hold client addresses and paths with tokens; it stays off.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
