"""Where a process's memory goes: resident memory after each group of imports, in a fresh
interpreter, in the order the server meets them; which heavy modules the server holds; and, for
a running server and its worker, how their memory splits (anonymous or file-backed, shared with
the other process or private to one).

    python bench/memory.py            # the imports
    python bench/memory.py --serve 3  # serve under a short load, three times: the medians
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def split(pid: int) -> dict[str, float]:
    """One process's memory (MB) from /proc/PID/smaps_rollup: its RSS and PSS; the PSS that is
    anonymous (heap, Python's objects) and file-backed (code of the interpreter and the
    libraries); its resident pages shared with another process (the pages the worker, forked
    from the server, still shares with it) and those private to it."""
    kb: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            parts = line.split()
            if len(parts) == 3 and parts[0].endswith(":"):
                kb[parts[0][:-1]] = int(parts[1])

    def mb(*keys: str) -> float:
        return round(sum(kb.get(k, 0) for k in keys) / 1024, 1)

    return {
        "rss_mb": mb("Rss"),
        "pss_mb": mb("Pss"),
        "pss_anon_mb": mb("Pss_Anon"),
        "pss_file_mb": mb("Pss_File"),
        "shared_mb": mb("Shared_Clean", "Shared_Dirty"),
        "private_mb": mb("Private_Clean", "Private_Dirty"),
    }


SERVE_KEYS = ("pss_mb", "server_pss_mb", "worker_pss_mb", "server_rss_mb", "worker_rss_mb")


def serve_memory(runs: int = 3) -> dict[str, Any]:
    """The memory part of `make bench` alone: `serve` (with its forked worker) under one short
    cycle of the webhook load, `runs` times; the median of each figure and every run's split."""
    sys.path.insert(0, str(ROOT))
    from bench.webhook_cycles import run_cycles

    taken = [
        asyncio.run(run_cycles(cycles=1, acks=1500, answers=400, full_rows=1000))
        for _ in range(runs)
    ]
    medians: dict[str, Any] = {
        key: round(statistics.median(run[key] for run in taken), 1) for key in SERVE_KEYS
    }
    medians["runs"] = [{key: run[key] for key in SERVE_KEYS} for run in taken]
    medians["memory_split"] = [run["memory_split"] for run in taken]
    return medians


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", type=int, metavar="RUNS", help="measure serve, RUNS times")
    args = parser.parse_args()
    print(json.dumps(serve_memory(args.serve) if args.serve else import_memory(), indent=2))
