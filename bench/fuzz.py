"""`make fuzz`: many random conversations through the engine and the renderers.

Reports how many inputs were tried and every failure (an exception, text over a channel's limits,
a placeholder left unfilled), with the input that caused it; exits 1 when there was any. The
same checks run with a bounded number of examples in `make test` (tests/test_fuzz.py).

    make fuzz                 # 2,000 conversations
    FUZZ_EXAMPLES=50000 make fuzz
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, settings  # noqa: E402

from bot.engine import Engine  # noqa: E402
from handlers import HANDLERS  # noqa: E402
from knowledge import build, load  # noqa: E402
from knowledge.build import SOURCE_DIR  # noqa: E402
from tests.fuzzing import CONVERSATIONS, run_conversation  # noqa: E402

TODAY = date(2026, 11, 21)


def main() -> int:
    examples = int(os.environ.get("FUZZ_EXAMPLES", "2000"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "knowledge.db"
        build(path, SOURCE_DIR, set(HANDLERS))
        engine = Engine(load(path))
    tried = 0
    messages = 0
    failures: list[str] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(conversation=CONVERSATIONS)
    def explore(conversation: list[str]) -> None:
        nonlocal tried, messages
        tried += 1
        messages += len(conversation)
        failures.extend(run_conversation(engine, conversation, TODAY))

    started = time.perf_counter()
    explore()
    spent = time.perf_counter() - started
    unique = list(dict.fromkeys(failures))
    print(
        f"fuzz: {tried} conversations, {messages} messages in {spent:.0f} s; "
        f"{len(failures)} failure(s), {len(unique)} distinct"
    )
    for failure in unique[:50]:
        print(f"  - {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
