"""Engine cost per conversation turn, with and without the continuation memory:
`python bench/conversation_speed.py`.

bench/engine_bench.py times messages in fresh sessions, where the memory (bot/context_model.py)
never looks; here every tuning conversation is played turn by turn, five times, and each turn's
median CPU time (time.process_time_ns) counts. Never the held-out sets.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.conversation_cv import SETS, TODAY  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.evaluate import labelled_set, read_conversations  # noqa: E402
from bot.runtime import load_engine  # noqa: E402
from core.session import Session  # noqa: E402

PASSES = 5


def turn_times(engine: Engine, conversations: list[list[str]]) -> list[float]:
    """Each later turn's median CPU milliseconds over the passes."""
    passes: list[list[float]] = []
    for _ in range(PASSES + 1):  # the first pass warms the caches
        times: list[float] = []
        for turns in conversations:
            session = Session()
            for number, text in enumerate(turns):
                start = time.process_time_ns()
                engine.respond(text, session, TODAY)
                if number:
                    times.append((time.process_time_ns() - start) / 1e6)
        passes.append(times)
    return [statistics.median(column) for column in zip(*passes[1:], strict=True)]


def main() -> None:
    engine = load_engine(load_settings())
    conversations = [
        [e.question for e in turns]
        for name in SETS
        if (path := labelled_set(f"{name}.tsv")).is_file()
        for turns in read_conversations(path)
    ]
    memory = engine.continuations
    for label, used in (("without memory", None), ("with memory", memory)):
        engine.continuations = used
        times = sorted(turn_times(engine, conversations))
        p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
        print(f"{label:<16} later turns {len(times)}  p50 {p50:.3f} ms  p99 {p99:.3f} ms")


if __name__ == "__main__":
    main()
