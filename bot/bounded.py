"""A per-key map bounded in size and swept by time, for everything kept per user or sender.

Entries are kept in the order they were last touched, so the stale ones are always at the front:
each `touch` drops the expired entries from the front (each entry is dropped once: amortised
O(1)) and, past `max_entries`, the least recently touched one. Nothing is ever rebuilt: forty thousand new
senders in a minute cost forty thousand small steps, not forty thousand copies of the map.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Generic, TypeVar

V = TypeVar("V")


class TimedMap(Generic[V]):
    def __init__(self, ttl_s: float, max_entries: int) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def get(self, key: str, now: float) -> V | None:
        """The value touched less than ttl_s ago, else None."""
        found = self._items.get(key)
        if found is None or now - found[0] > self.ttl_s:
            return None
        return found[1]

    def touch(self, key: str, value: V, now: float) -> None:
        """Store `value` for `key` as touched `now`, and sweep a little."""
        self._items[key] = (now, value)
        self._items.move_to_end(key)
        self.sweep(now)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def pop(self, key: str) -> None:
        self._items.pop(key, None)

    def sweep(self, now: float, limit: int | None = None) -> int:
        """Drop entries untouched for ttl_s (at most `limit` of them); returns how many."""
        dropped = 0
        while self._items and (limit is None or dropped < limit):
            key, (touched, _value) = next(iter(self._items.items()))
            if now - touched <= self.ttl_s:
                break
            del self._items[key]
            dropped += 1
        return dropped
