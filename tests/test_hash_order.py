"""An answer does not depend on the order in which Python's sets happen to iterate: each process
draws its own hash seed (PYTHONHASHSEED), so a phrase read from a set's words instead of the
message's would make one user's answer differ from another's, and a test pass or fail by chance.
The fresh-clone run of 2026-12-03 showed one: a work accident's money question read as the JHT
claim under seed 49 only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Seeds under which the message's words, read in set order, once spelled a phrase they do not.
SEEDS = ("12", "49")
TALK = (
    "sy tukang di proyek ruko, kaki sy tertimpa besi waktu kerja kemarin",
    "sy dak kerja 3 minggu, gaji sy dibayar dak",
)
SCRIPT = """
import sys
from datetime import date
from bot.config import load_settings
from bot.app import open_runtime
from core.session import Session

settings = load_settings({"BOT_DATA_DIR": sys.argv[1], "BOT_SECRET_SALT": "x"}, env_file=None)
engine = open_runtime(settings).engine
session = Session()
print(" ".join(str(engine.respond(m, session, date(2026, 11, 21)).reply.intent) for m in sys.argv[2:]))
"""


def _answers(seed: str, data_dir: Path) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data_dir), *TALK],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return done.stdout.strip()


def test_the_same_talk_gets_the_same_answers_under_any_hash_seed(data_dir: Path) -> None:
    answers = {seed: _answers(seed, data_dir) for seed in SEEDS}
    assert set(answers.values()) == {"jkk_manfaat jkk_manfaat"}, answers
