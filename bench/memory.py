"""Where a process's memory goes: resident memory after each group of imports, in a fresh
interpreter, in the order the server meets them; and which heavy modules the server holds.

    python bench/memory.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (label, statement), run one after the other; each step's cost is the growth of RSS.
STEPS = (
    ("interpreter", "pass"),
    ("aiohttp", "import aiohttp, aiohttp.web"),
    ("python-telegram-bot", "import telegram, telegram.ext"),
    ("rapidfuzz", "import rapidfuzz.process, rapidfuzz.fuzz"),
    ("sqlite_utils", "import sqlite_utils"),
    ("bot.server and the rest of its imports", "import bot.server, bot.worker"),
    (
        "engine loaded (knowledge, normalised examples)",
        "from bot.config import load_settings; from bot.runtime import load_engine; "
        "ENGINE = load_engine(load_settings())",
    ),
)
HEAVY = ("rapidfuzz", "sqlite_utils", "telegram", "bot.engine", "handlers")

_PROBE = """
import json, sys
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
steps = json.loads(sys.argv[1])
out = []
before = rss()
out.append(['interpreter', round(before, 1)])
for label, statement in steps[1:]:
    exec(statement)
    now = rss()
    out.append([label, round(now - before, 1)])
    before = now
import bot.server
heavy = {name: name in sys.modules for name in json.loads(sys.argv[2])}
print(json.dumps({'steps': out, 'total_mb': round(before, 1), 'server_imports': heavy}))
"""


def import_memory() -> dict[str, object]:
    """MB added by each import group (RSS), the total, and which heavy modules importing
    bot.server drags in (none: the engine is imported and loaded only where something answers)."""
    heavy_probe = (
        "import json, sys; import bot.server; "
        f"print(json.dumps({{n: n in sys.modules for n in {list(HEAVY)!r}}}))"
    )
    server_only = subprocess.run(
        [sys.executable, "-c", heavy_probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(STEPS), json.dumps(HEAVY)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, object] = json.loads(done.stdout)
    figures["server_imports"] = json.loads(server_only.stdout)
    return figures


if __name__ == "__main__":
    print(json.dumps(import_memory(), indent=2))
