"""Engine latency over the whole labelled set, warm, in one process; and cold start."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_settings  # noqa: E402
from bot.evaluate import DEFAULT_DEVSET, read_examples  # noqa: E402
from bot.runtime import load_engine  # noqa: E402
from bot.session import Session  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def engine_figures(rounds: int = 3) -> dict[str, float]:
    engine = load_engine(load_settings())
    questions = [e.question for e in read_examples(DEFAULT_DEVSET)]
    today = date(2026, 11, 21)
    for question in questions:  # warm caches (typo corrections, regexes)
        engine.answer(question, Session(), today)
    timings: list[float] = []
    started = time.perf_counter()
    for _ in range(rounds):
        for question in questions:
            t0 = time.perf_counter()
            engine.answer(question, Session(), today)
            timings.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    return {
        "engine_p50_ms": round(percentile(timings, 0.50), 3),
        "engine_p99_ms": round(percentile(timings, 0.99), 3),
        "answers_per_s": round(len(timings) / elapsed, 1),
        "engine_questions": len(questions),
    }


def cold_start(runs: int = 5) -> float:
    """Seconds from process start to the first answer line of `python -m bot ask`."""
    subprocess.run(
        [sys.executable, "-m", "bot", "build"], cwd=ROOT, check=True, capture_output=True
    )
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "ask", "--json", "apa itu jht"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        proc.stdout.readline()
        times.append(time.perf_counter() - t0)
        proc.wait()
    return round(statistics.median(times), 3)


if __name__ == "__main__":
    print(engine_figures(), cold_start())
