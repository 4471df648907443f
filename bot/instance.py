"""One instance per data folder with SQLite: a second one refuses to start.

SQLite serves one machine, and the single worker of a single-node bot takes over its dead
predecessor's claims at once (bot.inbox). A second instance on the same folder would do the same
to a live one, and both would answer the same messages, so it stops with a clear message instead.
The lock is an OS file lock (flock): it disappears with its process, kill -9 included, so a
restart never finds a stale one. With PostgreSQL no lock is taken: instances share the work.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from bot.config import ConfigError, Settings


class AlreadyRunning(ConfigError):
    """Another instance holds this data folder (reported like a setting to fix)."""


def _message(settings: Settings, role: str) -> str:
    return (
        f"another Tanya Jamsos {role} is already running on the data folder {settings.data_dir}. "
        "With the embedded SQLite store only one instance may run: stop the other one, or set "
        "BOT_DATABASE_URL=postgresql://... to run several instances on a shared PostgreSQL."
    )


@contextlib.contextmanager
def single_instance(settings: Settings, role: str) -> Iterator[None]:
    """Hold the data folder's lock for `role` ('serve' or 'worker') while the block runs; a
    no-op with PostgreSQL. Raises AlreadyRunning when another process holds it."""
    if settings.database_url:
        yield
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = Path(settings.data_dir) / f"{role}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(_message(settings, role)) from None
        yield
    finally:
        os.close(fd)
