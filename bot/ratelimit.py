"""A per-user sliding-window limit, so a flood gets one polite answer instead of a queue."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

FLOOD_TEXT = (
    "Pesan Bapak/Ibu banyak sekali dalam waktu singkat. Mohon tunggu sebentar, lalu kirim "
    "satu pertanyaan saja ya."
)


@dataclass
class RateLimiter:
    limit: int
    window_s: float
    _events: dict[str, deque[float]] = field(default_factory=dict)
    _warned: dict[str, float] = field(default_factory=dict)

    def check(self, key: str, now: float) -> str:
        """'ok' to answer, 'warn' to send the flood notice once, 'drop' to stay quiet."""
        events = self._events.setdefault(key, deque())
        while events and now - events[0] > self.window_s:
            events.popleft()
        if len(events) < self.limit:
            events.append(now)
            self._warned.pop(key, None)
            return "ok"
        if now - self._warned.get(key, -1e18) > self.window_s:
            self._warned[key] = now
            return "warn"
        return "drop"

    def sweep(self, now: float) -> None:
        """Forget idle users, so memory does not grow with every user ever seen."""
        for key in [k for k, e in self._events.items() if not e or now - e[-1] > self.window_s]:
            self._events.pop(key, None)
            self._warned.pop(key, None)
