"""The durable inbox worker, the same for every channel.

    webhook / getUpdates ─ state.enqueue (committed) ─ 200 / next offset
                                   │ wake
    InboxWorker ─ claim (lease) ─ per-user queue ─ Responder.answer ─ finish | retry_later

A message is acknowledged to the platform only once it is stored, and it is marked done only
after its reply was sent or failed for good. A worker killed mid-way leaves its claims to expire;
whichever worker claims next (itself after a restart, or another process on another machine
when the store is PostgreSQL) answers them. Per user, one message at a time and in the order
received; users run concurrently.

The channel's part is a `Responder`: it turns one stored item into sends and tells the worker how
it went. Its `save` callback stores progress (the rendered reply and how many pieces went out),
so that a retry resumes the sending instead of running the conversation turn again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar, runtime_checkable

from bot.health import Heartbeat
from bot.sealing import Sealer, SealError
from bot.state_protocols import Health, InboxItem, InboxStore, StateError, WouldWait

if TYPE_CHECKING:
    from bot.state import Statement

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# Database calls leave the event loop: a PostgreSQL round trip (or a SQLite lock wait) must not
# hold back the webhooks and sends of everybody else.
_DB_THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="state")
# Conversation turns that cannot run on the loop (see turn_off_loop), one at a time: the
# conversation's in-memory flood guard and the engine's memos are never used from two threads
# at once.
_TURN_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="turn")
# The turn last handed to _TURN_THREAD: until it is done (the thread runs them in order, so
# every earlier one is done too), no turn runs on the loop. Its own completion, not the await
# of it: a cancelled await (shutdown) leaves the turn running in the thread.
_last_threaded: Future[Any] | None = None


async def off_loop(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a blocking state call in a thread and wait for it without blocking the loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_DB_THREADS, functools.partial(fn, *args, **kwargs))


async def turn_off_loop(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run one conversation turn (engine plus session and question-log writes). Answering an
    inbox item, the turn's writes are held back for the item's next record (see TurnWrites).

    With SQLite the turn runs right here, on the event loop, when the connection is free this
    instant and no turn is running in the turn thread: it holds the connection for this thread
    (`reserved`), so its one read (the session) never waits on another thread, and a read in WAL
    mode never waits for another process's writer; its writes are held, so it takes no write
    lock. Handing every turn to a thread cost more than the thread hop: while the turn thread
    held the GIL, the loop's database calls found the connection held by a thread waiting for
    the GIL and went through a thread too (9 in 10 of them, measured), and the two threads
    passed the GIL back and forth. With PostgreSQL (a network round trip to load the session)
    the turn always runs in the turn thread."""
    global _last_threaded
    call: Callable[[], T] = functools.partial(fn, *args, **kwargs)
    writes = _TURN_WRITES.get()
    if writes is not None:
        call = functools.partial(writes.collect, call)
        if _last_threaded is None or _last_threaded.done():
            with writes.store.reserved() as ours:
                if ours:
                    return call()
    threaded = _TURN_THREAD.submit(call)
    _last_threaded = threaded
    return await asyncio.wrap_future(threaded)


@runtime_checkable
class Deferring(Protocol):
    """A store that can hold back a thread's writes and run them with a later call, in one
    transaction (SqliteState.deferring and with_held)."""

    def deferring(self) -> contextlib.AbstractContextManager[list[Statement]]: ...
    def with_held(self, statements: list[Statement], call: Callable[..., T], *args: Any) -> T: ...
    def reserved(self) -> contextlib.AbstractContextManager[bool]: ...


class TurnWrites:
    """What the conversation turn of one inbox item wrote (its session, its question-log row),
    held back and committed in one transaction with the item's next record: the progress saved
    before its reply is sent, or its outcome. One commit instead of three, the write lock never
    held while the engine runs, and a worker killed in between leaves no half of it behind:
    the next claim runs the turn again from where it started."""

    def __init__(self, store: Deferring) -> None:
        self.store = store
        self.statements: list[Statement] = []

    def collect(self, call: Callable[[], T]) -> T:
        """`call()` (on the loop or in the turn thread), the store's writes held back into
        this."""
        with self.store.deferring() as held:
            try:
                return call()
            finally:
                self.statements.extend(held)


# The TurnWrites of the item the current task answers (InboxWorker._run_user sets it).
_TURN_WRITES: ContextVar[TurnWrites | None] = ContextVar("turn_writes", default=None)


@dataclass(frozen=True)
class Outcome:
    """How answering one item went. `error` None: done. Otherwise permanent (recorded, never
    retried: the user blocked the bot, the request is malformed) or transient (retried from the
    inbox, after `retry_after_s` when the platform said how long to wait)."""

    error: str | None = None
    permanent: bool = False
    retry_after_s: float | None = None


DONE = Outcome()


class Progress:
    """A Responder's line back to the worker while it answers one item.

    `await progress(payload)` stores how far the sending got (the rendered reply and how many
    pieces went out). `await progress.sending()` comes before each reply send: the first call
    takes one of the worker's send slots, kept until the item's outcome is recorded. A piece is
    "in flight" from its send until its progress (or the outcome) is stored; a worker killed in
    between has sent it without knowing, and the next worker sends it again. So a worker with N
    slots can double at most N pieces when it dies, whatever the number of users waiting."""

    def __init__(
        self, store: Callable[[dict[str, Any]], Awaitable[None]], slots: asyncio.Semaphore
    ):
        self._store = store
        self._slots = slots
        self.holding = False
        # Progress kept in memory for the item's next record (see `keep`).
        self.kept: dict[str, Any] | None = None

    async def __call__(self, payload: dict[str, Any]) -> None:
        self.kept = None
        await self._store(payload)

    def keep(self, payload: dict[str, Any]) -> None:
        """Progress stored with the item's next record instead of in a commit of its own: the
        rendered reply before its first part is sent. It goes in with the next `save`, before
        a wait for a send slot (a reply waiting its turn is on disk), with a postponement or a
        release at shutdown; a finished item needs it no more (its payload is erased). A
        worker killed before then has committed nothing of the turn (its writes are held for
        the same record), so the next claim runs the turn again from where it started, and a
        part it had sent goes out twice: the same as when the reply was stored first."""
        self.kept = payload

    async def sending(self) -> None:
        if not self.holding:
            if self.kept is not None and self._slots.locked():
                await self(self.kept)
            await self._slots.acquire()
            self.holding = True

    def release(self) -> None:
        if self.holding:
            self.holding = False
            self._slots.release()


# The name the responders know it by: what they call to save their progress.
Save = Progress


class Responder(Protocol):
    channel: str
    # The worker's heartbeat in the state store, read by /healthz (bot.health).
    heartbeat_name: str
    # The install's payload sealer (bot.sealing), the same the channel stored the items with:
    # the worker opens what it claims and seals every update, so `answer` sees plain payloads.
    sealer: Sealer

    async def answer(self, item: InboxItem, save: Save) -> Outcome: ...


class WorkerStore(InboxStore, Health, Protocol):
    """What a worker uses of the state store: the inbox, and its heartbeat."""


@runtime_checkable
class Immediate(Protocol):
    """A store that runs a short call on the event loop when it needs not wait for anybody
    (SqliteState.at_once), and says WouldWait otherwise."""

    def at_once(self, work: Callable[[], T]) -> T: ...


@dataclass(frozen=True)
class InboxOptions:
    # Items held in memory at once (claimed, queued per user).
    capacity: int = 64
    # How long a claim protects an item from other workers. Claims in flight are renewed every
    # third of it, so only a dead worker's claims expire: after at most this long, another
    # worker (or the restarted one) takes them over.
    lease_s: float = 30.0
    # The worker is woken on every local enqueue, and looks anyway this often (retries, other
    # processes and machines writing to the same store).
    poll_s: float = 1.0
    # On shutdown, sends in flight get this long to finish before their items are released.
    drain_s: float = 5.0
    # Reply sends in flight at once (BOT_SENDS_IN_FLIGHT): also the most a killed worker can
    # send twice (see Progress).
    sends_in_flight: int = 16
    # Transient failures of a whole item before it is given up: with the growing pauses of
    # retry_delay (2 s, 4 s, … 300 s), about 14 minutes of platform outage.
    max_item_attempts: int = 10
    # When nothing is in flight, the SQLite WAL is truncated at most this often (state.scrub),
    # so that the texts and addresses of answered messages do not linger in it.
    scrub_every_s: float = 5.0
    clock: Callable[[], float] = time.time


def retry_delay(attempts: int, retry_after_s: float | None) -> float:
    """The pause before an item is tried again: what the platform asked for, else a growing one."""
    if retry_after_s is not None:
        return max(0.0, retry_after_s)
    return min(300.0, 2.0 * 2.0 ** (attempts - 1))


class InboxWorker:
    """Claims stored messages of one channel and answers them through its Responder."""

    def __init__(self, state: WorkerStore, responder: Responder, options: InboxOptions) -> None:
        self.state = state
        self.responder = responder
        self.channel = responder.channel
        self.options = options
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._inflight: dict[int, InboxItem] = {}
        self._queues: dict[str, deque[InboxItem]] = {}
        self._runners: dict[str, asyncio.Task[None]] = {}
        # The progress line and turn writes of each item being answered now.
        self._answering: dict[int, tuple[Progress, TurnWrites | None]] = {}
        self._send_slots = asyncio.Semaphore(max(1, options.sends_in_flight))
        self._at_once = state.at_once if isinstance(state, Immediate) else None
        self._deferring = state if isinstance(state, Deferring) else None
        self._claim_batch = max(1, options.capacity // 8)
        self.heartbeat = Heartbeat(state, responder.heartbeat_name)
        self._scrubbed_at = float("-inf")
        # Set after every scrub of the WAL (tests wait on it instead of sleeping).
        self.scrubbed = asyncio.Event()

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._loop(), name=f"{self.channel}-inbox"),
            asyncio.create_task(self._renew_leases(), name=f"{self.channel}-leases"),
        ]

    def wake(self) -> None:
        self._wake.set()

    @property
    def running(self) -> bool:
        return bool(self._tasks) and not self._stopping

    async def stop(self) -> None:
        """Stop claiming, let in-flight sends finish for `drain_s`, release the rest at once."""
        self._stopping = True
        self._wake.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._tasks:
            await off_loop(self.heartbeat.stop)
        runners = list(self._runners.values())
        if runners:
            _, unfinished = await asyncio.wait(runners, timeout=self.options.drain_s)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
        now = self.options.clock()
        released = 0
        for item in list(self._inflight.values()):
            # Back to pending now, its progress kept: the next worker to claim resumes it.
            progress, writes = self._answering.pop(item.id, (None, None))
            try:
                if progress is not None and progress.kept is not None:
                    # The rendered reply, with the turn's writes: the next worker resumes the
                    # sending instead of running the turn again.
                    release = self._with_kept(item, progress, self.state.retry_later)
                    await self._with_writes(writes, release, now, 0.0, "shutdown", in_thread=True)
                else:
                    await off_loop(self.state.retry_later, item.id, now, 0.0, "shutdown")
                released += 1
            except StateError:
                log.warning(
                    "%s: an in-flight item could not be released; its lease will expire",
                    self.channel,
                )
        self._inflight.clear()
        if released:
            log.info(
                "%s: %d unfinished message(s) released to the next worker", self.channel, released
            )

    async def wait_idle(self) -> None:
        """Until nothing is in flight and nothing is pending (tests and benchmarks)."""
        while True:
            if not self._inflight:
                pending: int = await self._db(self.state.pending_count, self.channel)
                if not pending:
                    return
            self._changed.clear()
            await self._changed.wait()

    async def wait_settled(self) -> None:
        """Until nothing is in flight; postponed items may still be pending."""
        while self._inflight:
            self._changed.clear()
            await self._changed.wait()

    async def _db(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """A short state call: right here when the store can do it without waiting (SQLite with
        the file free this instant: no thread hop, several per answered message), else on a
        database thread (PostgreSQL always: it is a network round trip)."""
        if self._at_once is not None:
            try:
                return self._at_once(functools.partial(fn, *args, **kwargs))
            except WouldWait:
                pass
        return await off_loop(fn, *args, **kwargs)

    # -- claiming --------------------------------------------------------------------------------

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            # Wall-clock time, whatever clock the tests give the retries: /healthz compares it.
            # Checked here first: a beat not due costs no transaction (and no write lock).
            now = time.time()
            if self.heartbeat.due(now):
                await self._db(self.heartbeat.beat, now)
            more = await self._claim()
            self._changed.set()
            if more:
                # A full batch: there may be more waiting. Let the runners start first.
                await asyncio.sleep(0)
                continue
            if not self._inflight:
                await self._scrub()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.options.poll_s)

    async def _scrub(self) -> None:
        """Nothing in flight: truncate the WAL (now and then), so that the raw addresses and
        texts of answered messages, erased from the inbox, do not linger in it either."""
        now = self.options.clock()
        if now - self._scrubbed_at < self.options.scrub_every_s:
            return
        self._scrubbed_at = now
        try:
            if await off_loop(self.state.scrub):
                self.scrubbed.set()
        except StateError:
            log.warning("%s: the WAL could not be truncated; will try again", self.channel)

    async def _claim(self) -> bool:
        free = self.options.capacity - len(self._inflight)
        if free <= 0 or (self._inflight and free < self._claim_batch):
            # Busy: claim when a few slots are free, not after every answer (each claim is a
            # write transaction); the runners' wakes bring us back here as they finish.
            return False
        try:
            items = await self._db(
                self.state.claim, self.channel, self.options.clock(), self.options.lease_s, free
            )
        except StateError:
            log.exception("%s: could not claim from the inbox", self.channel)
            return False
        if self._stopping:
            # Claimed while stopping: hand them straight back.
            for item in items:
                if item.id not in self._inflight:
                    with contextlib.suppress(StateError):
                        await off_loop(
                            self.state.retry_later, item.id, self.options.clock(), 0.0, "shutdown"
                        )
            return False
        for claimed in items:
            if claimed.id in self._inflight:
                # Ours already, still queued behind the same user's earlier messages: the claim
                # only renewed its lease.
                continue
            opened = await self._opened(claimed)
            if opened is None:
                continue
            self._inflight[opened.id] = opened
            self._queues.setdefault(opened.user_key, deque()).append(opened)
            if opened.user_key not in self._runners:
                self._runners[opened.user_key] = asyncio.create_task(
                    self._run_user(opened.user_key)
                )
        return len(items) == free

    async def _opened(self, item: InboxItem) -> InboxItem | None:
        """The claimed item with its payload opened; None when it does not open (sealed with
        another salt, or damaged): that would never change, so it is recorded as failed once,
        never retried. Nothing of the row is logged: it may be someone's address."""
        try:
            payload = self.responder.sealer.open(self.channel, item.message_id, item.payload)
            newest = item.newest
            if newest is not None:
                newest_id, newest_key, sealed = newest
                try:
                    newest = (
                        newest_id,
                        newest_key,
                        self.responder.sealer.open(self.channel, newest_key, sealed),
                    )
                except SealError:
                    newest = None  # it will be found out when its own turn comes
        except SealError:
            log.error(
                "%s: a stored message does not open (another BOT_SECRET_SALT, or damaged); "
                "not answered",
                self.channel,
            )
            try:
                await off_loop(self.state.finish, item.id, self.options.clock(), "unsealable")
            except StateError:
                log.warning("%s: an unopenable message could not be recorded", self.channel)
            return None
        return replace(item, payload=payload, newest=newest)

    async def _renew_leases(self) -> None:
        """Keep our claims ours while we work on them, however long a send takes."""
        interval = self.options.lease_s / 3
        while True:
            await asyncio.sleep(interval)
            ids = list(self._inflight)
            if not ids:
                continue
            try:
                await off_loop(
                    self.state.extend_leases, ids, self.options.clock() + self.options.lease_s
                )
            except StateError:
                log.warning("%s: could not renew the leases of claimed items", self.channel)

    async def _run_user(self, key: str) -> None:
        """One user's messages, one after the other, so answers come in the order asked."""
        queue = self._queues[key]
        try:
            while queue:
                item = queue[0]
                writes = TurnWrites(self._deferring) if self._deferring is not None else None
                _TURN_WRITES.set(writes)  # this task's own context: this user's runner
                progress = Progress(functools.partial(self._save, item, writes), self._send_slots)
                # Found by stop() if this runner is cancelled mid-way (kept progress).
                self._answering[item.id] = (progress, writes)
                try:
                    outcome = await self._answer(item, progress)
                    await self._record(item, outcome, writes, progress)
                except StateError:
                    log.exception("%s: the inbox could not record an outcome", self.channel)
                finally:
                    # Only now is the last piece sent known to the store: the slot is free.
                    progress.release()
                self._answering.pop(item.id, None)
                queue.popleft()
                self._inflight.pop(item.id, None)
                self._changed.set()
                # A slot is free (and the user's next message may be claimable now).
                self._wake.set()
        finally:
            # On cancellation (shutdown) the unfinished items stay in _inflight for stop().
            self._runners.pop(key, None)
            if not queue:
                self._queues.pop(key, None)
            self._wake.set()

    async def _save(
        self, item: InboxItem, writes: TurnWrites | None, payload: dict[str, Any]
    ) -> None:
        sealed = self.responder.sealer.seal(self.channel, item.message_id, payload)
        await self._with_writes(writes, self.state.update_payload, item.id, sealed)

    async def _with_writes(
        self,
        writes: TurnWrites | None,
        fn: Callable[..., None],
        *args: Any,
        in_thread: bool = False,
    ) -> None:
        """`fn(*args)`, a record of the item, with its turn's writes held so far (if any), in
        one transaction; the writes are dropped from `writes` only once committed."""
        run: Callable[..., Awaitable[None]] = off_loop if in_thread else self._db
        if writes is None or not writes.statements or self._deferring is None:
            await run(fn, *args)
            return
        statements = list(writes.statements)
        await run(self._deferring.with_held, statements, fn, *args)
        del writes.statements[: len(statements)]

    def _with_kept(
        self, item: InboxItem, progress: Progress, fn: Callable[..., None]
    ) -> Callable[..., None]:
        """`fn` (a record of the item, called with the item's id and what follows) preceded by
        the progress the responder kept for it, if any (see Progress.keep)."""
        kept, progress.kept = progress.kept, None
        if kept is None:
            return functools.partial(fn, item.id)
        sealed = self.responder.sealer.seal(self.channel, item.message_id, kept)

        def record(*args: Any) -> None:
            self.state.update_payload(item.id, sealed)
            fn(item.id, *args)

        return record

    async def _answer(self, item: InboxItem, progress: Progress) -> Outcome:
        try:
            return await self.responder.answer(item, progress)
        except StateError:
            raise
        except Exception as exc:
            # Never let one message stop the worker; the type is logged, not the content. A
            # message whose answering raises would raise again (a "poison" message): it is
            # recorded as failed once, never retried as if the failure were temporary.
            log.error(
                "%s: answering failed (%s); not retried",
                self.channel,
                type(exc).__name__,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
            return Outcome(error=f"poison:{type(exc).__name__}", permanent=True)

    async def _record(
        self, item: InboxItem, outcome: Outcome, writes: TurnWrites | None, progress: Progress
    ) -> None:
        now = self.options.clock()
        if (
            outcome.error is None
            or outcome.permanent
            or (item.attempts >= self.options.max_item_attempts)
        ):
            # Finished: its payload is erased, what was kept of it is not needed.
            progress.kept = None
        if outcome.error is None:
            await self._with_writes(writes, self.state.finish, item.id, now)
            return
        if outcome.permanent:
            log.warning("%s: reply not delivered (%s), not retried", self.channel, outcome.error)
            await self._with_writes(writes, self.state.finish, item.id, now, outcome.error)
            return
        if item.attempts >= self.options.max_item_attempts:
            log.warning(
                "%s: reply given up after %d attempts (%s)",
                self.channel,
                item.attempts,
                outcome.error,
            )
            await self._with_writes(
                writes, self.state.finish, item.id, now, f"gave_up:{outcome.error}"
            )
            return
        delay = retry_delay(item.attempts, outcome.retry_after_s)
        log.info("%s: reply postponed %.0f s (%s)", self.channel, delay, outcome.error)
        # The rendered reply kept so far goes in with the postponement: the retry resumes it.
        postpone = self._with_kept(item, progress, self.state.retry_later)
        await self._with_writes(writes, postpone, now, delay, outcome.error)


__all__ = [
    "DONE",
    "InboxOptions",
    "InboxWorker",
    "Outcome",
    "Progress",
    "Responder",
    "Save",
    "off_loop",
    "retry_delay",
    "turn_off_loop",
]
