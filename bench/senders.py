"""40,000 distinct senders in a minute through the per-sender structures: CPU and memory.

    .venv/bin/python bench/senders.py [SENDERS]

Measures the flood guard (bot.ratelimit) and the media-notice map (bot.bounded.TimedMap, as the
WhatsApp worker uses it), with a simulated clock spread over one minute. tests/test_bounded.py
checks the same with loose bounds; these are the numbers to compare.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.bounded import TimedMap
from bot.ratelimit import RateLimiter


def run(keys: list[str]) -> tuple[RateLimiter, TimedMap[bool]]:
    limiter = RateLimiter(limit=8, window_s=60)
    notices: TimedMap[bool] = TimedMap(ttl_s=60, max_entries=50_000)
    for i, key in enumerate(keys):
        now = i * 60 / len(keys)
        limiter.check(key, now)
        if notices.get(key, now) is None:
            notices.touch(key, True, now)
    return limiter, notices


def main() -> int:
    senders = int(sys.argv[1]) if len(sys.argv) > 1 else 40_000
    keys = [f"wh_{i:032x}" for i in range(senders)]
    cpu = time.process_time()
    run(keys)  # CPU without tracemalloc, which slows allocation down several times
    spent = time.process_time() - cpu
    tracemalloc.start()
    limiter, notices = run(keys)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{senders} senders in a simulated minute: {spent:.2f} s CPU, "
        f"{current / senders:.0f} B per sender held ({current / 2**20:.1f} MB), "
        f"peak {peak / 2**20:.1f} MB"
    )
    limiter.check("late", 180.0)
    notices.touch("late", True, 180.0)
    print(f"two minutes later: {len(limiter)} user(s) in the flood guard, {len(notices)} notice(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
