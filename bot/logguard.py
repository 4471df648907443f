"""Rate-limited logging: one error repeated a thousand times a second is logged once a minute.

The accept loop logs every failed accept ("Too many open files"): 121 MB of log in 25 s filled
the disk of a server already in trouble. A RepeatFilter on the log handlers lets the first few
records of one kind through, then one per `every_s` with the count of those it held back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.bounded import TimedMap


class RepeatFilter(logging.Filter):
    def __init__(
        self, every_s: float = 60.0, burst: int = 3, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.every_s = every_s
        self.burst = burst
        self.clock = clock
        # kind of record -> [window start, passed in window, held back]
        self._seen: TimedMap[list[float]] = TimedMap(every_s * 10, 1_000)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        kind = f"{record.name}:{record.levelno}:{record.msg}"
        now = self.clock()
        seen = self._seen.get(kind, now)
        if seen is None or now - seen[0] > self.every_s:
            held = int(seen[2]) if seen is not None else 0
            self._seen.touch(kind, [now, 1, 0], now)
            if held:
                record.msg = f"{record.msg} ({held} similar message(s) held back)"
            return True
        if seen[1] < self.burst:
            seen[1] += 1
            return True
        seen[2] += 1
        return False


def install(logger: logging.Logger | None = None, every_s: float = 60.0) -> RepeatFilter:
    """Add one RepeatFilter to every handler of `logger` (the root logger by default)."""
    target = logger or logging.getLogger()
    found = RepeatFilter(every_s)
    for handler in target.handlers:
        if not any(isinstance(f, RepeatFilter) for f in handler.filters):
            handler.addFilter(found)
    return found
