"""The webhooks' door to the state database: every call runs in a thread, within a bound.

SQLite calls block: with the database locked by another process, each one waits up to its busy
timeout. Run on the event loop, that froze every request, /healthz included; run in an unbounded
thread pool (bot.inbox.off_loop), a webhook waits as long as the database is locked. Through the
gate a call runs on a database thread while the loop goes on; a caller waits at most `wait_s`
(then gets DatabaseBusy, a StateError, and answers 503), and when `max_waiting` calls are
already queued a new one is refused at once, so a stuck database never piles up work. The gate
also remembers what went wrong, for /healthz, without touching the database.

With `at_once` (SQLite's SqliteState.at_once) a call is first tried on the event loop, in one
transaction, if the database is free this very instant: most webhooks then store without the
thread hop (about a tenth of an acknowledgement's CPU), and one that finds the database in use
goes through the thread as before, never waiting on the loop.

The calls that reach the gate in one pass of the event loop (a burst of webhooks read together)
share that one transaction: one commit, and the pages they all touch (the inbox's last leaf, its
indexes' leaves) written once instead of once each. Nobody is answered before the commit that
holds their row, as before; if one call of a batch raises, the batch is rolled back and its
calls are run one by one, so a call never fails for another's fault.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from bot.state_protocols import StateError, WouldWait

T = TypeVar("T")

# A failure is reported by problem() until a call succeeds, or for this long: with no webhook
# coming (a load balancer that took the instance out), it must not be reported for ever.
PROBLEM_KEPT_S = 30.0


class DatabaseBusy(StateError):
    """The database did not answer in time, or too many calls are waiting for it."""


class DatabaseGate:
    def __init__(
        self,
        wait_s: float = 2.0,
        max_waiting: int = 64,
        threads: int = 1,
        at_once: Callable[[Callable[[], Any]], Any] | None = None,
    ) -> None:
        """`threads`: calls run at once (1 for SQLite, whose connection takes one at a time;
        more for PostgreSQL's connection pool). `at_once`: see the module docstring."""
        self.wait_s = wait_s
        self._at_once = at_once
        self.max_waiting = max_waiting
        self._pool = concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix="state-db")
        self._count_lock = threading.Lock()
        self._queued = 0
        # When each call now running started (by thread id).
        self._running: dict[int, float] = {}
        self._problem: tuple[float, str] | None = None
        # The calls waiting for this loop pass's shared transaction (see the module docstring).
        self._batch: list[tuple[Callable[[], Any], asyncio.Future[Any]]] | None = None

    def _done(self, _future: object) -> None:
        with self._count_lock:
            self._queued -= 1

    def _failed(self, problem: str) -> None:
        self._problem = (time.monotonic(), problem)

    async def run(self, call: Callable[..., T], *args: object) -> T:
        """`call(*args)` on a database thread; DatabaseBusy when it cannot be done in time."""
        if self._at_once is not None and not self._queued:
            # Nobody queued for the thread (who would be overtaken): try right here, with the
            # other calls of this loop pass.
            try:
                result: T = await self._together(functools.partial(call, *args))
            except WouldWait:
                pass
            else:
                return result
        with self._count_lock:
            queued = self._queued
            refused = queued >= self.max_waiting
            if not refused:
                self._queued += 1
        if refused:
            self._failed(f"{queued} state database calls queued; new ones refused")
            raise DatabaseBusy("too many calls waiting for the state database")

        def timed() -> T:
            me = threading.get_ident()
            self._running[me] = time.monotonic()
            try:
                return call(*args)
            finally:
                self._running.pop(me, None)

        job = self._pool.submit(timed)
        job.add_done_callback(self._done)
        try:
            # On time-out the job is cancelled if it has not started; one already running
            # finishes (a message it stores is deduplicated when it is delivered again).
            result = await asyncio.wait_for(asyncio.wrap_future(job), self.wait_s)
        except TimeoutError:
            self._failed(
                f"the state database did not answer within {self.wait_s:g} s (locked or slow)"
            )
            raise DatabaseBusy("the state database is locked or slow") from None
        except StateError as exc:
            self._failed(f"the state database failed: {exc}")
            raise
        self._problem = None
        return result

    def _together(self, call: Callable[[], T]) -> asyncio.Future[T]:
        """`call()` in the transaction this loop pass's calls share, run once they are all in."""
        loop = asyncio.get_running_loop()
        if self._batch is None:
            self._batch = []
            loop.call_soon(self._run_batch)
        future: asyncio.Future[T] = loop.create_future()
        self._batch.append((call, future))
        return future

    def _run_batch(self) -> None:
        batch, self._batch = self._batch or [], None
        assert self._at_once is not None
        if len(batch) == 1:
            self._alone(*batch[0])
            return
        try:
            calls = [call for call, _ in batch]
            results = self._at_once(lambda: [call() for call in calls])
        except WouldWait as exc:
            # The database is in use: each call goes the slow way, through the thread.
            for _, future in batch:
                _settle(future, exc)
            return
        except Exception as exc:
            if not isinstance(exc, StateError):
                # One call failed and took the batch with it: each on its own, so that the
                # others do not fail for it.
                for call, future in batch:
                    self._alone(call, future)
                return
            self._failed(f"the state database failed: {exc}")
            for _, future in batch:
                _settle(future, exc)
            return
        self._problem = None
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    def _alone(self, call: Callable[[], Any], future: asyncio.Future[Any]) -> None:
        assert self._at_once is not None
        try:
            result = self._at_once(call)
        except Exception as exc:
            if isinstance(exc, StateError) and not isinstance(exc, WouldWait):
                self._failed(f"the state database failed: {exc}")
            _settle(future, exc)
        else:
            self._problem = None
            if not future.done():
                future.set_result(result)

    def problem(self) -> str | None:
        """What is wrong with the database now, if anything (read without touching it)."""
        now = time.monotonic()
        since = min(list(self._running.values()), default=None)  # a copy: threads change it
        if since is not None and now - since > self.wait_s:
            return f"a state database call has been running {now - since:.0f} s (locked or slow)"
        found = self._problem
        if found is None or now - found[0] > PROBLEM_KEPT_S:
            return None
        return found[1]

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _settle(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
