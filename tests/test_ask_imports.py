"""`ask` starts fast: it imports only what answering needs, and reads prepared tables.

A real process on a private data folder; the modules it loaded are listed by the process itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Nothing of the server, the channels, the state stores or the build.
NOT_FOR_ASK = (
    "aiohttp",
    "telegram",
    "psycopg",
    "prometheus_client",
    "sqlite_utils",
    "bot.conversation",
    "bot.curator",
    "bot.server",
    "bot.state",
)
SCRIPT = """
import contextlib, io, json, sys
from bot.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(["ask", "--json", "apa itu jht"])
print(json.dumps({"code": code, "reply": json.loads(out.getvalue()), "modules": sorted(sys.modules)}))
"""


def test_ask_imports_only_what_answering_needs(data_dir: Path) -> None:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_", "BOT_"))
    }
    environment.update({"BOT_DATA_DIR": str(data_dir), "BOT_TODAY": "2026-11-21"})
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["code"] == 0
    assert found["reply"]["intent"] == "jht_apa"
    loaded = [m for m in found["modules"] if m.split(".")[0] in NOT_FOR_ASK or m in NOT_FOR_ASK]
    assert loaded == []
