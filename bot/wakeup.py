"""The server wakes its worker process on every message it stores (SQLite, one machine).

With the embedded store the server and the worker are two processes on one data folder, and
nothing in SQLite tells the worker that a row arrived: it would have to look often, each look a
write transaction competing with the webhooks for the file. Instead the worker listens on a Unix
datagram socket and the server sends one tiny datagram (the channel's name) after each commit
that stored something new. A datagram that is lost (no worker yet, a full buffer) costs nothing
but latency: the worker claims at its start and still looks now and then (BOT_WORKER_POLL_S).
PostgreSQL has its own path (LISTEN/NOTIFY, bot.stores), which reaches workers on other machines.

The socket lives in the data folder (only who may write there may wake the worker); when that
path is too long for a socket address (about 100 bytes), Linux's abstract namespace is used, with
a name derived from the folder. Waking is a hint and carries nothing but a channel's name.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

log = logging.getLogger(__name__)

SOCKET_NAME = "worker.wake"
# sun_path holds 108 bytes on Linux, 104 on macOS; keep a margin.
_MAX_PATH_BYTES = 100
# The server sends at most one wake per channel in this time (WakeSender).
WAKE_WINDOW_S = 0.005
# A wake is a channel's name; longer datagrams are not ours.
_MAX_DATAGRAM = 64
# Linux has an abstract socket namespace (names that are no file): for folders too deep.
_ABSTRACT_NAMES = sys.platform.startswith("linux")


def wake_address(data_dir: Path) -> str | bytes | None:
    """Where the worker of this data folder listens: a socket file in it, else (a path too long)
    an abstract Linux address, else None (the worker then only polls)."""
    path = os.fsencode(data_dir.resolve() / SOCKET_NAME)
    if len(path) <= _MAX_PATH_BYTES:
        return os.fsdecode(path)
    if _ABSTRACT_NAMES:
        digest = hashlib.sha256(path).hexdigest()[:32]
        return b"\0tanya-jamsos-wake-" + digest.encode()
    return None


class WakeSender:
    """The server's side: `sender(channel)` wakes the worker, never blocks, never raises.

    On an event loop the wakes go out together, one datagram per channel: those of one loop
    iteration, and at most one send per `window_s`. A wake after a quiet moment goes out at the
    end of its loop iteration; during a burst the next one waits for the window's end (at most
    5 ms), so a burst of webhooks costs a send, and a claim, per window rather than per store.
    No wake is dropped: each store is followed by a send within the window."""

    def __init__(self, address: str | bytes | None, window_s: float = WAKE_WINDOW_S) -> None:
        self.address = address
        self.window_s = window_s
        self._sock: socket.socket | None = None
        self._due: set[str] = set()
        self._last_sent = -window_s  # loop time of the last send

    def __call__(self, channel: str) -> None:
        if self.address is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._send(channel)
            return
        if not self._due:
            wait = self._last_sent + self.window_s - loop.time()
            if wait > 0:
                loop.call_later(wait, self._flush)
            else:
                loop.call_soon(self._flush)
        self._due.add(channel)

    def _flush(self) -> None:
        due, self._due = self._due, set()
        with contextlib.suppress(RuntimeError):
            self._last_sent = asyncio.get_running_loop().time()
        for channel in due:
            self._send(channel)

    def _send(self, channel: str) -> None:
        assert self.address is not None
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                self._sock.setblocking(False)
            self._sock.sendto(channel.encode(), self.address)
        except OSError:
            # No worker listening yet (it claims at its start), or its buffer is full (it has
            # wakes enough to read): either way it finds the message.
            pass

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


@contextlib.asynccontextmanager
async def listening(
    address: str | bytes | None, wake: Callable[[str], None]
) -> AsyncIterator[bool]:
    """The worker's side: call `wake(channel)` for the wakes that arrive while the block runs.
    Bound on entry, so that a message stored after it is woken for (one stored before is found
    by the worker's first claim). Yields False when it cannot listen (then the poll must do)."""
    sock = _bound(address)
    if sock is None:
        yield False
        return
    loop = asyncio.get_running_loop()

    def readable() -> None:
        # Read every queued wake at once and wake each channel once: a burst of a hundred
        # stores is one claim, not a hundred.
        channels: set[str] = set()
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while True:
                channels.add(sock.recv(_MAX_DATAGRAM).decode("utf-8", "replace"))
        for channel in channels:
            wake(channel)

    loop.add_reader(sock.fileno(), readable)
    try:
        yield True
    finally:
        loop.remove_reader(sock.fileno())
        sock.close()
        if isinstance(address, str):
            with contextlib.suppress(OSError):
                os.unlink(address)


def _bound(address: str | bytes | None) -> socket.socket | None:
    if address is None:
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.setblocking(False)
    try:
        if isinstance(address, str):
            # Left by a worker that was killed: this worker holds the data folder's lock
            # (bot.instance), so no live one listens there.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(address)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        log.warning("the worker cannot listen for wakes (%s); it polls", type(exc).__name__)
        return None
    return sock


__all__ = ["SOCKET_NAME", "WakeSender", "listening", "wake_address"]
