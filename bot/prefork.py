"""`serve`'s first worker process, forked from the server after the imports both need.

A worker started as a fresh interpreter loads again everything the server has already loaded
(the interpreter's own start-up, aiohttp, cryptography, the bot's modules): some 25 MB of heap
that is the same in both. Forked from the server, the worker shares those pages with it until
one of them writes to a page (copy on write), as pre-fork servers do; `gc.freeze()` first moves
every object made so far out of the collector's reach, so that the worker's collections do not
write to them (and unshare them) just by looking.

The fork happens early, before the server opens a file, starts a thread or an event loop (a
fork of a process with threads is unsafe): the child waits on a pipe until the server, now
holding its data folder's lock and with its app built, tells it to start; it then runs exactly
what `python -m bot work` runs and ends with `os._exit`, never unwinding the server's frames.
If the server stops before that, the pipe closes and the child exits without doing anything.
A worker started again after it died is a fresh `python -m bot work` (the server has threads
and a loop by then); so is every worker where fork or pidfd_open is missing (not Linux).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import os
import signal
import sys
from collections.abc import Iterator

from bot.config import Settings
from bot.heap import one_arena


class ForkedWorker:
    """The forked child, as much of asyncio's Process as the server's supervisor uses."""

    def __init__(self, pid: int, go: int) -> None:
        self.pid = pid
        self._go: int | None = go
        self.returncode: int | None = None

    def start(self) -> ForkedWorker:
        """Let the child run the worker (once)."""
        if self._go is not None:
            os.write(self._go, b"1")
            os.close(self._go)
            self._go = None
        return self

    def abandon(self) -> None:
        """Never started: the child sees the pipe close and exits; reap it."""
        if self._go is not None:
            os.close(self._go)
            self._go = None
            if self.returncode is None:
                _, status = os.waitpid(self.pid, 0)
                self.returncode = os.waitstatus_to_exitcode(status)

    async def wait(self) -> int:
        if self.returncode is not None:
            return self.returncode
        pidfd = os.pidfd_open(self.pid)
        loop = asyncio.get_running_loop()
        ended: asyncio.Future[None] = loop.create_future()

        def exited() -> None:
            if not ended.done():
                ended.set_result(None)

        loop.add_reader(pidfd, exited)
        try:
            await ended
        finally:
            loop.remove_reader(pidfd)
            os.close(pidfd)
        # The pidfd said the child has exited: this reaps it at once, it does not wait.
        _, status = os.waitpid(self.pid, 0)  # noqa: ASYNC222
        self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, signum: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)


@contextlib.contextmanager
def worker_in_waiting(settings: Settings) -> Iterator[ForkedWorker | None]:
    """A forked worker waiting to be started (None where it cannot be forked); one that was
    never started is ended and reaped when the block exits."""
    if not (hasattr(os, "fork") and hasattr(os, "pidfd_open")):
        yield None
        return
    _import_shared(settings)
    one_arena()  # before the fork and before any thread: both processes keep to one
    read_end, write_end = os.pipe()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # nothing buffered is written twice
    gc.collect()
    gc.freeze()
    pid = os.fork()
    if pid == 0:  # the child: this never returns
        os.close(write_end)
        _run_worker(read_end)
    os.close(read_end)
    worker = ForkedWorker(pid, write_end)
    try:
        yield worker
    finally:
        worker.abandon()


def _import_shared(settings: Settings) -> None:
    """What both processes import, loaded once before the fork so that its pages are shared."""
    modules = ["bot.worker", "bot.sealing", "bot.stores", "bot.inbox"]
    if settings.whatsapp_enabled:
        modules.append("bot.channels.whatsapp")
    if settings.telegram_enabled:
        modules.append("bot.channels.telegram")
    for name in modules:
        importlib.import_module(name)


def _run_worker(go: int) -> None:
    code = 0
    try:
        if os.read(go, 1):
            os.close(go)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.close(devnull)
            from bot.cli import main

            code = main(["work"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        code = 0
    except BaseException:  # reported like an uncaught error, then exit
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


__all__ = ["ForkedWorker", "worker_in_waiting"]
