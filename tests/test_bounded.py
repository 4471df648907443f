"""Per-sender memory is bounded and swept by time: 40,000 distinct senders in a minute through the
flood guard and the media-notice map, within a loose CPU and memory budget (the strict numbers
are in `make bench`)."""

from __future__ import annotations

import time
import tracemalloc

from bot.bounded import TimedMap
from bot.ratelimit import RateLimiter

SENDERS = 40_000


def keys() -> list[str]:
    return [f"wh_{i:032x}" for i in range(SENDERS)]


def test_a_timed_map_forgets_by_time_and_by_size() -> None:
    seen: TimedMap[int] = TimedMap(ttl_s=60, max_entries=3)
    for i, key in enumerate("abcd"):
        seen.touch(key, i, float(i))
    assert list(seen) == ["b", "c", "d"]  # the least recently touched went first
    assert seen.get("b", 61.5) is None  # touched more than 60 s ago: expired
    seen.touch("e", 4, 62.5)
    assert list(seen) == ["d", "e"]  # b and c swept by time as e came in


def test_forty_thousand_senders_in_a_minute_cost_little_and_leave_nothing() -> None:
    limiter = RateLimiter(limit=8, window_s=60)
    notices: TimedMap[bool] = TimedMap(ttl_s=60, max_entries=50_000)
    names = keys()
    tracemalloc.start()
    cpu = time.process_time()
    for i, key in enumerate(names):
        now = i * 60 / SENDERS
        assert limiter.check(key, now) == "ok"
        if notices.get(key, now) is None:
            notices.touch(key, True, now)
    spent = time.process_time() - cpu
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Loose bounds (measured: well under a second and about 20 MB on a loaded machine); the
    # old notice map alone took 49 s of CPU for this, the old limiter about 36 MB.
    assert spent < 10.0
    assert peak < 60 * 1024 * 1024
    assert len(limiter) == SENDERS and len(notices) == SENDERS
    # Two minutes later one more sender: everything idle is swept.
    limiter.check("wh_late", 180.0)
    notices.touch("wh_late", True, 180.0)
    assert len(limiter) == 1 and len(notices) == 1


def test_the_flood_guard_caps_the_users_it_remembers() -> None:
    limiter = RateLimiter(limit=8, window_s=60, max_users=1_000)
    for i, key in enumerate(keys()[:5_000]):
        limiter.check(key, i * 0.001)
    assert len(limiter) == 1_000


def test_the_flood_guard_counts_a_flood_and_forgives_a_slow_writer() -> None:
    limiter = RateLimiter(limit=3, window_s=60)
    assert [limiter.check("a", t) for t in (0, 1, 2, 3, 4)] == ["ok", "ok", "ok", "warn", "drop"]
    assert [limiter.check("b", t) for t in (0, 30, 61, 92, 123)] == ["ok"] * 5
