"""A per-user sliding-window limit, so a flood gets one polite answer (its words are in
handlers.notices) instead of a queue.

Memory is bounded: one small tuple per user active within the window, in a TimedMap swept by
time on every check, and at most `max_users` of them (the least recently active go first).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from bot.bounded import TimedMap

DEFAULT_MAX_USERS = 100_000


@dataclass(frozen=True, slots=True)
class _Window:
    events: tuple[float, ...]  # arrival times within the window, oldest first, at most `limit`
    warned_at: float | None = None


@dataclass
class RateLimiter:
    limit: int
    window_s: float
    max_users: int = DEFAULT_MAX_USERS
    _users: TimedMap[_Window] = field(init=False)

    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        # Turns of different chats may run in threads at once (Telegram): one check at a time.
        self._users = TimedMap(self.window_s, self.max_users)

    def __len__(self) -> int:
        return len(self._users)

    def check(self, key: str, now: float) -> str:
        """'ok' to answer, 'warn' to send the flood notice once, 'drop' to stay quiet.

        `now` is when the message arrived; arrivals of one user come in order."""
        with self._lock:
            return self._check(key, now)

    def _check(self, key: str, now: float) -> str:
        state = self._users.get(key, now) or _Window(())
        events = tuple(t for t in state.events if now - t <= self.window_s)
        if len(events) < self.limit:
            self._users.touch(key, _Window((*events, now)[-self.limit :]), now)
            return "ok"
        if state.warned_at is None or now - state.warned_at > self.window_s:
            self._users.touch(key, _Window(events, now), now)
            return "warn"
        self._users.touch(key, _Window(events, state.warned_at), now)
        return "drop"

    def sweep(self, now: float) -> None:
        """Forget users idle for a whole window (also done a little on every check)."""
        with self._lock:
            self._users.sweep(now)
