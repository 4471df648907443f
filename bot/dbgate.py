"""The event loop's door to the state database: every call runs in a thread, within a bound.

SQLite calls block: with the database locked by another process, each one waits up to its busy
timeout. Run on the event loop, that froze every request, /healthz included. Through the gate a
call runs on one database thread while the loop goes on; a caller waits at most `wait_s` (then
gets DatabaseBusy, a StateError, and answers 503), and when `max_waiting` calls are already
queued a new one is refused at once, so a stuck database never piles up work. The gate also
remembers what went wrong, for /healthz, without touching the database.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from bot.state import StateError

T = TypeVar("T")


class DatabaseBusy(StateError):
    """The database did not answer in time, or too many calls are waiting for it."""


class DatabaseGate:
    def __init__(self, wait_s: float = 2.0, max_waiting: int = 64) -> None:
        self.wait_s = wait_s
        self.max_waiting = max_waiting
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="state-db")
        self._count_lock = threading.Lock()
        self._queued = 0
        self._running_since: float | None = None
        self._problem: str | None = None

    def _done(self, _future: object) -> None:
        with self._count_lock:
            self._queued -= 1

    async def run(self, call: Callable[..., T], *args: object) -> T:
        """`call(*args)` on the database thread; DatabaseBusy when it cannot be done in time."""
        with self._count_lock:
            if self._queued >= self.max_waiting:
                queued = self._queued
                refused = True
            else:
                self._queued += 1
                refused = False
        if refused:
            self._problem = f"{queued} state database calls queued; new ones refused"
            raise DatabaseBusy("too many calls waiting for the state database")

        def timed() -> T:
            self._running_since = time.monotonic()
            try:
                return call(*args)
            finally:
                self._running_since = None

        job = self._pool.submit(timed)
        job.add_done_callback(self._done)
        try:
            # On time-out the job is cancelled if it has not started; one already running
            # finishes (a message it stores is deduplicated when it is delivered again).
            result = await asyncio.wait_for(asyncio.wrap_future(job), self.wait_s)
        except TimeoutError:
            self._problem = (
                f"the state database did not answer within {self.wait_s:g} s (locked or slow)"
            )
            raise DatabaseBusy("the state database is locked or slow") from None
        except StateError as exc:
            self._problem = f"the state database failed: {exc}"
            raise
        self._problem = None
        return result

    def problem(self) -> str | None:
        """What is wrong with the database now, if anything (read without touching it)."""
        since = self._running_since
        if since is not None and time.monotonic() - since > self.wait_s:
            waited = time.monotonic() - since
            return f"a state database call has been running {waited:.0f} s (locked or slow)"
        return self._problem

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
